/**
 * A step log turned into the per-domain series a report draws: weights, losses, counts,
 * held-out losses, cumulative counts, and the fitted laws (from the log's `params` lines,
 * or fitted here with fitDomains when the log has none).
 */
import { domainFitData, fitDiagnostics, fitDomains, type CountMode, type DomainFit, type FitDiagnostics, type PowerLawParams } from '../curves/index.js';
import { evaluationHistory, evaluationsPerDomain, sparseWindow, toDomainHistory, type StepLog, type StepLogHistory } from '../runlog/index.js';

export interface DomainLaw {
  params: PowerLawParams;
  /** Where the law comes from: the step of the log's last `params`, or the report's own fit. */
  source: 'log' | 'fit';
  /** Step the law was in force at (the log), or the last step (a fit). */
  step: number;
  /** Fit points (own fits only). */
  points?: number;
  /**
   * How well the law describes the curve (fitDiagnostics): an own fit's own, a log law's
   * against the points an own fit would use (dense logs only).
   */
  diagnostics?: FitDiagnostics;
}

export interface RunData {
  domains: string[];
  prior?: number[];
  unit: string;
  /** Global step of each row. */
  steps: Float64Array;
  /** weights[k][i] (NaN where the log has none). */
  weights: Float64Array[];
  hasWeights: boolean;
  /** loss[k][i], NaN where absent. */
  loss: Float64Array[];
  count: Float64Array[];
  /** evalLoss[k][i], NaN where not evaluated. */
  evalLoss: Float64Array[];
  hasEval: boolean;
  /** Cumulative examples of all domains through row i (same-step n). */
  cumTotal: Float64Array;
  /** Cumulative own examples of domain k through row i (per-domain n). */
  cumOwn: Float64Array[];
  laws: (DomainLaw | null)[];
  /** Why a domain has no law (refused fit, …). */
  lawNotes: (string | null)[];
  countMode: CountMode;
  skipped: number;
}

export interface RunDataOptions {
  /** How the laws' n is counted (default 'same-step', the ADO reference). */
  countMode?: CountMode;
  /** `log`: only the log's params; `fit`: always fit here; `auto` (default): the log's, else fit. */
  laws?: 'auto' | 'log' | 'fit';
  /** Steps ignored by an own fit (default min(500, steps/10); evaluations of a sparse log, default 0). */
  ignoreSteps?: number;
}

/**
 * A sparse log's own fits: each domain over its evaluations alone, every point kept, the
 * smoothing window in points (as `adomix fit` does).
 */
function fitSparse(history: StepLogHistory, countMode: CountMode, ignoreSteps: number): DomainFit[] {
  return Array.from(evaluationsPerDomain(history), (E, k) => {
    const own = evaluationHistory(history, k).history;
    return fitDomains(own, { countMode, ignoreSteps, subsample: 1, window: sparseWindow(Math.max(0, E - ignoreSteps)), domains: [k] })[0];
  });
}

export function runData(log: StepLog, options: RunDataOptions = {}): RunData {
  const K = log.header.domains.length;
  const R = log.records.length;
  if (R === 0) throw new Error('the step log has no steps to report');
  const steps = new Float64Array(R);
  const mk = (fill = 0) => Array.from({ length: K }, () => new Float64Array(R).fill(fill));
  const weights = mk(NaN);
  const loss = mk(NaN);
  const count = mk();
  const evalLoss = mk(NaN);
  const cumOwn = mk();
  const cumTotal = new Float64Array(R);
  const lastParams: (DomainLaw | null)[] = new Array<DomainLaw | null>(K).fill(null);
  let hasWeights = false;
  let hasEval = false;
  let total = 0;
  const own = new Float64Array(K);
  log.records.forEach((r, i) => {
    steps[i] = r.step;
    for (let k = 0; k < K; k++) {
      const l = r.loss[k];
      loss[k][i] = l === null ? NaN : l;
      count[k][i] = r.count[k];
      total += r.count[k];
      own[k] += r.count[k];
      cumOwn[k][i] = own[k];
      if (r.weights) weights[k][i] = r.weights[k];
      const e = r.evalLoss?.[k];
      if (e !== undefined && e !== null) {
        evalLoss[k][i] = e;
        hasEval = true;
      }
      const p = r.params?.[k];
      if (p) lastParams[k] = { params: { a: p[0], e: p[1], alpha: p[2] }, source: 'log', step: r.step };
    }
    if (r.weights) hasWeights = true;
    cumTotal[i] = total;
  });

  const countMode = options.countMode ?? 'same-step';
  const mode = options.laws ?? 'auto';
  let laws: (DomainLaw | null)[] = mode === 'fit' ? new Array<DomainLaw | null>(K).fill(null) : lastParams;
  const lawNotes: (string | null)[] = new Array<string | null>(K).fill(null);
  const needFit = mode === 'fit' || (mode === 'auto' && lastParams.every((p) => p === null));
  if (needFit) {
    laws = new Array<DomainLaw | null>(K).fill(null);
    const history = toDomainHistory(log);
    const sparse = log.header.sparse === true;
    const ignoreSteps = options.ignoreSteps ?? (sparse ? 0 : Math.min(500, Math.floor(history.steps / 10)));
    const fits = sparse ? fitSparse(history, countMode, ignoreSteps) : fitDomains(history, { countMode, ignoreSteps });
    for (const f of fits) {
      if (f.ok) {
        laws[f.domain] = { params: { ...f.fit.params }, source: 'fit', step: steps[R - 1], points: f.fit.points, diagnostics: f.diagnostics };
      } else {
        lawNotes[f.domain] = f.reason;
      }
    }
  } else {
    for (let k = 0; k < K; k++) if (!laws[k]) lawNotes[k] = 'no params for this domain in the step log';
    if (log.header.sparse !== true) logLawDiagnostics(log, laws, countMode, options.ignoreSteps);
  }

  return {
    domains: [...log.header.domains],
    prior: log.header.prior ? [...log.header.prior] : undefined,
    unit: log.header.unit,
    steps,
    weights,
    hasWeights,
    loss,
    count,
    evalLoss,
    hasEval,
    cumTotal,
    cumOwn,
    laws,
    lawNotes,
    countMode,
    skipped: log.skipped,
  };
}

/** Diagnostics of the log's laws against the points an own fit would use (a domain with too few: none). */
function logLawDiagnostics(log: StepLog, laws: (DomainLaw | null)[], countMode: CountMode, ignore: number | undefined): void {
  const history = toDomainHistory(log);
  const ignoreSteps = ignore ?? Math.min(500, Math.floor(history.steps / 10));
  laws.forEach((law, k) => {
    if (law === null) return;
    const d = domainFitData(history, k, { countMode, ignoreSteps });
    if (d.reason === undefined) law.diagnostics = fitDiagnostics(d.n, d.loss, law.params);
  });
}

/** The n a law of domain k is evaluated at for row i, per the count mode. */
export function lawCount(data: RunData, k: number, i: number): number {
  return data.countMode === 'same-step' ? data.cumTotal[i] : data.cumOwn[k][i];
}
