import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStepLog, parseStepLog, readStepLog, StepLogError, type StepRecord } from '../../src/runlog/index.js';

const HEADER = '{"adomix":"steplog/1","domains":["code","prose","math"],"prior":[0.5,0.3,0.2],"unit":"examples"}';
const GOOD = [
  HEADER,
  '{"step":0,"loss":[2.91,3.40,null],"count":[32,24,0]}',
  '{"step":1,"loss":[2.85,3.31,3.02],"count":[30,26,8],"weights":[0.5,0.3,0.2]}',
].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'adomix-readlog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error message parseStepLog gives for a log with this header and these step lines. */
function errorOf(lines: string[], header = HEADER): string {
  try {
    parseStepLog([header, ...lines].join('\n'), { file: 'run.jsonl' });
  } catch (err) {
    expect(err).toBeInstanceOf(StepLogError);
    return (err as Error).message;
  }
  throw new Error('expected the log to be rejected');
}

describe('parseStepLog', () => {
  it('reads the DESIGN.md example', () => {
    const log = parseStepLog(GOOD);
    expect(log.header).toEqual({
      adomix: 'steplog/1',
      domains: ['code', 'prose', 'math'],
      prior: [0.5, 0.3, 0.2],
      unit: 'examples',
    });
    expect(log.records).toEqual<StepRecord[]>([
      { step: 0, loss: [2.91, 3.4, null], count: [32, 24, 0] },
      { step: 1, loss: [2.85, 3.31, 3.02], count: [30, 26, 8], weights: [0.5, 0.3, 0.2] },
    ]);
    expect(log.skipped).toBe(0);
    expect(log.skippedLines).toEqual([]);
  });

  it('defaults unit to examples, leaves prior undefined, accepts CRLF, BOM, blank lines and any first step', () => {
    const text = '\uFEFF{"adomix":"steplog/1","domains":["a"]}\r\n\r\n{"step":7,"loss":[1],"count":[1]}\r\n{"step":8,"loss":[0.5],"count":[2],"evalLoss":[null],"params":[[1,0,0.3]]}\r\n';
    const log = parseStepLog(text);
    expect(log.header.unit).toBe('examples');
    expect(log.header.prior).toBeUndefined();
    expect(log.records.map((r) => r.step)).toEqual([7, 8]);
    expect(log.records[1].params).toEqual([[1, 0, 0.3]]);
  });

  it('rejects an empty input', () => {
    expect(() => parseStepLog('', { file: 'x.jsonl' })).toThrow(
      'x.jsonl: empty step log: expected a header line {"adomix":"steplog/1","domains":[...]}',
    );
  });

  it.each([
    ['not JSON', '{"adomix":', /^run\.jsonl:1: not valid JSON: /],
    ['no adomix field', '{"step":0,"loss":[1],"count":[1]}', 'run.jsonl:1: header: the first line must be the header {"adomix":"steplog/1","domains":[...]}, got {"step":0,"loss":[1],"count":[1]}'],
    ['another format', '{"adomix":"steplog/2","domains":["a"]}', 'run.jsonl:1: header: unsupported format "steplog/2" (this adomix reads "steplog/1")'],
    ['an unknown field', '{"adomix":"steplog/1","domains":["a"],"domain":["b"]}', 'run.jsonl:1: header: unknown field "domain" (allowed: adomix, domains, prior, unit, sparse, budget, maxEpochs, plannedSteps)'],
    ['not an object', '[1,2]', 'run.jsonl:1: header: the first line must be the header object {"adomix":"steplog/1","domains":[...]}, got [1,2]'],
    ['no domains', '{"adomix":"steplog/1","domains":[]}', 'run.jsonl:1: header: domains must name at least one domain'],
    ['a non-string domain', '{"adomix":"steplog/1","domains":["a",3]}', 'run.jsonl:1: header: domains[1] must be a domain name (string), got 3'],
    ['a repeated domain', '{"adomix":"steplog/1","domains":["a","b","a"]}', 'run.jsonl:1: header: domains[2] "a" repeats domains[0]'],
    ['a short prior', '{"adomix":"steplog/1","domains":["a","b"],"prior":[1]}', 'run.jsonl:1: header: prior has 1 entries but there are 2 domains (a, b)'],
    ['a negative prior', '{"adomix":"steplog/1","domains":["a","b"],"prior":[1.5,-0.5]}', 'run.jsonl:1: header: prior[1] must be a finite non-negative number, got -0.5'],
    ['a prior not summing to 1', '{"adomix":"steplog/1","domains":["a","b"],"prior":[0.5,0.49]}', 'run.jsonl:1: header: prior must sum to 1 (±0.000001), sums to 0.99'],
    ['a bad unit', '{"adomix":"steplog/1","domains":["a"],"unit":"bytes"}', 'run.jsonl:1: header: unit must be "examples" or "tokens", got "bytes"'],
  ])('rejects a header with %s', (_what, header, message) => {
    const err = errorOf([], header as string);
    if (typeof message === 'string') expect(err).toBe(message);
    else expect(err).toMatch(message);
  });

  it('accepts a prior summing to 1 within 1e-6', () => {
    const log = parseStepLog('{"adomix":"steplog/1","domains":["a","b"],"prior":[0.5,0.4999995]}');
    expect(log.header.prior).toEqual([0.5, 0.4999995]);
  });

  it.each([
    ['not JSON', '{"step":1,"loss":[NaN,1,1],"count":[1,1,1]}', /^run\.jsonl:3: not valid JSON: Unexpected token/],
    ['an array', '[1,2,3]', 'run.jsonl:3: a step line must be a JSON object {"step":…,"loss":[…],"count":[…]}, got [1,2,3]'],
    ['an unknown field', '{"step":1,"loss":[1,1,1],"count":[1,1,1],"wieghts":[1,0,0]}', 'run.jsonl:3: unknown field "wieghts" (allowed: step, loss, count, weights, evalLoss, params)'],
    ['a second header', HEADER, 'run.jsonl:3: a second header line (step logs cannot be concatenated)'],
    ['a missing step', '{"loss":[1,1,1],"count":[1,1,1]}', 'run.jsonl:3: step must be a non-negative integer, got nothing'],
    ['a fractional step', '{"step":1.5,"loss":[1,1,1],"count":[1,1,1]}', 'run.jsonl:3: step must be a non-negative integer, got 1.5'],
    ['a repeated step', '{"step":0,"loss":[1,1,1],"count":[1,1,1]}', 'run.jsonl:3: step must be 1 (steps are consecutive integers starting at 0), got 0: a repeated or out-of-order step'],
    ['a skipped step', '{"step":2,"loss":[1,1,1],"count":[1,1,1]}', 'run.jsonl:3: step must be 1 (steps are consecutive integers starting at 0), got 2: step 1 is missing'],
    ['a missing loss', '{"step":1,"count":[1,1,1]}', 'run.jsonl:3: loss must be an array of 3 numbers or nulls (one per domain), got nothing'],
    ['a short loss', '{"step":1,"loss":[1,1],"count":[1,1,1]}', 'run.jsonl:3: loss has 2 entries but there are 3 domains (code, prose, math)'],
    ['a "NaN" loss', '{"step":1,"loss":[1,1,"NaN"],"count":[1,1,1]}', 'run.jsonl:3: loss[2] must be a finite non-negative number or null, got "NaN"'],
    ['a negative loss', '{"step":1,"loss":[-1,1,1],"count":[1,1,1]}', 'run.jsonl:3: loss[0] must be a finite non-negative number or null, got -1'],
    ['a huge loss', '{"step":1,"loss":[1e999,1,1],"count":[1,1,1]}', 'run.jsonl:3: loss[0] must be a finite non-negative number or null, got Infinity'],
    ['a long count', '{"step":1,"loss":[1,1,1],"count":[1,1,1,1]}', 'run.jsonl:3: count has 4 entries but there are 3 domains (code, prose, math)'],
    ['a negative count', '{"step":1,"loss":[1,1,1],"count":[1,-3,1]}', 'run.jsonl:3: count[1] must be a non-negative integer, got -3'],
    ['a fractional count', '{"step":1,"loss":[1,1,1],"count":[1,2.5,1]}', 'run.jsonl:3: count[1] must be a non-negative integer, got 2.5'],
    ['a loss with count 0', '{"step":1,"loss":[1,1,3.02],"count":[1,1,0]}', 'run.jsonl:3: loss[2] is 3.02 but count[2] is 0: domain "math" had no examples in this step, so its loss must be null'],
    ['a null loss with examples', '{"step":1,"loss":[null,1,1],"count":[5,1,1]}', 'run.jsonl:3: loss[0] is null but count[0] is 5: domain "code" had examples in this step, so it needs a loss (null means absent, count 0)'],
    ['weights not summing to 1', '{"step":1,"loss":[1,1,1],"count":[1,1,1],"weights":[0.5,0.3,0.3]}', 'run.jsonl:3: weights must sum to 1 (±0.00001), sum to 1.1'],
    ['a negative weight', '{"step":1,"loss":[1,1,1],"count":[1,1,1],"weights":[1.5,-0.5,0]}', 'run.jsonl:3: weights[1] must be a finite non-negative number, got -0.5'],
    ['short weights', '{"step":1,"loss":[1,1,1],"count":[1,1,1],"weights":[1]}', 'run.jsonl:3: weights has 1 entry but there are 3 domains (code, prose, math)'],
    ['a bad evalLoss', '{"step":1,"loss":[1,1,1],"count":[1,1,1],"evalLoss":[null,"x",1]}', 'run.jsonl:3: evalLoss[1] must be a finite non-negative number or null, got "x"'],
    ['a bad params entry', '{"step":1,"loss":[1,1,1],"count":[1,1,1],"params":[null,[1,2],null]}', 'run.jsonl:3: params[1] must be null or [a, e, alpha] (three finite numbers), got [1,2]'],
  ])('rejects a step line with %s', (_what, line, message) => {
    const err = errorOf(['{"step":0,"loss":[1,1,null],"count":[1,1,0]}', line as string]);
    if (typeof message === 'string') expect(err).toBe(message);
    else expect(err).toMatch(message);
  });

  it('gives the error its file and line', () => {
    try {
      parseStepLog(GOOD + '\n{"step":2}', { file: 'f.jsonl' });
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ file: 'f.jsonl', line: 4 });
    }
  });

  it('with skipBad, skips and counts bad step lines, and lets skipped lines account for missing steps', () => {
    const text = [
      HEADER,
      '{"step":0,"loss":[1,1,null],"count":[1,1,0]}',
      '{"step":1,"loss":[1,1,"NaN"],"count":[1,1,1]}', // bad: skipped, step 1 missing
      'garbage',                                       // bad: skipped
      '{"step":3,"loss":[1,1,null],"count":[1,1,0]}',  // 2 skipped lines explain steps 1, 2
      '{"step":3,"loss":[1,1,null],"count":[1,1,0]}',  // repeated step: bad
      '{"step":6,"loss":[1,1,null],"count":[1,1,0]}',  // one skipped line cannot explain two missing steps: one bad, kept
      '{"step":4,"loss":[1,1,null],"count":[1,1,0]}',  // out of order: bad
    ].join('\n');
    const log = parseStepLog(text, { file: 'r.jsonl', skipBad: true });
    expect(log.records.map((r) => r.step)).toEqual([0, 3, 6]);
    expect(log.skipped).toBe(5);
    expect(log.skippedLines.map((s) => s.line)).toEqual([3, 4, 6, 7, 8]);
    expect(log.skippedLines[0].message).toBe('r.jsonl:3: loss[2] must be a finite non-negative number or null, got "NaN"');
    expect(log.skippedLines[3].message).toBe('r.jsonl:7: step must be 4 (steps are consecutive integers starting at 0), got 6: steps 4..5 are missing');
    expect(log.skippedLines[4].message).toBe('r.jsonl:8: step must be 7 (steps are consecutive integers starting at 0), got 4: a repeated or out-of-order step');
  });

  it('with skipBad, a missing or swapped line costs itself, not the rest of the log', () => {
    const lines = (steps: number[]) => [HEADER, ...steps.map((t) => `{"step":${t},"loss":[1,1,null],"count":[1,1,0]}`)].join('\n');
    const all = Array.from({ length: 300 }, (_, t) => t);
    const missing = parseStepLog(lines(all.filter((t) => t !== 10)), { skipBad: true });
    expect(missing.skipped).toBe(1);
    expect(missing.records.length).toBe(299);
    expect(missing.records.at(-1)!.step).toBe(299);
    const swapped = [...all];
    [swapped[10], swapped[11]] = [11, 10];
    const log = parseStepLog(lines(swapped), { skipBad: true });
    expect(log.skipped).toBe(2); // step 10 missing before 11; then 10 out of order
    expect(log.records.length).toBe(299);
    expect(log.records.map((r) => r.step).slice(9, 12)).toEqual([9, 11, 12]);
  });

  it('with skipBad, still fails on a bad header, and keeps at most maxSkippedLines messages', () => {
    expect(() => parseStepLog('{"adomix":"steplog/1"}', { skipBad: true })).toThrow(/domains must be an array/);
    const lines = [HEADER, ...Array.from({ length: 10 }, () => 'bad')];
    const log = parseStepLog(lines.join('\n'), { skipBad: true, maxSkippedLines: 3 });
    expect(log.skipped).toBe(10);
    expect(log.skippedLines).toHaveLength(3);
    expect(log.records).toEqual([]);
  });
});

describe('readStepLog', () => {
  it('reads a file exactly as parseStepLog reads its text', async () => {
    const path = join(dir, 'good.jsonl');
    writeFileSync(path, GOOD + '\n');
    const log = await readStepLog(path);
    expect(log).toEqual(parseStepLog(GOOD));
  });

  it('names the file and line of a bad line', async () => {
    const path = join(dir, 'bad.jsonl');
    writeFileSync(path, GOOD + '\n{"step":2,"loss":[1,1,1],"count":[1,1,0.5]}\n');
    await expect(readStepLog(path)).rejects.toThrow(`${path}:4: count[2] must be a non-negative integer, got 0.5`);
    const log = await readStepLog(path, { skipBad: true });
    expect(log.records).toHaveLength(2);
    expect(log.skipped).toBe(1);
  });

  it('says when the file cannot be read', async () => {
    await expect(readStepLog(join(dir, 'missing.jsonl'))).rejects.toThrow(/^cannot read .*missing\.jsonl: ENOENT/);
  });

  it('reads a .csv file as CSV', async () => {
    const path = join(dir, 'log.csv');
    writeFileSync(path, 'step,domain,loss,count\n0,a,1.5,3\n');
    const log = await readStepLog(path);
    expect(log.header.domains).toEqual(['a']);
    expect(log.records).toEqual([{ step: 0, loss: [1.5], count: [3] }]);
  });

  it('reads the built-in example log', async () => {
    const log = await readStepLog('data/example.steplog.jsonl');
    expect(log.header.domains).toEqual(['code', 'prose', 'json', 'math']);
    expect(log.records).toHaveLength(3000);
    expect(log.records.every((r, i) => r.step === i && r.count.reduce((s, c) => s + c, 0) === 32)).toBe(true);
    expect(log.records.some((r) => r.loss[3] === null)).toBe(true);
  });
});

describe('openStepLog', () => {
  it('streams the records with the header known up front', async () => {
    const path = join(dir, 'stream.jsonl');
    const lines = [HEADER];
    for (let t = 0; t < 5000; t++) lines.push(JSON.stringify({ step: t, loss: [1 + t / 1e4, 2, null], count: [1, 2, 0] }));
    lines.push('oops');
    writeFileSync(path, lines.join('\n'));
    const stream = await openStepLog(path, { skipBad: true });
    expect(stream.header.domains).toEqual(['code', 'prose', 'math']);
    let n = 0;
    for await (const r of stream) {
      expect(r.step).toBe(n);
      n++;
    }
    expect(n).toBe(5000);
    expect(stream.skipped).toBe(1);
    expect(stream.skippedLines[0].line).toBe(5002);
  });

  it('can be left early, and reports a bad header at once', async () => {
    const path = join(dir, 'early.jsonl');
    writeFileSync(path, GOOD);
    const stream = await openStepLog(path);
    for await (const r of stream) {
      expect(r.step).toBe(0);
      break;
    }
    const bad = join(dir, 'badheader.jsonl');
    writeFileSync(bad, '{"adomix":"steplog/1","domains":"a"}\n');
    await expect(openStepLog(bad)).rejects.toThrow(`${bad}:1: header: domains must be an array of domain names, got "a"`);
  });
});
