import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// A plain .mjs script (no build needed), imported as is.
import { makeExampleStepLog, TRUTH } from '../../scripts/make-example-steplog.mjs';
import { parseStepLog } from '../../src/runlog/index.js';

describe('data/example.steplog.jsonl', () => {
  const text = readFileSync('data/example.steplog.jsonl', 'utf8');

  it('is exactly what scripts/make-example-steplog.mjs generates (deterministic)', () => {
    expect(makeExampleStepLog()).toBe(text);
    expect(text.length).toBeLessThan(2_000_000);
  });

  it('is a valid step log with four domains, batches of 32, an occasionally absent domain', () => {
    const log = parseStepLog(text, { file: 'example.steplog.jsonl' });
    expect(log.header.domains).toEqual((TRUTH as { name: string }[]).map((d) => d.name));
    expect(log.header.prior).toEqual([0.4, 0.35, 0.17, 0.08]);
    expect(log.records).toHaveLength(3000);
    const absent = log.records.filter((r) => r.loss[3] === null).length;
    expect(absent).toBeGreaterThan(100);
    expect(absent).toBeLessThan(600);
    expect(log.records.every((r) => r.weights !== undefined)).toBe(true);
    expect(log.records.filter((r) => r.evalLoss !== undefined)).toHaveLength(6);
  });
});
