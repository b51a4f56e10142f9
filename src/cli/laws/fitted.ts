/** What `laws fit` and `laws plan` share: a fitted law with its fit statistics, and how they are printed. */
import { fitChinchilla, fitKaplan, type BootstrapResult, type ChinchillaFit, type KaplanFit, type ComputeOptimum, type ParamCounting, type PlanningLaw, type ScalingRun } from '../../planning/index.js';
import { count, num, table } from '../planningFormat.js';

export type Form = 'chinchilla' | 'kaplan';

/** The fit statistics printed with a law. */
export interface FitSummary {
  objective: number;
  converged: boolean;
  reason: string;
  gradNorm: number;
  iterations: number;
  starts: number;
  refined: number;
  minima: number;
  runs: number;
  /** Whether the runs determine the law (see src/planning/identifiability.ts); `converged` is the optimiser's verdict only. */
  identifiable: boolean;
  unidentifiable?: string;
  /** Condition number of the scaled Hessian at the optimum (null in JSON when singular). */
  condition: number;
}

export interface FittedLaw {
  law: PlanningLaw;
  fit: FitSummary;
  /** Chinchilla only: the fit's log parameters. */
  log?: { a: number; b: number; e: number; alpha: number; beta: number };
  /** The fitter's own result (the bootstrap starts from it). */
  raw: { form: 'chinchilla'; fit: ChinchillaFit } | { form: 'kaplan'; fit: KaplanFit };
}

export const FORMS: Record<Form, string> = {
  chinchilla: 'L(N, D) = E + A/N^α + B/D^β',
  kaplan: 'L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D',
};

export function fitLaw(runs: readonly ScalingRun[], form: Form, params: ParamCounting): FittedLaw {
  if (form === 'chinchilla') {
    const f = fitChinchilla(runs);
    return { law: { form, params, ...f.law }, fit: summary(f), log: f.log, raw: { form, fit: f } };
  }
  const f = fitKaplan(runs);
  return { law: { form, params, ...f.law }, fit: summary(f), raw: { form, fit: f } };
}

export function summary(f: FitSummary): FitSummary {
  const { objective, converged, reason, gradNorm, iterations, starts, refined, minima, runs, identifiable, unidentifiable, condition } = f;
  const out: FitSummary = { objective, converged, reason, gradNorm, iterations, starts, refined, minima, runs, identifiable, condition };
  return identifiable ? out : { ...out, unidentifiable };
}

/** The refusal to plan (or bound) with a law its runs do not determine. */
export function notIdentifiable(action: string, subject: string, reason: string | undefined): Error {
  return new Error(`cannot ${action}: ${subject} is not identifiable: ${reason}`);
}

/** Exponents of N_opt ∝ C^N and D_opt ∝ C^D under C = 6ND. */
export function exponents(law: PlanningLaw): { N: number; D: number } {
  const [a, b] = law.form === 'chinchilla' ? [law.beta, law.alpha] : [law.alphaD, law.alphaN];
  return { N: a / (a + b), D: b / (a + b) };
}

export function lawParams(law: PlanningLaw): [string, string, number][] {
  return law.form === 'chinchilla'
    ? [['E', 'E', law.E], ['A', 'A', law.A], ['B', 'B', law.B], ['α', 'alpha', law.alpha], ['β', 'beta', law.beta]]
    : [['N_c', 'Nc', law.Nc], ['D_c', 'Dc', law.Dc], ['α_N', 'alphaN', law.alphaN], ['α_D', 'alphaD', law.alphaD]];
}

export function countingText(p: ParamCounting): string {
  return p === 'total' ? 'total parameters' : 'non-embedding parameters';
}

export function fitLine(f: FitSummary): string {
  const steps = `‖∇f‖∞ = ${num(f.gradNorm, 2)} after ${f.iterations} iterations`;
  let state = f.converged ? `converged (${steps})` : `NOT converged: ${f.reason} (${steps})`;
  if (!f.identifiable) {
    state = `NOT IDENTIFIABLE (the optimiser ${f.converged ? 'stopped at a zero gradient' : `did not converge: ${f.reason}`}, ${steps})`;
  }
  let out =
    `fit: summed Huber (δ = 1e-3) ${num(f.objective)} · ${state} · ${f.starts} starts evaluated, ${f.refined} refined, ` +
    `${f.minima} distinct optim${f.minima === 1 ? 'um' : 'a'}\n`;
  if (!f.identifiable) {
    out += `not identifiable: ${f.unidentifiable}; the law above is one of many that fit the runs equally well, do not plan with it\n`;
  }
  return out;
}

export function exponentsValid(law: PlanningLaw): boolean {
  return law.form === 'chinchilla' ? law.alpha > 0 && law.beta > 0 : true;
}

export function nonPositiveExponent(law: PlanningLaw): string {
  const which = law.form === 'chinchilla' ? ` (alpha = ${num(law.alpha)}, beta = ${num(law.beta)})` : '';
  return `the law has a non-positive exponent${which}, so loss does not fall with N and D and there is no compute optimum`;
}

export function optimaTable(optima: readonly ComputeOptimum[], boot?: BootstrapResult | null): string {
  const head = ['compute (FLOP)', 'N_opt', 'D_opt', 'tokens/param', 'loss'];
  if (boot) head.push(`N_opt ${Math.round(boot.level * 100)}% interval`);
  return table(
    head,
    optima.map((p, i) => {
      const row = [num(p.compute), count(p.N), count(p.D), num(p.tokensPerParam), num(p.loss)];
      const ci = boot?.optimumN[i]?.interval;
      if (boot) row.push(ci ? `${count(ci.lo)} – ${count(ci.hi)}` : '—');
      return row;
    }),
  );
}
