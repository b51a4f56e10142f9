import { describe, expect, it } from 'vitest';
import { bootstrapChinchilla, bootstrapKaplan } from '../../src/planning/bootstrap.js';
import { chinchillaLoss, chinchillaToLog, type ChinchillaLaw } from '../../src/planning/chinchillaLaw.js';
import { fitChinchilla } from '../../src/planning/fitChinchilla.js';
import { fitKaplan } from '../../src/planning/fitKaplan.js';
import { kaplanLoss, type KaplanLaw } from '../../src/planning/kaplanLaw.js';
import type { ScalingRun } from '../../src/planning/scalingRun.js';
import { analyzeSkills } from '../../src/planning/skills.js';
import { relErr, syntheticRuns } from './synthetic.js';

const EPOCH: ChinchillaLaw = { E: 1.82, A: 482.0, B: 2085.4, alpha: 0.348, beta: 0.366 };
const KAPLAN: KaplanLaw = { Nc: 6.4e13, Dc: 1.8e13, alphaN: 0.076, alphaD: 0.103 };
const IDENTICAL: ScalingRun[] = Array.from({ length: 6 }, () => ({ N: 1e8, D: 2e9, loss: 3.1 }));
const TOKENS = [2e9, 5e9, 1e10, 3e10, 1e11, 4e11];
const SIZES = [1e7, 3e7, 1e8, 3e8, 1e9, 3e9];
/** All losses equal while N and D vary: E fits alone, the N and D terms are free. */
const FLAT: ScalingRun[] = [1e8, 3e8, 1e9, 3e9].flatMap((N, i) => [
  { N, D: 20 * N, loss: 3.1 },
  { N, D: 60 * (i + 1) * N, loss: 3.1 },
]);

describe('fitChinchilla identifiability', () => {
  it('six identical runs: converged, but not identifiable, naming N, D and the points', () => {
    const fit = fitChinchilla(IDENTICAL);
    expect(fit.converged).toBe(true);
    expect(fit.identifiable).toBe(false);
    expect(fit.unidentifiable).toBe(
      'only 1 distinct N (1e8): A and alpha cannot be determined (the law needs at least 3 distinct N); ' +
        'only 1 distinct D (2e9): B and beta cannot be determined (the law needs at least 3 distinct D); ' +
        'only 1 distinct (N, D) point for 5 parameters',
    );
  });

  it('one distinct N with several D: A and alpha cannot be determined', () => {
    const fit = fitChinchilla(TOKENS.map((D) => ({ N: 1e8, D, loss: chinchillaLoss(EPOCH, 1e8, D) })));
    expect(fit.converged).toBe(true);
    expect(fit.identifiable).toBe(false);
    expect(fit.unidentifiable).toBe('only 1 distinct N (1e8): A and alpha cannot be determined (the law needs at least 3 distinct N)');
  });

  it('two distinct N are not enough either: the N term is seen only through one difference', () => {
    const runs = TOKENS.flatMap((D) => [1e8, 4e8].map((N) => ({ N, D, loss: chinchillaLoss(EPOCH, N, D) })));
    const fit = fitChinchilla(runs);
    expect(fit.identifiable).toBe(false);
    expect(fit.unidentifiable).toBe('only 2 distinct N (1e8, 4e8): A and alpha cannot be determined (the law needs at least 3 distinct N)');
    // The Hessian agrees: the fit's flat direction shows as a huge condition number.
    expect(fit.condition).toBeGreaterThan(1e12);
  });

  it('one distinct D with several N: B and beta cannot be determined', () => {
    const fit = fitChinchilla(SIZES.map((N) => ({ N, D: 2e10, loss: chinchillaLoss(EPOCH, N, 2e10) })));
    expect(fit.identifiable).toBe(false);
    expect(fit.unidentifiable).toBe('only 1 distinct D (2e10): B and beta cannot be determined (the law needs at least 3 distinct D)');
  });

  it('flat loss with N and D varying: the Hessian is singular at the optimum', () => {
    const fit = fitChinchilla(FLAT);
    expect(fit.converged).toBe(true);
    expect(fit.objective).toBeLessThan(1e-20);
    expect(fit.identifiable).toBe(false);
    expect(fit.condition).toBe(Infinity);
    // E + A + B = 3.1 with α = β = 0: only the sum is fixed by the runs.
    expect(fit.law.E + fit.law.A + fit.law.B).toBeCloseTo(3.1, 9);
    expect(fit.unidentifiable).toMatch(/^the Hessian of the objective is singular at the optimum \(.+\): parameters A, B, E are not determined by the data$/);
  });

  it('D proportional to N with α ≈ β: A and B cannot be told apart (near-singular Hessian)', () => {
    const runs = [1e7, 2e7, 5e7, 1e8, 2e8, 5e8, 1e9, 2e9, 5e9, 1e10, 2e10, 5e10].map((N) => ({ N, D: 20 * N, loss: chinchillaLoss(EPOCH, N, 20 * N) }));
    const fit = fitChinchilla(runs);
    expect(fit.identifiable).toBe(false);
    expect(fit.condition).toBeGreaterThan(1e11);
    expect(fit.unidentifiable).toMatch(/^the Hessian of the objective is near-singular at the optimum \(condition number \S+\): parameters A, B are not determined by the data$/);
  });

  it('a well-posed table stays identifiable and recovers the true law', () => {
    const runs = syntheticRuns((N, D) => chinchillaLoss(EPOCH, N, D), 60, { seed: 12 });
    const fit = fitChinchilla(runs);
    expect(fit.converged).toBe(true);
    expect(fit.identifiable).toBe(true);
    expect(fit.unidentifiable).toBeUndefined();
    expect(fit.condition).toBeGreaterThan(1);
    expect(fit.condition).toBeLessThan(1e5);
    const truth = chinchillaToLog(EPOCH);
    for (const k of ['a', 'b', 'e', 'alpha', 'beta'] as const) expect(fit.log[k]).toBeCloseTo(truth[k], 6);
  });

  it('a 3×3 grid of N and D is the smallest identifiable design', () => {
    const runs = [1e8, 1e9, 1e10].flatMap((N) => [1e9, 1e10, 1e11].map((D) => ({ N, D, loss: chinchillaLoss(EPOCH, N, D) })));
    const fit = fitChinchilla(runs);
    expect(fit.identifiable).toBe(true);
    expect(relErr(fit.law.alpha, EPOCH.alpha)).toBeLessThan(1e-6);
    expect(relErr(fit.law.beta, EPOCH.beta)).toBeLessThan(1e-6);
  });
});

describe('fitKaplan identifiability', () => {
  it('one distinct N: N_c and α_N enter only through (N_c/N)^(α_N/α_D)', () => {
    const fit = fitKaplan(TOKENS.map((D) => ({ N: 1e8, D, loss: kaplanLoss(KAPLAN, 1e8, D) })));
    expect(fit.converged).toBe(true);
    expect(fit.identifiable).toBe(false);
    expect(fit.unidentifiable).toBe('only 1 distinct N (1e8): Nc and alphaN cannot be determined (the law needs at least 2 distinct N)');
  });

  it('identical runs and a flat loss are not identifiable', () => {
    expect(fitKaplan(IDENTICAL).unidentifiable).toBe(
      'only 1 distinct N (1e8): Nc and alphaN cannot be determined (the law needs at least 2 distinct N); only 1 distinct (N, D) point for 4 parameters',
    );
    const flat = fitKaplan(FLAT);
    expect(flat.identifiable).toBe(false);
    expect(flat.condition).toBe(Infinity);
    expect(flat.unidentifiable).toMatch(/^the Hessian of the objective is singular at the optimum/);
  });

  it('a well-posed table stays identifiable and recovers the true law', () => {
    const runs = syntheticRuns((N, D) => kaplanLoss(KAPLAN, N, D), 80, { seed: 7, minN: 1e5, maxN: 1e9, minTpp: 1, maxTpp: 1e4 });
    const fit = fitKaplan(runs);
    expect(fit.identifiable).toBe(true);
    expect(fit.unidentifiable).toBeUndefined();
    expect(fit.condition).toBeLessThan(1e5);
    expect(fit.law.alphaN).toBeCloseTo(0.076, 7);
    expect(fit.law.alphaD).toBeCloseTo(0.103, 7);
  });

  it('one distinct D with N spanning four decades is identifiable (a softplus in log N fixes all four)', () => {
    const runs = [1e5, 1e6, 1e7, 1e8, 1e9, 1e10].map((N) => ({ N, D: 2e10, loss: kaplanLoss(KAPLAN, N, 2e10) }));
    const fit = fitKaplan(runs);
    expect(fit.identifiable).toBe(true);
    expect(fit.law.alphaN).toBeCloseTo(0.076, 6);
    expect(relErr(fit.law.Dc, KAPLAN.Dc)).toBeLessThan(1e-5);
  });
});

describe('analyses refuse unidentifiable fits', () => {
  it('bootstrap: no intervals around a point fit the runs do not determine', () => {
    expect(() => bootstrapChinchilla(IDENTICAL, fitChinchilla(IDENTICAL), { samples: 5 })).toThrow(
      /^bootstrapChinchilla: cannot bootstrap: the point fit is not identifiable: only 1 distinct N \(1e8\)/,
    );
    expect(() => bootstrapKaplan(IDENTICAL, fitKaplan(IDENTICAL), { samples: 5 })).toThrow(
      /^bootstrapKaplan: cannot bootstrap: the point fit is not identifiable: only 1 distinct N \(1e8\)/,
    );
  });

  it('bootstrap of a well-posed fit: every replicate identifiable, none left out', () => {
    const runs = syntheticRuns((N, D) => chinchillaLoss(EPOCH, N, D), 60, { seed: 21, sigma: 0.005 });
    const b = bootstrapChinchilla(runs, fitChinchilla(runs), { samples: 20, seed: 2 });
    expect(b.failed).toBe(0);
    expect(b.unidentifiable).toBe(0);
    expect(b.intervals.alpha.lo).toBeLessThan(b.intervals.alpha.hi);
  });

  it('skills: a skill whose fit is not identifiable stops the comparison', () => {
    const runs = syntheticRuns((N, D) => chinchillaLoss(EPOCH, N, D), 30, { seed: 3 }).flatMap((r) => [
      { ...r, skill: 'code' },
      { ...r, loss: 3.1, skill: 'flat' },
    ]);
    expect(() => analyzeSkills(runs, { budgets: [1e21] })).toThrow(
      /^analyzeSkills: cannot plan: the fitted law of skill "flat" is not identifiable: the Hessian of the objective is (near-)?singular at the optimum \(.+\): parameters A, B, E are not determined by the data$/,
    );
  });
});
