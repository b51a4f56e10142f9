import { describe, expect, it } from 'vitest';
import { chinchillaLoss, type ChinchillaLaw } from '../../src/planning/chinchillaLaw.js';
import { chinchillaOptimum } from '../../src/planning/computeOptimal.js';
import { groupIsoFlop, isoFlopAnalysis } from '../../src/planning/isoFlop.js';
import type { ScalingRun } from '../../src/planning/scalingRun.js';
import { analyzeSkills, labelRatio, meanOverSkills } from '../../src/planning/skills.js';
import { Rng } from '../../src/random/index.js';
import { relErr } from './synthetic.js';

// Knowledge: a large parameter term (capacity-hungry). Code: a large data term (data-hungry).
const KNOWLEDGE: ChinchillaLaw = { E: 1.5, A: 900, B: 300, alpha: 0.34, beta: 0.28 };
const CODE: ChinchillaLaw = { E: 0.9, A: 250, B: 1200, alpha: 0.34, beta: 0.3 };
const CHIN: ChinchillaLaw = { E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 };

/** IsoFLOP design: at each budget, 9 sizes spaced ×e^0.35 around `centre(C)`. */
function isoRuns(laws: Record<string, ChinchillaLaw>, budgets: number[], centre: (C: number) => number, sigma = 0, seed = 1): ScalingRun[] {
  const rng = new Rng(seed);
  const runs: ScalingRun[] = [];
  for (const C of budgets) {
    for (let k = -4; k <= 4; k++) {
      const N = centre(C) * Math.exp(0.35 * k);
      const D = C / (6 * N);
      for (const [skill, law] of Object.entries(laws)) {
        runs.push({ N, D, loss: chinchillaLoss(law, N, D) * Math.exp(sigma * rng.normal()), skill });
      }
    }
  }
  return runs;
}

describe('IsoFLOP method', () => {
  const budgets = [1e18, 3e18, 1e19, 3e19, 1e20, 3e20];

  it('groups runs of equal 6ND', () => {
    const runs = isoRuns({ x: CHIN }, [1e18, 1e19], (C) => Math.sqrt(C / 120));
    const groups = groupIsoFlop(runs);
    expect(groups.map((g) => g.length)).toEqual([9, 9]);
    expect(groupIsoFlop([...runs, { N: 1, D: 1e18 / 6 * 1.2, loss: 3 }]).length).toBe(3);
  });

  it('finds each budget\'s optimum and the frontier exponent β/(α+β)', () => {
    const runs = isoRuns({ x: CHIN }, budgets, (C) => chinchillaOptimum(CHIN, C).N);
    const iso = isoFlopAnalysis(runs);
    expect(iso.groups).toHaveLength(budgets.length);
    for (const g of iso.groups) {
      expect(g.status).toBe('ok');
      expect(g.sizes).toBe(9);
      // A parabola in log N approximates the true valley closely when centred on it.
      expect(relErr(g.N, chinchillaOptimum(CHIN, g.compute).N)).toBeLessThan(0.05);
      expect(g.D).toBeCloseTo(g.compute / (6 * g.N), -Math.floor(Math.log10(g.D)) + 8);
    }
    expect(iso.frontier!.groups).toBe(budgets.length);
    expect(iso.frontier!.exponent).toBeCloseTo(0.28 / 0.62, 2);
  });

  it('flags budgets whose minimum lies outside the sizes tried, and skips them in the frontier', () => {
    const runs = isoRuns({ x: CHIN }, budgets, (C) => 8 * chinchillaOptimum(CHIN, C).N);
    const iso = isoFlopAnalysis(runs);
    expect(iso.groups.every((g) => g.status === 'extrapolated')).toBe(true);
    expect(iso.frontier).toBeNull();
    const two: ScalingRun[] = [{ N: 1e8, D: 1e9, loss: 3 }, { N: 2e8, D: 5e8, loss: 3 }];
    expect(isoFlopAnalysis(two).groups[0].status).toBe('too-few-sizes');
  });
});

describe('skill-wise optima (Roberts et al.)', () => {
  const budgets = [1e18, 3e18, 1e19, 3e19, 1e20];
  const runs = isoRuns({ knowledge: KNOWLEDGE, code: CODE }, budgets, (C) => Math.sqrt(C / 120), 0.002, 5);

  it('labels knowledge capacity-hungry and code data-hungry, with each skill\'s own optimum', () => {
    const a = analyzeSkills(runs, { budgets: [1e20, 1e22] });
    expect(a.aggregate.name).toBe('mean');
    expect(a.aggregate.runs).toBe(45);
    const k = a.skills.find((s) => s.skill === 'knowledge')!;
    const c = a.skills.find((s) => s.skill === 'code')!;
    expect(k.label).toBe('capacity-hungry');
    expect(c.label).toBe('data-hungry');
    for (const [i, C] of [1e20, 1e22].entries()) {
      expect(k.optima[i].ratioN).toBeGreaterThan(1.05);
      expect(c.optima[i].ratioN).toBeLessThan(0.95);
      expect(k.optima[i].ratioN).toBeCloseTo(k.optima[i].N / a.aggregate.optima[i].N, 12);
      // Each skill's fitted optimum is close to its true law's.
      expect(relErr(k.optima[i].N, chinchillaOptimum(KNOWLEDGE, C).N)).toBeLessThan(0.2);
      expect(relErr(c.optima[i].N, chinchillaOptimum(CODE, C).N)).toBeLessThan(0.2);
    }
    expect(k.fit.converged && c.fit.converged && a.aggregate.fit.converged).toBe(true);
  });

  it('uses a named skill as the aggregate when asked', () => {
    const a = analyzeSkills(runs, { budgets: [1e21], aggregate: 'code' });
    expect(a.aggregate.name).toBe('code');
    expect(a.skills.map((s) => s.skill)).toEqual(['knowledge']);
    expect(() => analyzeSkills(runs, { budgets: [1e21], aggregate: 'math' })).toThrow(/aggregate skill "math" has no runs \(skills: knowledge, code\)/);
  });

  it('the mean over skills keeps only (N, D) with every skill', () => {
    const m = meanOverSkills(
      [
        { N: 1, D: 2, loss: 2, skill: 'a' },
        { N: 1, D: 2, loss: 4, skill: 'b' },
        { N: 3, D: 4, loss: 1, skill: 'a' },
      ],
      ['a', 'b'],
    );
    expect(m).toEqual([{ N: 1, D: 2, loss: 3 }]);
  });

  it('labels ratios with a tolerance band', () => {
    expect(labelRatio(1.2, 0.05)).toBe('capacity-hungry');
    expect(labelRatio(0.8, 0.05)).toBe('data-hungry');
    expect(labelRatio(1.03, 0.05)).toBe('balanced');
  });

  it('names missing skills and tiny skills', () => {
    expect(() => analyzeSkills([{ N: 1, D: 1, loss: 1 }], { budgets: [1] })).toThrow('analyzeSkills: every run needs a skill');
    const few = runs.filter((r) => r.skill === 'knowledge' || r.N < 5e7);
    expect(() => analyzeSkills(few, { budgets: [1e21] })).toThrow(/skill "code" has \d runs; a Chinchilla fit needs at least 5/);
    const disjoint = runs.map((r) => (r.skill === 'code' ? { ...r, N: r.N * 1.5 } : r));
    expect(() => analyzeSkills(disjoint, { budgets: [1e21] })).toThrow(
      'analyzeSkills: only 0 (N, D) have a loss for every skill; the mean over skills needs at least 5 for a Chinchilla fit',
    );
  });
});
