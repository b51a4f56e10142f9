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
 * With `capacities` (a grid of σ ≥ 0) the curve also gets the simulator's capacity term
 * σ_k·ln(1/(K·w_k)) (types.ts; a static run's recent share is its mixture), fitted over that
 * grid too: the data term's gap between two mixtures shrinks as N^(−α) while the capacity
 * term's stays, which is what tells them apart (weakly when α is small: read the fitted σ with
 * the grid's step in mind).
 *
 * `trainingNoise` measures the simulator's per-example noise from a run's training losses.
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
  /** σ_k of the capacity term (0 unless fitted with `capacities`). */
  capacity?: number;
  /** Root-mean-square error of the fit over every evaluation of every run (nats). */
  rmse: number;
}

export interface CalibrateOptions {
  /** n0 (100, the simulator's default offset). */
  offset?: number;
  /** Evaluations before this step are left out (the warm-up; default 0). */
  fromStep?: number;
  /** Grid of capacity σ to fit over (default [0]: no capacity term); e.g. CAPACITY_GRID. */
  capacities?: readonly number[];
}

/** σ = 0, 0.05, … 1 nats per e-fold of share. */
export const CAPACITY_GRID: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20);

const ALPHAS = Array.from({ length: 200 }, (_, i) => 0.01 * (i + 1)); // 0.01 … 2
const TRANSFERS = Array.from({ length: 21 }, (_, i) => i / 20); // 0, 0.05, … 1

/** Fits every domain's curve and transfer to the runs (at least two different mixtures identify the transfer). */
export function calibrateCurves(runs: readonly StaticRunCurves[], options: CalibrateOptions = {}): CalibratedCurve[] {
  if (runs.length === 0) throw new Error('calibrateCurves: no runs');
  const K = runs[0].weights.length;
  const n0 = options.offset ?? 100;
  const from = options.fromStep ?? 0;
  const capacities = options.capacities ?? [0];
  const points = runs.flatMap((r, i) => {
    if (r.weights.length !== K) throw new Error(`calibrateCurves: runs[${i}] has ${r.weights.length} weights, runs[0] has ${K}`);
    return r.evals.filter((e) => e.step >= from).map((e) => ({ run: r, N: r.batchSize * (e.step + 1), loss: e.loss }));
  });
  if (points.length < 3) throw new Error(`calibrateCurves: ${points.length} evaluations from step ${from} on; need at least 3`);
  const P = points.length;
  const y = new Float64Array(P);
  const yData = new Float64Array(P);
  // x at every (c, α) node, per domain: computed once, read at every σ of the grid.
  const xs = new Float64Array(TRANSFERS.length * ALPHAS.length * P);
  const ones = new Float64Array(P).fill(1);
  const out: CalibratedCurve[] = [];
  for (let k = 0; k < K; k++) {
    points.forEach((p, i) => {
      y[i] = p.loss[k];
      if (!Number.isFinite(y[i])) throw new Error(`calibrateCurves: domain ${k}: a held-out loss is ${y[i]}`);
    });
    TRANSFERS.forEach((c, ci) =>
      ALPHAS.forEach((alpha, ai) => {
        const at = (ci * ALPHAS.length + ai) * P;
        points.forEach((p, i) => {
          const own = p.run.weights[k] * p.N;
          xs[at + i] = Math.pow(own + c * (p.N - own) + n0, -alpha);
        });
      }),
    );
    let best: CalibratedCurve = { epsilon: NaN, beta: NaN, alpha: NaN, transfer: NaN, rmse: Infinity };
    let bestSse = Infinity;
    for (const sigma of capacities) {
      // What is left for the data term once the capacity term σ·ln(1/(K·w_k)) is taken off.
      points.forEach((p, i) => (yData[i] = y[i] - (sigma === 0 ? 0 : sigma * Math.log(1 / (K * p.run.weights[k])))));
      for (let ci = 0; ci < TRANSFERS.length; ci++) {
        const c = TRANSFERS[ci];
        for (let ai = 0; ai < ALPHAS.length; ai++) {
          const alpha = ALPHAS[ai];
          const x = xs.subarray((ci * ALPHAS.length + ai) * P, (ci * ALPHAS.length + ai + 1) * P);
          const [epsilon, beta] = boxWls(x, yData, ones, 0, Infinity, 0, Infinity);
          let sse = 0;
          for (let i = 0; i < x.length; i++) sse += (epsilon + beta * x[i] - yData[i]) ** 2;
          if (sse < bestSse) {
            bestSse = sse;
            best = { epsilon, beta, alpha, transfer: c, capacity: sigma, rmse: 0 };
          }
        }
      }
    }
    best.rmse = Math.sqrt(bestSse / points.length);
    out.push(best);
  }
  return out;
}

/**
 * A scenario spec from calibrated curves: the prior, the budget, transfer c_k into each domain
 * from every other, the capacity σ_k where fitted, and per-domain noise where given.
 */
export function calibratedScenario(
  name: string,
  domains: readonly string[],
  prior: ArrayLike<number>,
  curves: readonly CalibratedCurve[],
  budget: { steps: number; batchSize: number; offset?: number; noise?: ArrayLike<number> },
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
      ...(curves[k].capacity ? { capacity: curves[k].capacity } : {}),
      ...(budget.noise ? { noise: budget.noise[k] } : {}),
    })),
    transfer: Array.from({ length: K }, (_, k) => Array.from({ length: K }, (_, j) => (j === k ? 1 : curves[k].transfer))),
  };
}

/** One training step of a run: per-domain mean loss (NaN where absent) and examples. */
export interface TrainingStep {
  loss: ArrayLike<number>;
  count: ArrayLike<number>;
}

/**
 * Per-domain relative noise of ONE example's training loss, as the simulator models it
 * (a step's mean over c examples has relative spread noise/√c): the spread of
 * √c·(ℓ − ℓ̄)/ℓ̄ over the steps where the domain is present, ℓ̄ the mean of the `window`
 * present steps around each (centred), corrected for ℓ̄ including ℓ. Slow drift of the curve hardly enters a window of
 * 51 steps; a domain present fewer than `window` times gives NaN.
 */
export function trainingNoise(steps: readonly TrainingStep[], window = 51): Float64Array {
  if (steps.length === 0) throw new Error('trainingNoise: no steps');
  if (!Number.isInteger(window) || window < 3 || window % 2 === 0) throw new Error(`trainingNoise: window must be an odd integer ≥ 3, got ${window}`);
  const K = steps[0].loss.length;
  const half = Math.floor(window / 2);
  const out = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const loss: number[] = [];
    const count: number[] = [];
    for (const s of steps) {
      if (s.count[k] > 0 && Number.isFinite(s.loss[k])) {
        loss.push(s.loss[k]);
        count.push(s.count[k]);
      }
    }
    if (loss.length < window) {
      out[k] = NaN;
      continue;
    }
    let sum = 0;
    let sq = 0;
    let m = 0;
    let windowSum = 0;
    for (let i = 0; i < window; i++) windowSum += loss[i];
    for (let i = half; i + half < loss.length; i++) {
      if (i > half) windowSum += loss[i + half] - loss[i - half - 1];
      const mean = windowSum / window;
      const z = (Math.sqrt(count[i]) * (loss[i] - mean)) / mean;
      sum += z;
      sq += z * z;
      m++;
    }
    // The window's mean includes the step itself, which shrinks the spread by √(1 − 1/window).
    out[k] = Math.sqrt(Math.max(0, sq / m - (sum / m) ** 2) / (1 - 1 / window));
  }
  return out;
}
