import { describe, expect, it } from 'vitest';
import { AdoPolicy, adoRho, newAdoScratch, restorePolicy } from '../../src/mixing/index.js';
import { creditParams, drive, fixedLawRunner, SyntheticRun, threeCreditState } from './helpers.js';

describe('ADO creditExponent γ: ρ ∝ credit^γ', () => {
  it('is the credit itself at γ = 1 and its square root at γ = 0.5 (before the δ_min floor)', () => {
    const r1 = Array.from(adoRho(threeCreditState(), creditParams({ creditExponent: 1 }), newAdoScratch(3)));
    const r05 = Array.from(adoRho(threeCreditState(), creditParams({ creditExponent: 0.5 }), newAdoScratch(3)));
    // Credits 4 : 2 : 1e-9 (same α and n): shares 4/6 and 2/6, the third at the floor.
    expect(r1[0] / r1[1]).toBeCloseTo(2, 12);
    expect(r05[0] / r05[1]).toBeCloseTo(Math.SQRT2, 12);
    // A domain without slope stays at δ_min either way.
    expect(r1[2]).toBeCloseTo(0.01, 12);
    expect(r05[2]).toBeCloseTo(0.01, 12);
  });

  it('keeps the mixture flatter over a run, and is refused outside (0, 1]', () => {
    const laws: [number, number, number][] = [
      [Math.log(6), 0, 0.6],
      [Math.log(1), 0, 0.6],
    ];
    const run = (gamma: number) =>
      new AdoPolicy({ domains: ['a', 'b'], startStep: 10, refitInterval: 10, ignoreSteps: 0, lag: 0, creditExponent: gamma, refitRunner: fixedLawRunner(laws).runner });
    const w1 = drive(run(1), new SyntheticRun(1, 2), 200).at(-1)!;
    const w05 = drive(run(0.5), new SyntheticRun(1, 2), 200).at(-1)!;
    expect(w1[0]).toBeGreaterThan(w05[0]);
    expect(w05[0]).toBeGreaterThan(0.5);
    expect(() => new AdoPolicy({ domains: ['a'], creditExponent: 0 })).toThrow(/creditExponent.*must be a number in \(0, 1\]/);
    expect(() => new AdoPolicy({ domains: ['a'], creditExponent: 1.5 })).toThrow(/creditExponent.*must be a number in \(0, 1\]/);
  });

  it('restores from a snapshot that predates it as γ = 1, and keeps it through a snapshot', () => {
    const p = new AdoPolicy({ domains: ['a', 'b'], creditExponent: 0.7 });
    const snap = p.snapshot();
    expect((restorePolicy(snap) as AdoPolicy).settings.creditExponent).toBe(0.7);
    const { creditExponent: _gone, ...older } = snap.settings as Record<string, unknown>;
    expect((restorePolicy({ ...snap, settings: older }) as AdoPolicy).settings.creditExponent).toBe(1);
  });
});
