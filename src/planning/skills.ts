/**
 * Skill-wise compute-optimal scaling (Roberts et al. 2025, "Compute Optimal Scaling of
 * Skills: Knowledge vs Reasoning", arXiv 2503.10061).
 *
 * Each skill (a validation set: knowledge QA, code, …) gets its own Chinchilla-form fit
 * L_s(N, D); so does the aggregate (by default the mean loss over skills of each (N, D)
 * run). At each budget C the skill's optimum N*_s(C) is compared with the aggregate's:
 * ratio = N*_s / N*_agg > 1 + tolerance is "capacity-hungry" (knowledge QA in the paper),
 * < 1 − tolerance "data-hungry" (code), otherwise "balanced". The paper finds the gap
 * largest at low compute, and that the choice of validation set alone moves N* by up to
 * ~50%. When the runs come in IsoFLOP groups, each skill also gets the IsoFLOP estimate
 * (parabola per budget, power law across budgets; see isoFlop.ts).
 */
import type { ChinchillaFit, FitChinchillaOptions } from './fitChinchilla.js';
import { fitChinchilla } from './fitChinchilla.js';
import { chinchillaOptimum, type ComputeOptimum } from './computeOptimal.js';
import { UnidentifiableLawError } from './identifiability.js';
import { isoFlopAnalysis, type IsoFlopAnalysis } from './isoFlop.js';
import type { ScalingRun } from './scalingRun.js';

export type SkillLabel = 'capacity-hungry' | 'data-hungry' | 'balanced';

export interface SkillOptimum extends ComputeOptimum {
  /** N*_skill / N*_aggregate at this budget. */
  ratioN: number;
  /** D*_skill / D*_aggregate at this budget. */
  ratioD: number;
  label: SkillLabel;
}

export interface SkillResult {
  skill: string;
  runs: number;
  fit: ChinchillaFit;
  optima: SkillOptimum[];
  /** The label shared by every budget, or 'mixed'. */
  label: SkillLabel | 'mixed';
  /** IsoFLOP estimate; its groups carry the skill's N* per budget. */
  isoFlop: IsoFlopAnalysis;
}

export interface SkillAnalysis {
  budgets: number[];
  aggregate: {
    /** The skill used as the aggregate, or 'mean' for the mean over skills. */
    name: string;
    runs: number;
    fit: ChinchillaFit;
    optima: ComputeOptimum[];
    isoFlop: IsoFlopAnalysis;
  };
  skills: SkillResult[];
}

export interface SkillAnalysisOptions {
  /** Compute budgets (FLOP) to compare at. */
  budgets: readonly number[];
  /** A skill to use as the aggregate instead of the mean over skills. */
  aggregate?: string;
  /** Relative band around ratio 1 labelled 'balanced'. Default 0.05. */
  tolerance?: number;
  /** IsoFLOP grouping tolerance. Default 0.05. */
  isoFlopTolerance?: number;
  fit?: FitChinchillaOptions;
}

export function labelRatio(ratioN: number, tolerance: number): SkillLabel {
  if (ratioN > 1 + tolerance) return 'capacity-hungry';
  if (ratioN < 1 - tolerance) return 'data-hungry';
  return 'balanced';
}

/** Mean loss over skills of every (N, D) that has all skills; other runs are left out. */
export function meanOverSkills(runs: readonly ScalingRun[], skills: readonly string[]): ScalingRun[] {
  const byRun = new Map<string, { N: number; D: number; losses: Map<string, number[]> }>();
  for (const r of runs) {
    const key = `${r.N}|${r.D}`;
    let e = byRun.get(key);
    if (!e) byRun.set(key, (e = { N: r.N, D: r.D, losses: new Map() }));
    const s = r.skill ?? '';
    const list = e.losses.get(s) ?? [];
    list.push(r.loss);
    e.losses.set(s, list);
  }
  const out: ScalingRun[] = [];
  for (const e of byRun.values()) {
    if (!skills.every((s) => e.losses.has(s))) continue;
    // Repeated runs of a skill count once (their mean), so every skill weighs the same.
    const per = skills.map((s) => {
      const l = e.losses.get(s)!;
      return l.reduce((a, b) => a + b, 0) / l.length;
    });
    out.push({ N: e.N, D: e.D, loss: per.reduce((a, b) => a + b, 0) / per.length });
  }
  return out;
}

/** Fits every skill and the aggregate, and compares their compute-optimal allocations. */
export function analyzeSkills(runs: readonly ScalingRun[], options: SkillAnalysisOptions): SkillAnalysis {
  const budgets = [...options.budgets];
  if (budgets.length === 0) throw new Error('analyzeSkills: give at least one compute budget');
  const tol = options.tolerance ?? 0.05;
  const isoOpts = { tolerance: options.isoFlopTolerance ?? 0.05 };
  const bySkill = new Map<string, ScalingRun[]>();
  for (const r of runs) {
    if (r.skill === undefined || r.skill === '') throw new Error('analyzeSkills: every run needs a skill');
    const list = bySkill.get(r.skill) ?? [];
    list.push(r);
    bySkill.set(r.skill, list);
  }
  let aggRuns: ScalingRun[];
  let aggName: string;
  if (options.aggregate !== undefined) {
    const a = bySkill.get(options.aggregate);
    if (!a) throw new Error(`analyzeSkills: aggregate skill "${options.aggregate}" has no runs (skills: ${[...bySkill.keys()].join(', ')})`);
    aggRuns = a;
    aggName = options.aggregate;
    bySkill.delete(options.aggregate);
  } else {
    aggRuns = meanOverSkills(runs, [...bySkill.keys()]);
    aggName = 'mean';
  }
  if (bySkill.size === 0) throw new Error('analyzeSkills: no skills besides the aggregate');
  for (const [name, rs] of [...bySkill.entries(), [aggName, aggRuns] as const]) {
    if (rs.length >= 5) continue;
    throw new Error(
      name === 'mean' && options.aggregate === undefined
        ? `analyzeSkills: only ${rs.length} (N, D) have a loss for every skill; the mean over skills needs at least 5 for a Chinchilla fit`
        : `analyzeSkills: skill "${name}" has ${rs.length} runs; a Chinchilla fit needs at least 5`,
    );
  }
  // A fit its runs do not determine has no meaningful optimum to compare: refuse it.
  const fitSkill = (rs: ScalingRun[], subject: string): ChinchillaFit => {
    const fit = fitChinchilla(rs, options.fit);
    if (!fit.identifiable) throw new UnidentifiableLawError('analyzeSkills', 'plan', `the fitted law of ${subject}`, fit.unidentifiable);
    return fit;
  };
  const aggFit = fitSkill(aggRuns, aggName === 'mean' ? 'the mean over skills' : `skill "${aggName}"`);
  const aggOptima = budgets.map((C) => chinchillaOptimum(aggFit.law, C));
  const skills: SkillResult[] = [...bySkill.entries()].map(([skill, rs]) => {
    const fit = fitSkill(rs, `skill "${skill}"`);
    const optima = budgets.map((C, i) => {
      const o = chinchillaOptimum(fit.law, C);
      const ratioN = o.N / aggOptima[i].N;
      return { ...o, ratioN, ratioD: o.D / aggOptima[i].D, label: labelRatio(ratioN, tol) };
    });
    const labels = new Set(optima.map((o) => o.label));
    return {
      skill,
      runs: rs.length,
      fit,
      optima,
      label: labels.size === 1 ? optima[0].label : 'mixed',
      isoFlop: isoFlopAnalysis(rs, isoOpts),
    };
  });
  return {
    budgets,
    aggregate: { name: aggName, runs: aggRuns.length, fit: aggFit, optima: aggOptima, isoFlop: isoFlopAnalysis(aggRuns, isoOpts) },
    skills,
  };
}
