/**
 * Cross-checks against SciPy (golden values from scripts/make_scipy_fixtures.py):
 * the smoother against scipy.signal.savgol_filter, and the reference-preset fit against
 * the ADO reference procedure (512-start L-BFGS on the same penalised objective).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitPowerLaw, savitzkyGolay } from '../../src/curves/index.js';

interface Fixtures {
  savgol: { window: number; order: number; y: number[]; smoothed: number[] }[];
  adoReference: {
    name: string;
    n: number[];
    loss: number[];
    objective: number;
    a: number;
    e: number;
    alpha: number;
  }[];
}

const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/scipy.json', import.meta.url), 'utf8'),
) as Fixtures;

describe('savitzkyGolay matches scipy.signal.savgol_filter (mode="interp")', () => {
  for (const c of fixtures.savgol) {
    it(`length ${c.y.length}, window ${c.window}, order ${c.order}`, () => {
      const got = savitzkyGolay(c.y, { window: c.window, order: c.order });
      expect(got.length).toBe(c.smoothed.length);
      for (let i = 0; i < got.length; i++) {
        expect(Math.abs(got[i] - c.smoothed[i])).toBeLessThan(1e-10);
      }
    });
  }
});

describe('fitPowerLaw(preset "reference") is at least as good as the 512-start L-BFGS grid', () => {
  for (const c of fixtures.adoReference) {
    it(c.name, () => {
      const fit = fitPowerLaw(c.n, c.loss, { preset: 'reference' });
      expect(fit.points).toBe(c.n.length);
      // Never worse than SciPy's best (up to rounding), often slightly better.
      expect(fit.objective).toBeLessThanOrEqual(c.objective * (1 + 1e-6) + 1e-12);
      for (const v of [fit.params.a, fit.params.e, fit.params.alpha]) expect(Number.isFinite(v)).toBe(true);
    });
  }
});
