import { describe, expect, it } from 'vitest';
import { validateObservation, AdoPolicy, OdmPolicy, StaticPolicy, type MixturePolicy } from '../../src/mixing/index.js';
import { fixedLawRunner } from './helpers.js';

const D = ['code', 'prose', 'math'];
const good = (step: number) => ({ step, loss: [2, 3, NaN], count: [4, 4, 0] });

describe('validateObservation', () => {
  it('accepts a step with an absent domain (NaN loss, count 0)', () => {
    expect(() => validateObservation(good(0), D, -1)).not.toThrow();
    expect(() => validateObservation({ ...good(5), evalLoss: [NaN, 1, 2] }, D, 4)).not.toThrow();
  });

  it.each([
    [{ step: 3, loss: [2, NaN, 1], count: [1, 2, 3] }, /step 3, domain "prose" \(#1\): loss must be finite and ≥ 0 where count > 0 \(count 2\), got NaN/],
    [{ step: 3, loss: [2, Infinity, 1], count: [1, 2, 3] }, /step 3, domain "prose" \(#1\).*got Infinity/],
    [{ step: 3, loss: [2, 1, -0.5], count: [1, 2, 3] }, /step 3, domain "math" \(#2\).*got -0.5/],
    [{ step: 3, loss: [2, 1, 1], count: [1, -2, 3] }, /step 3, domain "prose" \(#1\): count must be a non-negative integer, got -2/],
    [{ step: 3, loss: [2, 1, 1], count: [1.5, 2, 3] }, /step 3, domain "code" \(#0\): count must be a non-negative integer, got 1.5/],
    [{ step: 3, loss: [2, 1], count: [1, 2, 3] }, /step 3: loss has 2 entries, expected 3/],
    [{ step: 3, loss: [2, 1, 1], count: [1, 2, 3, 4] }, /step 3: count has 4 entries, expected 3/],
    [{ step: 3, loss: [2, 1, 1], count: [1, 2, 3], evalLoss: [1] }, /step 3: evalLoss has 1 entries/],
    [{ step: 3, loss: [2, 1, 1], count: [0, 0, 0] }, /step 3: counts are all 0/],
    [{ step: 4, loss: [2, 1, 1], count: [1, 2, 3] }, /step 4 does not follow the last observed step 2 \(expected step 3\)/],
    [{ step: 2, loss: [2, 1, 1], count: [1, 2, 3] }, /step 2 does not follow/],
    [{ step: 3.5, loss: [2, 1, 1], count: [1, 2, 3] }, /step must be a non-negative integer, got 3.5/],
  ])('rejects %j', (o, msg) => {
    expect(() => validateObservation(o, D, 2)).toThrow(msg);
  });

  const policies: [string, () => MixturePolicy][] = [
    ['static', () => StaticPolicy.natural(D, [1, 2, 3])],
    ['odm', () => new OdmPolicy({ domains: D })],
    [
      'ado',
      () =>
        new AdoPolicy({
          domains: D,
          prior: [0.5, 0.3, 0.2],
          preset: 'reference',
          startStep: 2,
          refitInterval: 2,
          refitRunner: fixedLawRunner([[1, 0, 0.3], [2, 0.1, 0.2], [1.5, -0.5, 0.4]]).runner,
        }),
    ],
  ];
  it.each(policies)('%s: a rejected step leaves the state unchanged', (_name, make) => {
    const p = make();
    for (let t = 0; t < 4; t++) p.observe({ step: t, loss: [2 - t * 0.1, 3 - t * 0.1, 2.5], count: [3, 2, 1] });
    const before = JSON.stringify(p.snapshot());
    const w = Array.from(p.weights());
    const bad = [
      { step: 4, loss: [2, NaN, 1], count: [1, 2, 3] },
      { step: 4, loss: [2, 1, 1], count: [1, 2, -3] },
      { step: 4, loss: [2, 1], count: [1, 2] },
      { step: 6, loss: [2, 1, 1], count: [1, 2, 3] },
    ];
    for (const o of bad) expect(() => p.observe(o)).toThrow(/step [46]/);
    expect(JSON.stringify(p.snapshot())).toBe(before);
    expect(Array.from(p.weights())).toEqual(w);
    // and it goes on as if nothing happened
    expect(() => p.observe({ step: 4, loss: [1, 1, 1], count: [1, 1, 1] })).not.toThrow();
  });
});
