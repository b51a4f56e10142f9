import { describe, expect, it } from 'vitest';
import { AdoPolicy, restorePolicy, type AdoPolicySnapshot } from '../../src/mixing/index.js';
import { budgetCaps, capShares, DataBudget, runOutStep } from '../../src/mixing/budgets.js';
import { Rng } from '../../src/random/index.js';
import { drive, SyntheticRun, sameBits } from './helpers.js';

const all = (K: number): boolean[] => new Array<boolean>(K).fill(true);
const sum = (v: ArrayLike<number>): number => Array.from(v).reduce((a, b) => a + b, 0);

describe('budgetCaps', () => {
  it('κ_k = clamp((A_k − c_k)/(S·B), 0, 1), 1 where unlimited, 0 on exhausted domains', () => {
    const out = new Float64Array(5);
    const s = budgetCaps([1000, 50, Infinity, 10, 4000], [200, 0, 7, 20, 0], [true, true, true, true, false], 10, 20, out);
    // (1000 − 200)/200 = 4 → 1; 50/200 = 0.25; unlimited 1; (10 − 20) < 0 → 0; exhausted 0.
    expect(Array.from(out)).toEqual([1, 0.25, 1, 0, 0]);
    expect(s).toBe(2.25);
  });

  it('no horizon left (S·B ≤ 0): every live cap is 1', () => {
    const out = new Float64Array(2);
    expect(budgetCaps([10, 10], [9, 9], all(2), 0, 64, out)).toBe(2);
    expect(Array.from(out)).toEqual([1, 1]);
  });
});

describe('capShares', () => {
  const pinned = new Uint8Array(8);

  it('leaves the mixture untouched, bit for bit, when no cap binds', () => {
    const v = Float64Array.from([0.1 + 0.2, 0.5, 0.2]); // 0.30000000000000004: a cap of exactly it does not bind
    const before = Array.from(v);
    expect(capShares(v, [0.1 + 0.2, 0.6, 1], all(3), pinned)).toBe(0);
    expect(Array.from(v)).toEqual(before);
  });

  it('exact water-filling on a small case: the excess goes to the free domains in proportion', () => {
    // 0.6 capped at 0.2: 0.4 excess over b, c (0.3 : 0.1), so b = 0.3·0.8/0.4 = 0.6, c = 0.2.
    const v = Float64Array.from([0.6, 0.3, 0.1]);
    expect(capShares(v, [0.2, 1, 1], all(3), pinned)).toBe(1);
    expect(v[0]).toBe(0.2);
    expect(v[1]).toBeCloseTo(0.6, 15);
    expect(v[2]).toBeCloseTo(0.2, 15);
  });

  it('a second round pins a domain the redistribution pushed over its cap', () => {
    // Round 1 pins a (0.6 > 0.2): b → 0.6 > 0.45, so round 2 pins b too; c takes 1 − 0.2 − 0.45.
    const v = Float64Array.from([0.6, 0.3, 0.1]);
    expect(capShares(v, [0.2, 0.45, 1], all(3), pinned)).toBe(2);
    expect(Array.from(v.subarray(0, 2))).toEqual([0.2, 0.45]);
    expect(v[2]).toBeCloseTo(0.35, 15);
  });

  it('exhausted domains stay 0 and do not take any excess', () => {
    const v = Float64Array.from([0.5, 0, 0.5]);
    capShares(v, [0.1, 1, 1], [true, false, true], pinned);
    expect(v[1]).toBe(0);
    expect(v[0]).toBe(0.1);
    expect(v[2]).toBeCloseTo(0.9, 15);
  });

  it('free domains without mass share the room in proportion to their caps', () => {
    const v = Float64Array.from([1, 0, 0]);
    capShares(v, [0.4, 0.5, 0.1], all(3), pinned);
    expect(v[0]).toBe(0.4);
    expect(v[1]).toBeCloseTo(0.5, 15);
    expect(v[2]).toBeCloseTo(0.1, 15);
  });

  it('infeasible caps (Σκ < 1): κ/Σκ, every domain overshooting by the same factor, reported as −1', () => {
    const v = Float64Array.from([0.5, 0.3, 0.2]);
    expect(capShares(v, [0.1, 0.3, 0.1], all(3), pinned)).toBe(-1);
    expect(v[0]).toBeCloseTo(0.2, 15);
    expect(v[1]).toBeCloseTo(0.6, 15);
    expect(v[2]).toBeCloseTo(0.2, 15);
  });

  it('invariants over random cases: sums to 1, no share above its cap when feasible, free ratios kept', () => {
    const rng = new Rng(7);
    const pin = new Uint8Array(12);
    for (let trial = 0; trial < 2000; trial++) {
      const K = 2 + Math.floor(rng.next() * 10);
      const live = Array.from({ length: K }, () => rng.next() > 0.15);
      if (!live.some((x) => x)) live[0] = true;
      const raw = Array.from({ length: K }, (_, k) => (live[k] ? rng.next() ** 2 : 0));
      const total = sum(raw) || 1;
      const v = Float64Array.from(raw, (x, k) => (live[k] ? (sum(raw) > 0 ? x / total : 1 / live.filter((y) => y).length) : 0));
      const cap = Array.from({ length: K }, () => (rng.next() < 0.3 ? 1 : rng.next() * 0.6));
      const before = Array.from(v);
      const capSum = cap.reduce((a, c, k) => a + (live[k] ? c : 0), 0);
      const r = capShares(v, cap, live, pin);
      expect(Math.abs(sum(v) - 1)).toBeLessThan(1e-12);
      for (let k = 0; k < K; k++) {
        if (!live[k]) expect(v[k]).toBe(0);
        if (capSum >= 1 && live[k]) expect(v[k]).toBeLessThanOrEqual(cap[k] + 1e-12);
      }
      if (before.every((x, k) => !live[k] || x <= cap[k])) {
        expect(r).toBe(0);
        expect(Array.from(v)).toEqual(before);
      } else if (capSum >= 1) {
        expect(r).toBeGreaterThan(0);
        // Domains left below their cap keep their ratios to each other, and never lose share.
        const free = before.map((x, k) => (live[k] && v[k] < cap[k] - 1e-12 && x > 0 ? k : -1)).filter((k) => k >= 0);
        for (const k of free) {
          expect(v[k]).toBeGreaterThanOrEqual(before[k] - 1e-12);
          expect(v[k] / before[k]).toBeCloseTo(v[free[0]] / before[free[0]], 9);
        }
      } else expect(r).toBe(-1);
    }
  });
});

describe('runOutStep', () => {
  it('t + ⌈r/(π·B)⌉, Infinity without a share or a budget', () => {
    expect(runOutStep(100, 640, 0.25, 64)).toBe(140); // 640/16 = 40 steps exactly
    expect(runOutStep(100, 641, 0.25, 64)).toBe(141);
    expect(runOutStep(5, 10, 0, 64)).toBe(Infinity);
    expect(runOutStep(5, Infinity, 0.5, 64)).toBe(Infinity);
    expect(runOutStep(5, -3, 0.5, 64)).toBe(5);
  });
});

describe('DataBudget', () => {
  it('checks its options, naming the field and the domain', () => {
    const d = ['a', 'b'];
    expect(DataBudget.fromOptions({}, d, 'P')).toBeUndefined();
    expect(() => DataBudget.fromOptions({ budget: [1] }, d, 'P')).toThrow('P: budget has 1 entries, expected 2 (one per domain)');
    expect(() => DataBudget.fromOptions({ budget: [1, -2] }, d, 'P')).toThrow('P: budget of domain "b" (#1) must be a number ≥ 0 (or null/Infinity: unlimited), got -2');
    expect(() => DataBudget.fromOptions({ maxEpochs: 0 }, d, 'P')).toThrow('P: maxEpochs must be a number > 0, got 0');
    expect(() => DataBudget.fromOptions({ maxEpochs: [1, NaN] }, d, 'P')).toThrow('P: maxEpochs of domain "b" (#1) must be a number > 0, got NaN');
    expect(() => DataBudget.fromOptions({ plannedSteps: 1.5 }, d, 'P')).toThrow('P: plannedSteps must be an integer ≥ 1, got 1.5');
    const b = DataBudget.fromOptions({ budget: [100, null], maxEpochs: [2, 3], plannedSteps: 10 }, d, 'P')!;
    expect(Array.from(b.allowance)).toEqual([200, Infinity]);
    expect(b.toJSON()).toEqual({ budget: [100, null], maxEpochs: [2, 3], plannedSteps: 10, steps: 0, total: 0 });
  });

  it('caps after one step with B the mean batch, and forecasts the run-out step', () => {
    const b = DataBudget.fromOptions({ budget: [120, null], plannedSteps: 11 }, ['a', 'b'], 'P')!;
    b.observe(20);
    b.observe(10); // B = 15
    const w = Float64Array.from([0.5, 0.5]);
    // After step 1: S = 11 − 2 = 9, κ_a = (120 − 30)/(9·15) = 2/3: not binding.
    expect(b.apply(1, [30, 0], all(2), w)).toEqual({ feasible: true, capped: 0 });
    expect(Array.from(w)).toEqual([0.5, 0.5]);
    // With 100 drawn: κ_a = 20/135.
    b.apply(1, [100, 0], all(2), w);
    expect(w[0]).toBeCloseTo(20 / 135, 15);
    expect(w[1]).toBeCloseTo(115 / 135, 15);
    expect(b.forecast(1, [100, 0], w)).toEqual([1 + Math.ceil(20 / (w[0] * 15)), Infinity]);
  });
});

describe('AdoPolicy with a data budget', () => {
  const base = { domains: ['a', 'b', 'c'], prior: [0.5, 0.3, 0.2], startStep: 300, ignoreSteps: 100, refitInterval: 300, lag: 7 };

  it('no budget option: the weights are those of the policy without it', () => {
    const a = drive(new AdoPolicy(base), new SyntheticRun(3, 3), 700);
    const b = drive(new AdoPolicy({ ...base, budget: [null, null, null] as unknown as number[] }), new SyntheticRun(3, 3), 700);
    expect(sameBits(a, b)).toBe(true); // unlimited budgets never cap
  });

  it('never plans more than budget × maxEpochs before the planned end, and uses it up', () => {
    const steps = 1000;
    // Domain c (the steepest curve in SyntheticRun) may draw 2 × 3,000 examples of the 64,000.
    const p = new AdoPolicy({ ...base, budget: [Infinity, Infinity, 3000], maxEpochs: 2, plannedSteps: steps });
    const run = new SyntheticRun(3, 3);
    let w = p.weights();
    let drawnC = 0;
    const uncapped = drive(new AdoPolicy(base), new SyntheticRun(3, 3), steps);
    for (let t = 0; t < steps; t++) {
      const obs = run.next(w);
      drawnC += obs.count[2];
      w = p.observe(obs);
      const left = 6000 - drawnC;
      if (t + 1 < steps && t > 0) expect(w[2] * 64 * (steps - t - 1)).toBeLessThanOrEqual(Math.max(left, 0) + 1e-6);
    }
    const meanUncapped = uncapped.reduce((a, x) => a + x[2], 0) / steps;
    expect(meanUncapped * 64 * steps).toBeGreaterThan(8000); // the cap binds in this run
    expect(drawnC).toBeGreaterThan(5600); // and the allowance is nearly all used, not starved
    expect(drawnC).toBeLessThan(6000 + 3 * 64); // sampling noise past the plan is a few batches at most
    expect(p.budgetStatus).toEqual({ feasible: true, capped: expect.any(Number) });
  });

  it('a domain whose allowance reaches 0 is exhausted, its share redistributed', () => {
    const p = new AdoPolicy({ ...base, budget: [200, Infinity, Infinity] });
    const run = new SyntheticRun(5, 3);
    let w = p.weights();
    let drawn = 0;
    let t = 0;
    while (drawn < 200) {
      const obs = run.next(w);
      drawn += obs.count[0];
      w = p.observe(obs);
      t++;
    }
    expect(w[0]).toBe(0);
    expect(w[1] + w[2]).toBeCloseTo(1, 14);
    expect(p.snapshot().exhausted).toEqual([true, false, false]);
    expect(p.budgetForecast()![0]).toBe(t - 1);
  });

  it('caps may take a domain below δ_min', () => {
    const p = new AdoPolicy({ ...base, minShare: 0.1, budget: [Infinity, Infinity, 100], plannedSteps: 10_000 });
    const w = p.observe({ step: 0, loss: [3, 3, 3], count: [32, 32, 0] });
    // κ_c = 100/(S·B), S = 10,000 − 1 steps left: ≈ 1.6e-4 < δ_min.
    expect(w[2]).toBeCloseTo(100 / (9999 * 64), 15);
    expect(w[2]).toBeLessThan(0.1);
  });

  it('restores from a JSON snapshot and continues bit-for-bit; older snapshots without a budget still restore', () => {
    const o = { ...base, budget: [Infinity, 20_000, 3000], maxEpochs: [1, 1, 2], plannedSteps: 1000 };
    const full = drive(new AdoPolicy(o), new SyntheticRun(9, 3), 1000);
    const run = new SyntheticRun(9, 3);
    const first = new AdoPolicy(o);
    const head = drive(first, run, 603);
    const snap = JSON.parse(JSON.stringify(first.snapshot())) as AdoPolicySnapshot;
    expect(snap.budget).toEqual({ budget: [null, 20000, 3000], maxEpochs: [1, 1, 2], plannedSteps: 1000, steps: 603, total: 603 * 64 });
    const second = restorePolicy(snap);
    const tail = drive(second, run, 397);
    expect(sameBits(full, [...head, ...tail])).toBe(true);
    expect(sameBits(full, drive(new AdoPolicy(base), new SyntheticRun(9, 3), 1000))).toBe(false);
    // An older snapshot (no budget field) restores without one.
    const plain = new AdoPolicy(base);
    drive(plain, new SyntheticRun(1, 3), 20);
    const old = JSON.parse(JSON.stringify(plain.snapshot())) as AdoPolicySnapshot;
    expect('budget' in old).toBe(false);
    expect(restorePolicy(old).snapshot()).toEqual(plain.snapshot());
  });

  it('rejects a corrupt budget in a snapshot, naming the field', () => {
    const p = new AdoPolicy({ ...base, budget: [10_000, null, null] as unknown as number[], plannedSteps: 500 });
    drive(p, new SyntheticRun(1, 3), 20);
    const s = JSON.parse(JSON.stringify(p.snapshot())) as AdoPolicySnapshot;
    expect(() => AdoPolicy.restore({ ...s, budget: { ...s.budget!, budget: [1, 2] } })).toThrow(/field "budget.budget" must be an array of 3 budgets/);
    expect(() => AdoPolicy.restore({ ...s, budget: { ...s.budget!, maxEpochs: [1, 0, 1] } })).toThrow(/field "budget.maxEpochs\[1\]" must be a number > 0/);
    expect(() => AdoPolicy.restore({ ...s, budget: { ...s.budget!, plannedSteps: 0 } })).toThrow(/field "budget.plannedSteps" must be an integer ≥ 1/);
  });

  it('rejects bad budget options naming the domain', () => {
    expect(() => new AdoPolicy({ ...base, budget: [1, 2] })).toThrow('AdoPolicy: budget has 2 entries, expected 3 (one per domain)');
    expect(() => new AdoPolicy({ ...base, maxEpochs: -1 })).toThrow('AdoPolicy: maxEpochs must be a number > 0, got -1');
  });
});
