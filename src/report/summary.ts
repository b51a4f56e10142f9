/**
 * The numbers of a run, per domain: what it was given (prior, weights), what it saw
 * (examples), where its losses ended, and its fitted law.
 */
import type { RunData } from './runData.js';

export interface DomainSummary {
  name: string;
  prior: number | null;
  /** Weight of the last step (null when the log has no weights). */
  finalWeight: number | null;
  meanWeight: number | null;
  examples: number;
  /** Share of all examples. */
  share: number;
  /** Mean observed training loss over the first / last `window` rows where present. */
  firstLoss: number | null;
  finalLoss: number | null;
  /** Last held-out loss, if any. */
  finalEvalLoss: number | null;
  epsilon: number | null;
  beta: number | null;
  alpha: number | null;
}

export interface RunSummary {
  steps: number;
  firstStep: number;
  lastStep: number;
  totalExamples: number;
  unit: string;
  /** Rows averaged for first/final loss. */
  window: number;
  domains: DomainSummary[];
  /** Mean over domains of the final training loss (domains with one). */
  meanFinalLoss: number | null;
  meanFinalEvalLoss: number | null;
}

function meanFinite(v: Float64Array, from: number, to: number): number | null {
  let s = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    if (Number.isFinite(v[i])) {
      s += v[i];
      n++;
    }
  }
  return n > 0 ? s / n : null;
}

function lastFinite(v: Float64Array): number | null {
  for (let i = v.length - 1; i >= 0; i--) if (Number.isFinite(v[i])) return v[i];
  return null;
}

export function summarize(data: RunData): RunSummary {
  const R = data.steps.length;
  const window = Math.max(1, Math.min(R, Math.ceil(R * 0.02)));
  const total = data.cumTotal[R - 1];
  const domains = data.domains.map((name, k): DomainSummary => {
    const law = data.laws[k];
    return {
      name,
      prior: data.prior ? data.prior[k] : null,
      finalWeight: data.hasWeights ? lastFinite(data.weights[k]) : null,
      meanWeight: data.hasWeights ? meanFinite(data.weights[k], 0, R) : null,
      examples: data.cumOwn[k][R - 1],
      share: total > 0 ? data.cumOwn[k][R - 1] / total : 0,
      firstLoss: meanFinite(data.loss[k], 0, window),
      finalLoss: meanFinite(data.loss[k], R - window, R),
      finalEvalLoss: data.hasEval ? lastFinite(data.evalLoss[k]) : null,
      epsilon: law ? Math.exp(law.params.e) : null,
      beta: law ? Math.exp(law.params.a) : null,
      alpha: law ? law.params.alpha : null,
    };
  });
  const mean = (xs: (number | null)[]): number | null => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  return {
    steps: R,
    firstStep: data.steps[0],
    lastStep: data.steps[R - 1],
    totalExamples: total,
    unit: data.unit,
    window,
    domains,
    meanFinalLoss: mean(domains.map((d) => d.finalLoss)),
    meanFinalEvalLoss: mean(domains.map((d) => d.finalEvalLoss)),
  };
}
