/**
 * The default preset's weighting inside ρ: importance `target` (uniform by default, separate
 * from the prior μ), s = 0 and no exponent floor — its fixed point, a flat domain, and the
 * option's checks, resume and mid-run domains.
 */
import { describe, expect, it } from 'vitest';
import { AdoPolicy, ADO_PRESETS, restorePolicy, type AdoPolicyOptions } from '../../src/mixing/index.js';
import { drive, fixedLawRunner, sameBits, SyntheticRun } from './helpers.js';

type Law = [number, number, number];

/**
 * Two domains whose true curves are L_k(m) = ε_k + β_k·m^(−α) in their OWN examples m, with
 * α = 0.5 for both, β = [1, 8]. The mixture minimising L_0 + L_1 for a budget N equalises
 * the marginal gains α·β_k·(w_k·N)^(−α−1), so w ∝ β^(1/(1+α)) = β^(2/3) = [1, 4]/5.
 * A domain sampled at share w_k, fitted against same-step counts n (the whole batch), shows
 * L̂_k(n) = ε_k + β_k·w_k^(−α)·n^(−α): the law ADO fits is a_k = ln β_k − α·ln w_k.
 */
const ALPHA = 0.5;
const BETA = [1, 8];
const OPTIMUM = [0.2, 0.8];
const lawAt = (w: readonly number[]): Law[] => BETA.map((b, k) => [Math.log(b) - ALPHA * Math.log(w[k]), 0, ALPHA]);

/** Refit after every step from step 0, applied at once: π̄ = ρ after step 0, π = ρ from step 1 on. */
const eager = (laws: Law[], extra: Partial<AdoPolicyOptions> = {}): AdoPolicy =>
  new AdoPolicy({ domains: ['a', 'b'], startStep: 0, refitInterval: 1, lag: 0, capacity: 0, refitRunner: fixedLawRunner(laws).runner, ...extra });

const steps = (n: number, count: number[]) => Array.from({ length: n }, (_, t) => ({ step: t, loss: [3, 3], count }));

// The credit rule itself: capacity σ = 0 (with σ the fixed point is the optimum of Σ L_k + σ·ln(1/w_k): adoCapacity.test.ts).
describe('ADO default preset: the fixed point is the mean-loss optimum', () => {
  it('ρ = w* when the laws are those of a run at w*, whatever the prior and the realised shares', () => {
    // A skewed prior and skewed realised counts: neither enters ρ in the default preset.
    const p = eager(lawAt(OPTIMUM), { prior: [0.9, 0.1] });
    let w = p.weights();
    expect(Array.from(w)).toEqual([0.5, 0.5]); // the target (uniform) sets the start, not μ
    for (const o of steps(5, [7, 1])) w = p.observe(o);
    expect(w[0]).toBeCloseTo(OPTIMUM[0], 14);
    expect(w[1]).toBeCloseTo(OPTIMUM[1], 14);
  });

  it('away from w* it moves toward w*: the laws of a run at the prior ask for more of the under-sampled domain', () => {
    // Sampled at [0.5, 0.5]: ρ ∝ β_k·w_k^(−α) = [1, 8] → [1/9, 8/9]: domain b, under-sampled
    // relative to w* = 0.8, gets more than 0.8; at [0.1, 0.9] domain a gets more than 0.2.
    const half = eager(lawAt([0.5, 0.5]));
    let w = half.weights();
    for (const o of steps(3, [1, 1])) w = half.observe(o);
    expect(w[1]).toBeCloseTo(8 / 9, 14);
    const skew = eager(lawAt([0.1, 0.9]));
    for (const o of steps(3, [1, 9])) w = skew.observe(o);
    const r = [1 * 0.1 ** -0.5, 8 * 0.9 ** -0.5];
    expect(w[0]).toBeCloseTo(r[0] / (r[0] + r[1]), 14);
    expect(w[0]).toBeGreaterThan(0.2);
  });

  it('the reference weighting (τ = μ, h^0.5, max(α, 0.05)) does not settle at w*', () => {
    const p = eager(lawAt(OPTIMUM), { prior: [0.9, 0.1], target: 'prior', s: 0.5, minExponent: 0.05 });
    let w = p.weights();
    for (const o of steps(5, [7, 1])) w = p.observe(o);
    expect(w[0]).toBeGreaterThan(0.5); // pulled toward the large domain of the prior
  });

  it('an explicit target minimises Σ τ_k·L_k: ρ ∝ τ·slope', () => {
    const laws = lawAt(OPTIMUM);
    const p = eager(laws, { target: [3, 1] });
    let w = p.weights();
    for (const o of steps(3, [1, 1])) w = p.observe(o);
    // same slopes ratio as at w* (0.2 : 0.8), reweighted 3 : 1
    expect(w[0]).toBeCloseTo((3 * 0.2) / (3 * 0.2 + 1 * 0.8), 14);
    // 'uniform' is τ = 1 for all; 'prior' is τ = μ
    const pr = eager(laws, { prior: [0.75, 0.25], target: 'prior' });
    for (const o of steps(3, [1, 1])) w = pr.observe(o);
    expect(w[0]).toBeCloseTo((0.75 * 0.2) / (0.75 * 0.2 + 0.25 * 0.8), 14);
  });
});

describe('ADO default preset: a flat domain gets only δ_min', () => {
  // Domain c is pure noise at 5.55 nats. Its flat curve fits either as ε ≈ plateau, β ≈ 0
  // or as ε ≈ 0, β ≈ plateau, α = 0; with no floor on α both have slope 0.
  const learn: Law[] = [
    [Math.log(20), Math.log(2), 0.3],
    [Math.log(15), Math.log(1.5), 0.35],
  ];
  /** Weights after 4 steps when domain c's law is `flat` (a and b follow `learn`). */
  const weightsWithFlat = (flat: Law, options: Partial<AdoPolicyOptions> = {}): Float64Array => {
    const p = new AdoPolicy({
      domains: ['a', 'b', 'c'],
      prior: [0.25, 0.25, 0.5],
      startStep: 0,
      refitInterval: 1,
      lag: 0,
      capacity: 0,
      ...options,
      refitRunner: fixedLawRunner([...learn, flat]).runner,
    });
    let w = p.weights();
    for (let t = 0; t < 4; t++) w = p.observe({ step: t, loss: [3, 2, 5.55], count: [16, 16, 32] });
    return w;
  };
  for (const [form, flat] of [
    ['ε ≈ 0, β ≈ plateau, α = 0', [Math.log(5.55), -48, 0]],
    ['ε ≈ plateau, β ≈ 0', [Math.log(1e-3), Math.log(5.55), 0.3]],
  ] as [string, Law][]) {
    it(`fitted as ${form}`, () => {
      const w = weightsWithFlat(flat);
      if (form.startsWith('ε ≈ 0')) expect(w[2]).toBeCloseTo(0.01, 15);
      else expect(w[2]).toBeCloseTo(0.01, 5); // β·n^−α ≈ 1e-3·64^−0.3: a tiny but true slope
      expect(w[0] + w[1] + w[2]).toBeCloseTo(1, 14);
    });
  }

  it('with the reference floor max(α, 0.05) the α = 0 form keeps a large share', () => {
    const w = weightsWithFlat([Math.log(5.55), -48, 0], { minExponent: 0.05 });
    // slope 0.05·5.55/n against 0.3·20·n^−0.3/n and 0.35·15·n^−0.35/n at n = 256: ten times δ_min
    expect(w[2]).toBeGreaterThan(0.1);
  });

  it('with the real fitting engine, a noise domain gets (almost) no slope', () => {
    // a, b learn; c is flat at 5.55 with 2 % noise.
    const run = new SyntheticRun(3, 3, 64, [1.5, 2, 5.55], [15, 20, 0], [0.35, 0.3, 0.3]);
    const p = new AdoPolicy({ domains: ['a', 'b', 'c'], prior: [0.25, 0.25, 0.5], startStep: 600, refitInterval: 600, ignoreSteps: 100, lag: 0 });
    const w = drive(p, run, 1801);
    // c learned nothing, so the default capacity term σ = 0.2 gives it none either.
    expect(p.snapshot().capacity).toEqual([0.2, 0.2, 0]);
    const laws = p.laws();
    const n = 1801 * 64;
    const slope = laws.map((l) => (l![2] * Math.exp(l![0] - l![2] * Math.log(n))) / n);
    expect(slope[2]).toBeLessThan(1e-3 * Math.min(slope[0], slope[1]));
    // ρ_c = δ_min, and π_c falls as π̄ forgets the prior: π_c(t) = 0.9·π̄_c + 0.1·0.01
    const last = w[w.length - 1][2];
    const piBar = p.snapshot().piBar[2];
    expect(last).toBeCloseTo(0.9 * piBar + 0.1 * 0.01, 3);
    expect(last).toBeLessThan(0.2);
  });
});

describe('ADO target option', () => {
  it('is uniform in the default preset and the prior in the reference', () => {
    expect(ADO_PRESETS.default).toMatchObject({ target: 'uniform', s: 0, minExponent: 0 });
    expect(ADO_PRESETS.reference).toMatchObject({ target: 'prior', s: 0.5, minExponent: 0.05 });
  });

  it('rejects a bad target naming it', () => {
    expect(() => new AdoPolicy({ domains: ['a', 'b'], target: 'natural' as never })).toThrow(
      /AdoPolicy: target must be "uniform", "prior" or an array of numbers ≥ 0 \(one per domain\), got "natural"/,
    );
    expect(() => new AdoPolicy({ domains: ['a', 'b'], target: [1, -1] })).toThrow(/AdoPolicy: target\[1\] must be a finite number ≥ 0, got -1/);
    expect(() => new AdoPolicy({ domains: ['a', 'b'], target: [0, 0] })).toThrow(/target must have a positive sum/);
    expect(() => new AdoPolicy({ domains: ['a', 'b'], target: [1, 2, 3] })).toThrow(/AdoPolicy target has 3 entries, expected 2/);
  });

  it('an added domain gets importance 1 (uniform) or its prior share (explicit), and resume is bit-for-bit', () => {
    for (const target of ['uniform', [2, 1]] as const) {
      const opts: AdoPolicyOptions = { domains: ['a', 'b'], prior: [0.6, 0.4], target, startStep: 200, refitInterval: 200, ignoreSteps: 50, lag: 5 };
      const runA = new SyntheticRun(12, 3);
      const full = new AdoPolicy(opts);
      const head = drive(full, runA, 300);
      full.addDomain('c', 0.2);
      const tail = drive(full, runA, 700);
      const imp = full.snapshot().importance!;
      if (target === 'uniform') expect(imp).toEqual([1, 1, 1]);
      else {
        expect(imp[2]).toBeCloseTo(0.2, 15);
        expect(imp[0] / imp[1]).toBeCloseTo(2, 14);
      }

      const runB = new SyntheticRun(12, 3);
      const a = new AdoPolicy(opts);
      const h2 = drive(a, runB, 300);
      a.addDomain('c', 0.2);
      const m2 = drive(a, runB, 350);
      const b = restorePolicy(JSON.parse(JSON.stringify(a.snapshot())));
      const t2 = drive(b, runB, 350);
      expect(sameBits([...head, ...tail], [...h2, ...m2, ...t2])).toBe(true);
      expect((b as AdoPolicy).settings.target).toEqual(target);
    }
  });

  it('snapshots without `importance` (older checkpoints) derive it from settings.target', () => {
    const p = eager(lawAt(OPTIMUM), { prior: [0.9, 0.1] });
    for (const o of steps(3, [1, 1])) p.observe(o);
    const { importance, ...old } = p.snapshot();
    expect(importance).toEqual([1, 1]);
    const q = AdoPolicy.restore(old);
    expect(q.snapshot().importance).toEqual([1, 1]);
    expect(() => AdoPolicy.restore({ ...old, importance: [1] })).toThrow(/ado snapshot: field "importance" must be an array of 2/);
    // from before the option existed (no settings.target): ρ was weighted by the prior
    const { target: _t, ...settings } = old.settings;
    const before = AdoPolicy.restore({ ...old, settings });
    expect(before.settings.target).toBe('prior');
    expect(before.snapshot().importance).toEqual(old.mu);
  });
});
