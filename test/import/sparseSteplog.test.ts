/** The sparse form of the step log: its header field, its step rule, writers, and the fit helpers. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  evaluationHistory,
  evaluationsPerDomain,
  parseStepLog,
  readStepLog,
  sparseFitSettings,
  sparseWindow,
  StepLogDigest,
  StepLogWriter,
  toDomainHistory,
  writeStepLog,
} from '../../src/runlog/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'adomix-sparse-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HEADER = '{"adomix":"steplog/1","domains":["code","prose"],"unit":"tokens","sparse":true}';
const lines = (...records: string[]): string => [HEADER, ...records].join('\n') + '\n';

describe('a sparse step log', () => {
  it('has one record per evaluation: steps increase with gaps, counts are what each domain saw since its last record', () => {
    const log = parseStepLog(lines('{"step":200,"loss":[2.5,3.1],"count":[6400,6400]}', '{"step":400,"loss":[2.2,null],"count":[6400,0]}', '{"step":600,"loss":[2.0,2.9],"count":[6400,12800]}'), { file: 'eval.jsonl' });
    expect(log.header).toEqual({ adomix: 'steplog/1', domains: ['code', 'prose'], unit: 'tokens', sparse: true });
    expect(log.records.map((r) => r.step)).toEqual([200, 400, 600]);
  });

  it('refuses a repeated or decreasing step, naming the line; skipBad skips it alone', () => {
    const text = lines('{"step":200,"loss":[2.5,3.1],"count":[1,1]}', '{"step":200,"loss":[2.4,3.0],"count":[1,1]}', '{"step":400,"loss":[2.2,2.9],"count":[1,1]}');
    expect(() => parseStepLog(text, { file: 'eval.jsonl' })).toThrow(
      "eval.jsonl:3: step must be greater than 200 (a sparse log's steps increase), got 200: a repeated or out-of-order step",
    );
    const log = parseStepLog(text, { file: 'eval.jsonl', skipBad: true });
    expect([log.skipped, log.records.map((r) => r.step)]).toEqual([1, [200, 400]]);
  });

  it('a dense log still needs consecutive steps, and "sparse" must be a boolean', () => {
    const dense = '{"adomix":"steplog/1","domains":["a"]}\n{"step":0,"loss":[1],"count":[1]}\n{"step":5,"loss":[1],"count":[1]}\n';
    expect(() => parseStepLog(dense, { file: 'd.jsonl' })).toThrow('d.jsonl:3: step must be 1 (steps are consecutive integers starting at 0), got 5: steps 1..4 are missing');
    expect(() => parseStepLog('{"adomix":"steplog/1","domains":["a"],"sparse":"yes"}\n', { file: 'h.jsonl' })).toThrow('h.jsonl:1: header: sparse must be true or false, got "yes"');
    expect(parseStepLog('{"adomix":"steplog/1","domains":["a"],"sparse":false}\n{"step":0,"loss":[1],"count":[1]}\n').header.sparse).toBeUndefined();
  });

  it('is written with its header field, streamed or whole, never as CSV', async () => {
    const path = join(tmp, 'eval.jsonl');
    const w = StepLogWriter.open(path, { domains: ['code', 'prose'], unit: 'tokens', sparse: true });
    w.append({ step: 200, loss: [2.5, 3.1], count: [6400, 6400] });
    expect(() => w.append({ step: 200, loss: [2.5, 3.1], count: [1, 1] })).toThrow("step 200: step must be greater than 200 (a sparse log's steps increase)");
    w.append({ step: 1000, loss: [2.1, NaN], count: [25600, 0] });
    await w.close();
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n')[0]).toBe(HEADER);
    const log = await readStepLog(path);
    expect(log.records.map((r) => r.step)).toEqual([200, 1000]);
    await writeStepLog(join(tmp, 'again.jsonl'), log);
    expect(readFileSync(join(tmp, 'again.jsonl'), 'utf8')).toBe(text);
    await expect(writeStepLog(join(tmp, 'eval.csv'), log)).rejects.toThrow(/a sparse step log needs its header line \("sparse": true\), which the CSV form has not; write JSONL/);
  });

  it('has its own digest, while a dense log keeps the digest it had', () => {
    const dense = parseStepLog('{"adomix":"steplog/1","domains":["a"]}\n{"step":0,"loss":[1],"count":[1]}\n');
    const sparse = parseStepLog('{"adomix":"steplog/1","domains":["a"],"sparse":true}\n{"step":0,"loss":[1],"count":[1]}\n');
    const digest = (log: typeof dense): string => {
      const d = new StepLogDigest(log.header);
      for (const r of log.records) d.update(r);
      return d.digest();
    };
    expect(digest(dense)).not.toBe(digest(sparse));
    // SHA-256 of '{"domains":["a"],"prior":null,"unit":"examples"}' and the record's doubles: the digest's formula before sparse logs
    expect(digest(dense)).toBe('d43cdd6caaf7543a22ac1f3fc00df26cda1f1492723c56cddbf13862ec1e8abb');
  });
});

describe('histories of sparse logs', () => {
  const log = parseStepLog(
    lines(
      '{"step":200,"loss":[2.5,3.1],"count":[6400,6400]}',
      '{"step":400,"loss":[2.2,null],"count":[6400,0]}',
      '{"step":600,"loss":[null,2.9],"count":[0,12800]}',
      '{"step":800,"loss":[1.9,2.8],"count":[12800,6400]}',
    ),
  );

  it('one row per record, with each row\'s training step', () => {
    const h = toDomainHistory(log);
    expect(h.steps).toBe(4);
    expect(Array.from(h.stepAt!)).toEqual([200, 400, 600, 800]);
    expect(Array.from(evaluationsPerDomain(h))).toEqual([3, 3]);
  });

  it('a domain\'s own evaluations, with the counts between them added in', () => {
    const { history, rows } = evaluationHistory(toDomainHistory(log), 0);
    expect(Array.from(rows)).toEqual([0, 1, 3]);
    expect(Array.from(history.stepAt!)).toEqual([200, 400, 800]);
    expect(Array.from(history.loss[0])).toEqual([2.5, 2.2, 1.9]);
    expect(Array.from(history.count[0])).toEqual([6400, 6400, 12800]);
    expect(Array.from(history.count[1])).toEqual([6400, 0, 12800 + 6400]);
  });

  it('the smoothing window in points: the largest odd number ≤ points/5, within [5, 101]', () => {
    expect([0, 10, 24, 30, 100, 200, 505, 5000].map(sparseWindow)).toEqual([5, 5, 5, 5, 19, 39, 101, 101]);
    expect(sparseFitSettings(24)).toEqual({ subsample: 1, window: 5 });
  });
});
