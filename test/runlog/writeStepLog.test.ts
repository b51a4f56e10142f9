import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  formatStepLine,
  parseStepLog,
  readStepLog,
  StepLogWriter,
  writeStepLog,
  type StepLog,
} from '../../src/runlog/index.js';

const dir = mkdtempSync(join(tmpdir(), 'adomix-writelog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const header = { adomix: 'steplog/1' as const, domains: ['code', 'prose'], prior: [0.6, 0.4], unit: 'tokens' as const };

describe('formatStepLine', () => {
  it('writes full precision, canonical field order, NaN as null', () => {
    const line = formatStepLine({
      params: [null, [0.1 + 0.2, -1e-300, 1 / 3]],
      weights: Float64Array.of(0.1 + 0.2, 1 - (0.1 + 0.2)),
      count: Float64Array.of(0, 7),
      loss: Float64Array.of(NaN, Math.PI),
      step: 3,
    });
    expect(line).toBe(
      '{"step":3,"loss":[null,3.141592653589793],"count":[0,7],"weights":[0.30000000000000004,0.7],"params":[null,[0.30000000000000004,-1e-300,0.3333333333333333]]}',
    );
  });

  it('validates: a bad record throws with its step and field', () => {
    expect(() => formatStepLine({ step: 5, loss: [1, Infinity], count: [1, 1] })).toThrow(
      'step 5: loss[1] must be a finite non-negative number or null, got Infinity',
    );
    expect(() => formatStepLine({ step: 5, loss: [1, 1], count: [1, 1] }, ['a', 'b', 'c'])).toThrow(
      'step 5: loss has 2 entries but there are 3 domains (a, b, c)',
    );
  });
});

describe('StepLogWriter', () => {
  it('publishes the log only on close, and it reads back exactly', async () => {
    const path = join(dir, 'run.jsonl');
    const w = StepLogWriter.open(path, header);
    const records: StepLog['records'] = [];
    for (let t = 10; t < 2010; t++) {
      const r = { step: t, loss: [1 / (t + 1), t % 3 === 0 ? null : 2 + 1 / t], count: [3, t % 3 === 0 ? 0 : 5], weights: [0.6, 0.4] };
      records.push(r);
      w.append(r);
    }
    expect(w.steps).toBe(2000);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.tmp-${process.pid}`)).toBe(true);
    await w.close();
    await w.close(); // twice is fine
    expect(existsSync(`${path}.tmp-${process.pid}`)).toBe(false);
    const log = await readStepLog(path);
    expect(log.header).toEqual(header);
    expect(log.records).toEqual(records);
  });

  it('rejects a bad record without writing it, and non-consecutive steps', async () => {
    const path = join(dir, 'bad.jsonl');
    const w = new StepLogWriter(path, header);
    w.append({ step: 0, loss: [1, 2], count: [1, 1] });
    expect(() => w.append({ step: 1, loss: [1, 2], count: [1, -1] })).toThrow('step 1: count[1] must be a non-negative integer, got -1');
    expect(() => w.append({ step: 2, loss: [1, 2], count: [1, 1] })).toThrow('step 2: step must be 1 (steps are consecutive integers)');
    w.append({ step: 1, loss: [1, 2], count: [1, 1] });
    w.closeSync();
    expect((await readStepLog(path)).records.map((r) => r.step)).toEqual([0, 1]);
  });

  it('abort leaves nothing behind', () => {
    const path = join(dir, 'aborted.jsonl');
    const w = StepLogWriter.open(path, header);
    w.append({ step: 0, loss: [1, 2], count: [1, 1] });
    w.flush();
    w.abort();
    expect(readdirSync(dir).filter((f) => f.startsWith('aborted'))).toEqual([]);
    expect(() => w.append({ step: 1, loss: [1, 2], count: [1, 1] })).toThrow(/already closed/);
  });

  it('rejects a bad header', () => {
    expect(() => StepLogWriter.open(join(dir, 'h.jsonl'), { domains: ['a', 'a'] })).toThrow('header: domains[1] "a" repeats domains[0]');
    expect(existsSync(join(dir, 'h.jsonl'))).toBe(false);
  });
});

describe('writeStepLog', () => {
  const log = {
    header,
    records: [
      { step: 0, loss: [null, 3.25], count: [0, 9], weights: [0.6, 0.4], evalLoss: [1.5, null] },
      { step: 1, loss: [2.5, 3.0625], count: [4, 5], weights: [0.5, 0.5] },
      { step: 2, loss: [2.25, null], count: [3, 0], weights: [0.75, 0.25] },
    ],
  };

  it('round-trips JSONL', async () => {
    const path = join(dir, 'whole.jsonl');
    await writeStepLog(path, log);
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n')[0]).toBe('{"adomix":"steplog/1","domains":["code","prose"],"prior":[0.6,0.4],"unit":"tokens"}');
    expect(parseStepLog(text)).toEqual({ ...log, skipped: 0, skippedLines: [] });
  });

  it('round-trips CSV (less the prior and unit, which CSV has no place for)', async () => {
    const path = join(dir, 'whole.csv');
    await writeStepLog(path, log);
    expect(readFileSync(path, 'utf8')).toBe(
      [
        'step,domain,loss,count,weight,evalLoss',
        '0,code,,0,0.6,1.5',
        '0,prose,3.25,9,0.4,',
        '1,code,2.5,4,0.5,',
        '1,prose,3.0625,5,0.5,',
        '2,code,2.25,3,0.75,',
        '2,prose,,0,0.25,',
        '',
      ].join('\n'),
    );
    const back = await readStepLog(path);
    expect(back.header).toEqual({ adomix: 'steplog/1', domains: ['code', 'prose'], unit: 'examples' });
    expect(back.records).toEqual(log.records);
  });

  it('writes nothing when a record is bad', async () => {
    const path = join(dir, 'never.jsonl');
    await expect(
      writeStepLog(path, { header, records: [...log.records, { step: 4, loss: [1, 1], count: [1, 1] }] }),
    ).rejects.toThrow('step 4: step must be 3 (steps are consecutive integers)');
    expect(existsSync(path)).toBe(false);
  });
});
