import { describe, expect, it } from 'vitest';
import { chinchillaFromLog, chinchillaLoss, chinchillaToLog, type ChinchillaLaw } from '../../src/planning/chinchillaLaw.js';
import { CHINCHILLA_GRID, fitChinchilla } from '../../src/planning/fitChinchilla.js';
import { huberRho } from '../../src/numerics/huber.js';
import { LAW_PRESETS } from '../../src/planning/presets.js';
import { relErr, syntheticRuns } from './synthetic.js';

const UNROUNDED = { a: 6.0073404, b: 6.0179186, e: 0.5267228, alpha: 0.33917084, beta: 0.2849083 };
const EPOCH: ChinchillaLaw = { E: 1.82, A: 482.0, B: 2085.4, alpha: 0.348, beta: 0.366 };

describe('Chinchilla law', () => {
  it('evaluates E + A/N^α + B/D^β', () => {
    const law: ChinchillaLaw = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };
    expect(chinchillaLoss(law, 1e9, 2e10)).toBeCloseTo(1.69 + 406.4 / 1e9 ** 0.34 + 410.7 / 2e10 ** 0.28, 12);
  });

  it('converts to and from the fit parameterisation A = e^a, B = e^b, E = e^e', () => {
    const law = chinchillaFromLog(UNROUNDED);
    expect(law.A).toBeCloseTo(406.4, 1);
    expect(law.B).toBeCloseTo(410.7, 1);
    expect(law.E).toBeCloseTo(1.69, 2);
    const back = chinchillaToLog(law);
    expect(back.a).toBeCloseTo(UNROUNDED.a, 12);
    expect(back.e).toBeCloseTo(UNROUNDED.e, 12);
  });

  it('the chinchilla preset holds the unrounded values', () => {
    const p = LAW_PRESETS.chinchilla.law;
    expect(p.form).toBe('chinchilla');
    if (p.form !== 'chinchilla') return;
    expect(Math.log(p.A)).toBeCloseTo(UNROUNDED.a, 12);
    expect(p.alpha).toBe(UNROUNDED.alpha);
  });
});

describe('fitChinchilla (Approach 3)', () => {
  it('uses the paper\'s 4,500-start grid by default', () => {
    const g = CHINCHILLA_GRID;
    expect(g.a).toEqual([0, 5, 10, 15, 20, 25]);
    expect(g.b).toEqual([0, 5, 10, 15, 20, 25]);
    expect(g.e).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(g.alpha).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(g.alpha.length * g.beta.length * g.e.length * g.a.length * g.b.length).toBe(4500);
  });

  it('recovers the unrounded Chinchilla law from noise-free runs to many digits', () => {
    const truth = chinchillaFromLog(UNROUNDED);
    const runs = syntheticRuns((N, D) => chinchillaLoss(truth, N, D), 120, { seed: 3 });
    const fit = fitChinchilla(runs);
    expect(fit.converged).toBe(true);
    expect(fit.reason).toBe('gradient');
    expect(fit.gradNorm).toBeLessThanOrEqual(1e-9);
    expect(fit.starts).toBe(4500);
    expect(fit.runs).toBe(120);
    for (const k of ['a', 'b', 'e', 'alpha', 'beta'] as const) expect(fit.log[k]).toBeCloseTo(UNROUNDED[k], 6);
    expect(fit.objective).toBeLessThan(1e-20);
  });

  it('recovers Besiroglu et al.\'s law from 250 noisy runs', () => {
    const runs = syntheticRuns((N, D) => chinchillaLoss(EPOCH, N, D), 250, { seed: 11, sigma: 0.003 });
    const fit = fitChinchilla(runs);
    expect(fit.converged).toBe(true);
    expect(relErr(fit.law.E, EPOCH.E)).toBeLessThan(0.02);
    expect(relErr(fit.law.alpha, EPOCH.alpha)).toBeLessThan(0.05);
    expect(relErr(fit.law.beta, EPOCH.beta)).toBeLessThan(0.05);
    expect(relErr(fit.law.A, EPOCH.A)).toBeLessThan(0.25);
    expect(relErr(fit.law.B, EPOCH.B)).toBeLessThan(0.25);
    // The compute-optimal exponent β/(α+β) ≈ 0.513 is well determined.
    expect(fit.law.beta / (fit.law.alpha + fit.law.beta)).toBeCloseTo(EPOCH.beta / (EPOCH.alpha + EPOCH.beta), 1);
  });

  it('minimises the SUMMED Huber loss of log residuals (δ = 1e-3), and the optimum is stationary', () => {
    const runs = syntheticRuns((N, D) => chinchillaLoss(EPOCH, N, D), 60, { seed: 5, sigma: 0.01 });
    const fit = fitChinchilla(runs);
    const f = (law: ChinchillaLaw): number =>
      runs.reduce((s, r) => s + huberRho(Math.log(chinchillaLoss(law, r.N, r.D)) - Math.log(r.loss), 1e-3), 0);
    expect(fit.objective).toBeCloseTo(f(fit.law), 14);
    // Summed, not averaged: 60 runs' residuals mostly exceed δ, so the sum is far above a mean.
    expect(fit.objective).toBeGreaterThan(20 * 1e-3 * 0.005);
    // No nearby point is better.
    for (const k of ['E', 'A', 'B', 'alpha', 'beta'] as const) {
      for (const s of [1 + 1e-4, 1 - 1e-4]) expect(f({ ...fit.law, [k]: fit.law[k] * s })).toBeGreaterThanOrEqual(fit.objective);
    }
  });

  it('finds the same optimum as refining every one of the 4,500 starts', () => {
    const runs = syntheticRuns((N, D) => chinchillaLoss(EPOCH, N, D), 30, { seed: 8, sigma: 0.01 });
    const fast = fitChinchilla(runs);
    const all = fitChinchilla(runs, { refine: 'all' });
    expect(all.refined).toBe(4500);
    expect(fast.refined).toBeLessThan(50);
    expect(fast.objective).toBeLessThanOrEqual(all.objective * (1 + 1e-9));
    expect(fast.log.alpha).toBeCloseTo(all.log.alpha, 5);
    expect(fast.log.beta).toBeCloseTo(all.log.beta, 5);
  });

  it('reports a fit that stops early as not converged', () => {
    const runs = syntheticRuns((N, D) => chinchillaLoss(EPOCH, N, D), 40, { seed: 2, sigma: 0.01 });
    const fit = fitChinchilla(runs, { maxIter: 2 });
    expect(fit.converged).toBe(false);
    expect(fit.reason).toBe('max-iterations');
  });

  it('refines explicit starts when given, and is deterministic', () => {
    const runs = syntheticRuns((N, D) => chinchillaLoss(EPOCH, N, D), 50, { seed: 4, sigma: 0.005 });
    const a = fitChinchilla(runs);
    const b = fitChinchilla(runs);
    expect(b).toEqual(a);
    const warm = fitChinchilla(runs, { starts: [a.log] });
    expect(warm.starts).toBe(1);
    expect(warm.objective).toBeCloseTo(a.objective, 15);
  });

  it('names bad input', () => {
    expect(() => fitChinchilla([{ N: 1, D: 1, loss: 1 }])).toThrow(/at least 5 runs, got 1/);
    const runs = syntheticRuns((N, D) => chinchillaLoss(EPOCH, N, D), 6);
    runs[3] = { ...runs[3], D: -1 };
    expect(() => fitChinchilla(runs)).toThrow(/run 3: D must be a positive number, got -1/);
  });
});
