import { describe, expect, it } from 'vitest';
import { AdoPolicy, adoRho, newAdoScratch, restorePolicy } from '../../src/mixing/index.js';
import { creditParams, drive, fixedLawRunner, SyntheticRun, threeCreditState } from './helpers.js';

describe('ADO capacity σ: ρ ∝ α(L̂ − ε) + σ', () => {
  it('adds σ to every credit: 0.2 : 0.1 : 0 becomes 0.3 : 0.2 : 0.1 at σ = 0.1', () => {
    const rho = Array.from(adoRho(threeCreditState(), creditParams({ capacity: 0.1 }), newAdoScratch(3)));
    expect(rho[0]).toBeCloseTo(0.3 / 0.6, 9);
    expect(rho[1]).toBeCloseTo(0.2 / 0.6, 9);
    expect(rho[2]).toBeCloseTo(0.1 / 0.6, 9);
    // σ = 0 is the credit itself, the flat domain at δ_min.
    const plain = Array.from(adoRho(threeCreditState(), creditParams({ capacity: 0 }), newAdoScratch(3)));
    expect(plain[0] / plain[1]).toBeCloseTo(2, 9);
    expect(plain[2]).toBeCloseTo(0.01, 12);
  });

  it('tends to the balanced mixture as σ grows', () => {
    const rho = Array.from(adoRho(threeCreditState(), creditParams({ capacity: 1e6 }), newAdoScratch(3)));
    for (const r of rho) expect(r).toBeCloseTo(1 / 3, 6);
  });

  it('keeps the mixture flatter over a run, and is refused when negative or not finite', () => {
    const laws: [number, number, number][] = [
      [Math.log(6), 0, 0.6],
      [Math.log(1), 0, 0.6],
    ];
    const run = (capacity: number) =>
      new AdoPolicy({ domains: ['a', 'b'], startStep: 10, refitInterval: 10, ignoreSteps: 0, lag: 0, capacity, refitRunner: fixedLawRunner(laws).runner });
    const w0 = drive(run(0), new SyntheticRun(1, 2), 200).at(-1)!;
    const w1 = drive(run(0.05), new SyntheticRun(1, 2), 200).at(-1)!;
    expect(w0[0]).toBeGreaterThan(w1[0]);
    expect(w1[0]).toBeGreaterThan(0.5);
    expect(() => new AdoPolicy({ domains: ['a'], capacity: -0.1 })).toThrow(/capacity.*must be a finite number ≥ 0/);
    expect(() => new AdoPolicy({ domains: ['a'], capacity: Infinity })).toThrow(/capacity.*must be a finite number ≥ 0/);
  });

  it('restores from a snapshot that predates it as σ = 0, and keeps it through a snapshot', () => {
    const snap = new AdoPolicy({ domains: ['a', 'b'], capacity: 0.3 }).snapshot();
    expect((restorePolicy(snap) as AdoPolicy).settings.capacity).toBe(0.3);
    const { capacity: _gone, ...older } = snap.settings as Record<string, unknown>;
    expect((restorePolicy({ ...snap, settings: older }) as AdoPolicy).settings.capacity).toBe(0);
  });
});
