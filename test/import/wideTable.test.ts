/** Wide tables → step logs: where counts come from, how they accumulate, dense or sparse. */
import { describe, expect, it } from 'vitest';
import { parseWeights } from '../../src/import/options.js';
import { parseWideCsv } from '../../src/import/wideCsv.js';
import { wideTableToStepLog, type CountSource, type WideTable } from '../../src/import/wideTable.js';

const table = (text: string, o: { countColumns?: string; tokensColumn?: string } = {}): WideTable =>
  parseWideCsv(text, { file: 'runs.csv', lossColumns: '^loss/(.*)$', ...o }).table;
const batch = (b: number, w: number[]): CountSource => ({ kind: 'batch', batch: b, weights: Float64Array.from(w), unit: 'examples' });

describe('counts', () => {
  it('a constant batch: each row covers the steps since the previous one, the first row its own step (one at step 0)', () => {
    const c = wideTableToStepLog(table('step,loss/a,loss/b\n0,3,4\n100,2,3\n300,1.5,2.5\n'), batch(8, [0.25, 0.75]));
    expect(c.sparse).toBe(true);
    expect(c.log.records.map((r) => [r.step, ...r.count])).toEqual([
      [0, 2, 6],
      [100, 200, 600],
      [300, 400, 1200],
    ]);
    expect(c.log.header).toMatchObject({ prior: [0.25, 0.75], sparse: true });
    const late = wideTableToStepLog(table('step,loss/a\n500,3\n1000,2\n'), batch(2, [1]));
    expect(late.log.records.map((r) => r.count[0])).toEqual([1000, 1000]); // a run logged from step 500 had trained 500 steps
  });

  it('a domain not measured at a row keeps accumulating into its next measurement', () => {
    const c = wideTableToStepLog(table('step,loss/a,loss/b\n1,3,\n2,2.9,\n3,2.8,3.9\n4,2.7,\n'), batch(10, [0.5, 0.5]));
    expect(c.sparse).toBe(false);
    expect(c.log.records.map((r) => r.count)).toEqual([[5, 0], [5, 0], [5, 15], [5, 0]]);
    expect(c.log.records[0].loss).toEqual([3, null]);
  });

  it('count columns: per row, added up until the domain has a loss', () => {
    const c = wideTableToStepLog(table('step,loss/a,count/a\n0,,100\n10,3,50\n20,,25\n30,2,25\n', { countColumns: '^count/(.*)$' }), { kind: 'columns', unit: 'tokens' });
    expect(c.log.header.unit).toBe('tokens');
    expect(c.log.records.map((r) => [r.step, r.count[0]])).toEqual([
      [10, 150],
      [30, 50],
    ]);
  });

  it('a tokens column: its increments shared by the weights, in tokens', () => {
    const c = wideTableToStepLog(table('tokens,loss/a,loss/b\n1000,3,4\n3000,2.5,3.5\n,2.4,\n6000,2,3\n', { tokensColumn: 'tokens' }), { kind: 'tokens', weights: Float64Array.from([0.5, 0.5]) });
    expect(c.log.header.unit).toBe('tokens');
    // rows are numbered 0, 1, 2, 3; the row without tokens carries nothing (its loss is dropped), the next the difference.
    expect(c.log.records.map((r) => r.count)).toEqual([[500, 500], [1000, 1000], [0, 0], [1500, 1500]]);
    expect(c.droppedLosses).toBe(1);
  });

  it('fractional shares round cumulatively: totals stay exact, tiny shares drop a loss and carry its examples', () => {
    const rows = ['step,loss/a,loss/b', ...Array.from({ length: 10 }, (_, i) => `${i + 1},3,4`)].join('\n');
    const c = wideTableToStepLog(table(rows), batch(3, [0.9, 0.1]));
    const total = (k: number): number => c.log.records.reduce((s, r) => s + r.count[k], 0);
    expect([total(0), total(1)]).toEqual([27, 3]);
    expect(c.droppedLosses).toBe(7);
    expect(c.firstDropped).toEqual({ domain: 'b', step: 1 });
  });

  it('a dense log with a missing step gets an absent record there, whose examples go to the next step', () => {
    const c = wideTableToStepLog(table('step,loss/a\n1,3\n2,2.9\n4,2.7\n5,2.6\n'), batch(4, [1]));
    expect(c.log.records.map((r) => [r.step, r.loss[0], r.count[0]])).toEqual([
      [1, 3, 4],
      [2, 2.9, 4],
      [3, null, 0],
      [4, 2.7, 8],
      [5, 2.6, 4],
    ]);
    expect(c.filledSteps).toBe(1);
  });
});

describe('weights', () => {
  it('name every domain and sum to 1', () => {
    expect(Array.from(parseWeights('b=0.75,a=0.25', ['a', 'b']))).toEqual([0.25, 0.75]);
    expect(Array.from(parseWeights(undefined, ['a', 'b', 'c', 'd']))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(() => parseWeights('a=0.5', ['a', 'b'])).toThrow('--weights gives no weight for domain "b" (every domain needs one; domains: a, b)');
    expect(() => parseWeights('a=0.5,c=0.5', ['a', 'b'])).toThrow('--weights names "c", which is not a domain (domains: a, b)');
    expect(() => parseWeights('a=0.5,b=0.4', ['a', 'b'])).toThrow('--weights must sum to 1 (±0.000001), sum to 0.9');
    expect(() => parseWeights('a=x,b=1', ['a', 'b'])).toThrow('--weights: the weight of "a" must be a finite number ≥ 0, got "x"');
  });
});
