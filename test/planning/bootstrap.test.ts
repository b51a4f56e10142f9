import { describe, expect, it } from 'vitest';
import { bootstrapChinchilla, bootstrapKaplan, percentileInterval, resampleRuns } from '../../src/planning/bootstrap.js';
import { chinchillaLoss, type ChinchillaLaw } from '../../src/planning/chinchillaLaw.js';
import { fitChinchilla } from '../../src/planning/fitChinchilla.js';
import { fitKaplan } from '../../src/planning/fitKaplan.js';
import { kaplanLoss } from '../../src/planning/kaplanLaw.js';
import { Rng } from '../../src/random/index.js';
import { syntheticRuns } from './synthetic.js';

const EPOCH: ChinchillaLaw = { E: 1.82, A: 482.0, B: 2085.4, alpha: 0.348, beta: 0.366 };

describe('bootstrap', () => {
  it('percentile intervals interpolate order statistics', () => {
    const v = Array.from({ length: 101 }, (_, i) => i);
    const i = percentileInterval(v, 0.9);
    expect(i.lo).toBeCloseTo(5, 12);
    expect(i.median).toBe(50);
    expect(i.hi).toBeCloseTo(95, 12);
    expect(percentileInterval([3], 0.95)).toEqual({ lo: 3, median: 3, hi: 3 });
    expect(() => percentileInterval([1], 1)).toThrow(/level must be in \(0, 1\)/);
  });

  it('resamples with replacement, reproducibly', () => {
    const runs = [1, 2, 3, 4, 5];
    const a = resampleRuns(runs, new Rng(3));
    expect(a).toEqual(resampleRuns(runs, new Rng(3)));
    expect(a).toHaveLength(5);
    expect(a.every((x) => runs.includes(x))).toBe(true);
  });

  it('Chinchilla intervals cover the true law and are seeded', () => {
    const runs = syntheticRuns((N, D) => chinchillaLoss(EPOCH, N, D), 80, { seed: 21, sigma: 0.005 });
    const point = fitChinchilla(runs);
    const b = bootstrapChinchilla(runs, point, { samples: 60, seed: 1, budgets: [1e21] });
    expect(b.samples).toBe(60);
    expect(b.failed).toBe(0);
    for (const k of ['E', 'alpha', 'beta'] as const) {
      expect(b.intervals[k].lo).toBeLessThan(b.intervals[k].hi);
      // Wide enough to hold the point estimate.
      expect(b.intervals[k].lo).toBeLessThanOrEqual(point.law[k]);
      expect(b.intervals[k].hi).toBeGreaterThanOrEqual(point.law[k]);
    }
    const ex = b.intervals.optimalExponentN;
    const trueEx = EPOCH.beta / (EPOCH.alpha + EPOCH.beta);
    expect(ex.lo - 0.02).toBeLessThan(trueEx);
    expect(ex.hi + 0.02).toBeGreaterThan(trueEx);
    expect(b.optimumN[0].compute).toBe(1e21);
    expect(b.optimumN[0].interval.lo).toBeLessThan(b.optimumN[0].interval.hi);
    expect(bootstrapChinchilla(runs, point, { samples: 60, seed: 1, budgets: [1e21] })).toEqual(b);
  });

  it('Kaplan intervals', () => {
    const K = { Nc: 6.4e13, Dc: 1.8e13, alphaN: 0.076, alphaD: 0.103 };
    const runs = syntheticRuns((N, D) => kaplanLoss(K, N, D), 60, { seed: 2, sigma: 0.003, minN: 1e5, maxN: 1e9, minTpp: 1, maxTpp: 1e4 });
    const b = bootstrapKaplan(runs, fitKaplan(runs), { samples: 30, seed: 4 });
    expect(b.intervals.alphaN.lo).toBeLessThan(0.076 + 0.01);
    expect(b.intervals.alphaN.hi).toBeGreaterThan(0.076 - 0.01);
    expect(() => bootstrapKaplan(runs, fitKaplan(runs), { samples: 0 })).toThrow(/samples must be a positive integer, got 0/);
  });
});
