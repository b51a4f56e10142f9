/**
 * Calibrating the simulator to real runs: the true curves and the transfer of a scenario
 * fitted to the held-out curves of real static-mixture runs (e.g. natural and balanced).
 *
 * Per domain k, the simulator's curve with transfer c_k from every other domain:
 *
 *   L_k(t) = ε_k + β_k · (m_k + c_k·(N − m_k) + n0)^(−α_k),   m_k = w_k·N,  N = B·(t + 1)
 *
 * (w the run's static mixture, B its batch size, n0 the scenario offset). One static run
 * cannot tell own data from transfer (m_k and N − m_k grow in a fixed ratio); two runs with
 * different mixtures can. The fit is least squares in L: an exhaustive grid over (c, α) with
 * ε, β in closed form at each node (ε ≥ 0, β ≥ 0), so it has no start values to get wrong.
 *
 * Pure: numbers in, numbers out.
 */
import { boxWls } from '../curves/alphaScan.js';
import type { ScenarioSpec } from './scenarioSpec.js';

export interface StaticRunCurves {
  /** The run's mixture (one share per domain). */
  weights: ArrayLike<number>;
  batchSize: number;
  /** Held-out loss per domain after step `step` (0-based). */
  evals: readonly { step: number; loss: ArrayLike<number> }[];
}

export interface CalibratedCurve {
  epsilon: number;
  beta: number;
  alpha: number;
  /** c_k: what one example of any other domain is worth to this one (0 … 1). */
  transfer: number;
  /** Root-mean-square error of the fit over every evaluation of every run (nats). */
  rmse: number;
}

export interface CalibrateOptions {
  /** n0 (100, the simulator's default offset). */
  offset?: number;
  /** Evaluations before this step are left out (the warm-up; default 0). */
  fromStep?: number;
}

const ALPHAS = Array.from({ length: 200 }, (_, i) => 0.01 * (i + 1)); // 0.01 … 2
const TRANSFERS = Array.from({ length: 21 }, (_, i) => i / 20); // 0, 0.05, … 1

/** Fits every domain's curve and transfer to the runs (at least two different mixtures identify the transfer). */
export function calibrateCurves(runs: readonly StaticRunCurves[], options: CalibrateOptions = {}): CalibratedCurve[] {
  if (runs.length === 0) throw new Error('calibrateCurves: no runs');
  const K = runs[0].weights.length;
  const n0 = options.offset ?? 100;
  const from = options.fromStep ?? 0;
  const points = runs.flatMap((r, i) => {
    if (r.weights.length !== K) throw new Error(`calibrateCurves: runs[${i}] has ${r.weights.length} weights, runs[0] has ${K}`);
    return r.evals.filter((e) => e.step >= from).map((e) => ({ run: r, N: r.batchSize * (e.step + 1), loss: e.loss }));
  });
  if (points.length < 3) throw new Error(`calibrateCurves: ${points.length} evaluations from step ${from} on; need at least 3`);
  const x = new Float64Array(points.length);
  const y = new Float64Array(points.length);
  const ones = new Float64Array(points.length).fill(1);
  const out: CalibratedCurve[] = [];
  for (let k = 0; k < K; k++) {
    points.forEach((p, i) => {
      y[i] = p.loss[k];
      if (!Number.isFinite(y[i])) throw new Error(`calibrateCurves: domain ${k}: a held-out loss is ${y[i]}`);
    });
    let best: CalibratedCurve = { epsilon: NaN, beta: NaN, alpha: NaN, transfer: NaN, rmse: Infinity };
    let bestSse = Infinity;
    for (const c of TRANSFERS) {
      for (const alpha of ALPHAS) {
        points.forEach((p, i) => {
          const own = p.run.weights[k] * p.N;
          x[i] = Math.pow(own + c * (p.N - own) + n0, -alpha);
        });
        const [epsilon, beta] = boxWls(x, y, ones, 0, Infinity, 0, Infinity);
        let sse = 0;
        for (let i = 0; i < x.length; i++) sse += (epsilon + beta * x[i] - y[i]) ** 2;
        if (sse < bestSse) {
          bestSse = sse;
          best = { epsilon, beta, alpha, transfer: c, rmse: 0 };
        }
      }
    }
    best.rmse = Math.sqrt(bestSse / points.length);
    out.push(best);
  }
  return out;
}

/** A scenario spec from calibrated curves: the prior, the budget, transfer c_k into each domain from every other. */
export function calibratedScenario(
  name: string,
  domains: readonly string[],
  prior: ArrayLike<number>,
  curves: readonly CalibratedCurve[],
  budget: { steps: number; batchSize: number; offset?: number },
): ScenarioSpec {
  const K = domains.length;
  return {
    name,
    description: `calibrated to real static-mixture runs (${K} domains)`,
    steps: budget.steps,
    batchSize: budget.batchSize,
    offset: budget.offset ?? 100,
    domains: domains.map((d, k) => ({
      name: d,
      epsilon: curves[k].epsilon,
      beta: curves[k].beta,
      alpha: curves[k].alpha,
      prior: prior[k],
    })),
    transfer: Array.from({ length: K }, (_, k) => Array.from({ length: K }, (_, j) => (j === k ? 1 : curves[k].transfer))),
  };
}
