import { describe, expect, it } from 'vitest';
import { AdoPolicy, adoRho, newAdoScratch, restorePolicy } from '../../src/mixing/index.js';
import { creditParams, drive, fixedLawRunner, SyntheticRun, threeCreditState } from './helpers.js';

describe('ADO capacity σ: ρ ∝ α(L̂ − ε) + σ_k, σ_k = min(σ, what the domain has learned)', () => {
  it('adds σ_k to every credit: 0.2 : 0.1 : 0 becomes 0.3 : 0.2 : 0.1 at σ = 0.1', () => {
    const rho = Array.from(adoRho(threeCreditState(0.1), creditParams(), newAdoScratch(3)));
    expect(rho[0]).toBeCloseTo(0.3 / 0.6, 9);
    expect(rho[1]).toBeCloseTo(0.2 / 0.6, 9);
    expect(rho[2]).toBeCloseTo(0.1 / 0.6, 9);
    // σ = 0 is the credit itself, the flat domain at δ_min.
    const plain = Array.from(adoRho(threeCreditState(0), creditParams(), newAdoScratch(3)));
    expect(plain[0] / plain[1]).toBeCloseTo(2, 9);
    expect(plain[2]).toBeCloseTo(0.01, 12);
  });

  it('tends to the balanced mixture as σ grows', () => {
    const rho = Array.from(adoRho(threeCreditState(1e6), creditParams(), newAdoScratch(3)));
    for (const r of rho) expect(r).toBeCloseTo(1 / 3, 6);
  });

  // Laws [ln β, ln ε, α]: a falls from about 6·n^(−0.6) toward ε = 1, b is flat at ε = 3.
  const laws: [number, number, number][] = [
    [Math.log(6), 0, 0.6],
    [Math.log(1e-9), Math.log(3), 0.6],
  ];
  /** Steps whose losses start at 5 (a) and 3 (b), then follow the laws roughly. */
  const observe = (p: AdoPolicy, steps: number) => {
    for (let t = 0; t < steps; t++) p.observe({ step: t, loss: [t < 10 ? 5 : 1.5, 3], count: [8, 8] });
    return p;
  };
  const make = (capacity?: number) =>
    new AdoPolicy({ domains: ['a', 'b'], startStep: 10, refitInterval: 10, ignoreSteps: 0, lag: 0, ...(capacity === undefined ? {} : { capacity }), refitRunner: fixedLawRunner(laws).runner });

  it('is 0.2 by default; a domain that learned nothing (loss still at its start) gets no capacity term', () => {
    const p = observe(make(), 30);
    expect(p.settings.capacity).toBe(0.2);
    const snap = p.snapshot();
    // a: L0 = 5, L̂ ≈ 1 + 6·(480)^−0.6 ≈ 1.15: learned ≈ 3.85 > σ; b: L0 = 3 = L̂.
    expect(snap.capacity![0]).toBe(0.2);
    expect(snap.capacity![1]).toBeCloseTo(0, 8);
    expect(snap.firstLossSum).toEqual([50, 30]);
    expect(snap.firstLossCount).toEqual([10, 10]);
    // b's credit and capacity are both 0, so the mixture is exactly the one without σ.
    expect(Array.from(p.weights())).toEqual(Array.from(observe(make(0), 30).weights()));
    expect(new AdoPolicy({ domains: ['a'], preset: 'reference' }).settings.capacity).toBe(0);
  });

  it('caps σ_k at what was learned: L0 − L̂ when that is below σ', () => {
    const p = new AdoPolicy({ domains: ['a', 'b'], startStep: 10, refitInterval: 10, ignoreSteps: 0, lag: 0, capacity: 0.5, refitRunner: fixedLawRunner(laws).runner });
    for (let t = 0; t <= 20; t++) p.observe({ step: t, loss: [1.4, 3.1], count: [8, 8] });
    const n = 21 * 16; // the refit applied after step 20
    const fittedA = 1 + 6 * n ** -0.6;
    expect(p.snapshot().capacity![0]).toBeCloseTo(1.4 - fittedA, 12);
    expect(p.snapshot().capacity![1]).toBeCloseTo(0.1, 6);
  });

  it('keeps the mixture flatter over a run, and is refused when negative or not finite', () => {
    const learning: [number, number, number][] = [
      [Math.log(6), 0, 0.6],
      [Math.log(1), 0, 0.6],
    ];
    const run = (capacity: number) =>
      new AdoPolicy({ domains: ['a', 'b'], startStep: 10, refitInterval: 10, ignoreSteps: 0, lag: 0, capacity, refitRunner: fixedLawRunner(learning).runner });
    const w0 = drive(run(0), new SyntheticRun(1, 2), 200).at(-1)!;
    const w1 = drive(run(0.05), new SyntheticRun(1, 2), 200).at(-1)!;
    expect(w0[0]).toBeGreaterThan(w1[0]);
    expect(w1[0]).toBeGreaterThan(0.5);
    expect(() => new AdoPolicy({ domains: ['a'], capacity: -0.1 })).toThrow(/capacity.*must be a finite number ≥ 0/);
    expect(() => new AdoPolicy({ domains: ['a'], capacity: Infinity })).toThrow(/capacity.*must be a finite number ≥ 0/);
  });

  it('resumes bit for bit; a snapshot that predates it resumes with σ = 0, or with σ for every domain with a law', () => {
    const whole = observe(make(), 60).weights();
    const half = AdoPolicy.restore(JSON.parse(JSON.stringify(observe(make(), 25).snapshot())), { refitRunner: fixedLawRunner(laws).runner });
    for (let t = 25; t < 60; t++) half.observe({ step: t, loss: [t < 10 ? 5 : 1.5, 3], count: [8, 8] });
    expect(Array.from(half.weights())).toEqual(Array.from(whole));

    const snap = observe(make(0.3), 30).snapshot();
    expect((restorePolicy(snap) as AdoPolicy).settings.capacity).toBe(0.3);
    const { capacity: _c, firstLossSum: _s, firstLossCount: _n, ...older } = snap;
    const { capacity: _gone, ...olderSettings } = snap.settings as unknown as Record<string, unknown>;
    expect((restorePolicy({ ...older, settings: olderSettings }) as AdoPolicy).settings.capacity).toBe(0);
    // An older snapshot that set σ ran it on every domain with a law, as it resumes.
    const resumed = restorePolicy(older) as AdoPolicy;
    expect(resumed.snapshot().capacity).toEqual([0.3, 0.3]);
    // and keeps doing so through a later refit and another snapshot, as JSON.
    for (let t = 30; t < 41; t++) resumed.observe({ step: t, loss: [1.5, 3], count: [8, 8] });
    expect((restorePolicy(JSON.parse(JSON.stringify(resumed.snapshot()))) as AdoPolicy).snapshot().capacity).toEqual([0.3, 0.3]);
    expect(() => restorePolicy({ ...snap, firstLossSum: undefined })).toThrow(/ado snapshot: field "capacity" must come with "capacity", "firstLossSum" and "firstLossCount"/);
    expect(() => restorePolicy({ ...snap, capacity: [0.3, -1] })).toThrow(/ado snapshot: field "capacity\[1\]"/);
  });
});
