/**
 * Sparse curves: a step log with `"sparse": true` holds one record per evaluation (a
 * held-out loss every few hundred steps, say) instead of one per training step. Each
 * evaluation is one fitting point, so the fitter must neither subsample it again nor smooth
 * it over a window meant for thousands of steps. These helpers give the per-domain view and
 * the settings that follow from it.
 */
import type { StepLogHistory } from './toDomainHistory.js';

/** The Savitzky–Golay window of a dense fit (fitDomains' default), the largest a sparse fit uses. */
export const DENSE_WINDOW = 101;
/** The smallest window a cubic Savitzky–Golay smoother can use (order 3 needs 5 points). */
export const MIN_SPARSE_WINDOW = 5;

/**
 * The smoothing window, in points, for a sparse curve of `points` evaluations: the largest
 * odd number ≤ points/5, kept in [5, 101]. 24 evaluations → 5, 100 → 19, ≥ 505 → 101.
 * (The smoother shrinks it further when a curve is shorter than the window.)
 */
export function sparseWindow(points: number): number {
  let w = Math.floor(points / 5);
  if (w % 2 === 0) w--;
  return Math.max(MIN_SPARSE_WINDOW, Math.min(DENSE_WINDOW, w));
}

/** What a fit of a sparse curve of `points` evaluations uses: every point, a window in points. */
export function sparseFitSettings(points: number): { subsample: 1; window: number } {
  return { subsample: 1, window: sparseWindow(points) };
}

/** How many rows of the history have a loss for each domain (its evaluations, in a sparse log). */
export function evaluationsPerDomain(history: StepLogHistory): Int32Array {
  const K = history.loss.length;
  const out = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    const loss = history.loss[k];
    const count = history.count[k];
    for (let t = 0; t < history.steps; t++) if (count[t] > 0 && !Number.isNaN(loss[t])) out[k]++;
  }
  return out;
}

/**
 * Domain k's evaluations alone, as a history of its own: one row per record where k has a
 * loss, through its last one. Every domain's counts of the rows in between are added into
 * the next kept row, so cumulative counts (same-step and per-domain) are those of the full
 * log at each kept row; the other domains' losses are kept where their record is kept.
 * `rows[i]` is the row of the full history that kept row i comes from.
 */
export function evaluationHistory(history: StepLogHistory, k: number): { history: StepLogHistory; rows: Int32Array } {
  const K = history.loss.length;
  if (!Number.isInteger(k) || k < 0 || k >= K) throw new Error(`evaluationHistory: domain ${k} is not in [0, ${K})`);
  const own = history.loss[k];
  const ownCount = history.count[k];
  const kept: number[] = [];
  for (let t = 0; t < history.steps; t++) if (ownCount[t] > 0 && !Number.isNaN(own[t])) kept.push(t);
  const E = kept.length;
  const loss = Array.from({ length: K }, () => new Float64Array(E).fill(NaN));
  const count = Array.from({ length: K }, () => new Float64Array(E));
  const stepAt = new Float64Array(E);
  let from = 0;
  kept.forEach((t, i) => {
    for (let j = 0; j < K; j++) {
      let c = 0;
      for (let s = from; s <= t; s++) c += history.count[j][s];
      count[j][i] = c;
      loss[j][i] = history.loss[j][t];
    }
    stepAt[i] = history.stepAt !== undefined ? history.stepAt[t] : history.startStep + t;
    from = t + 1;
  });
  return {
    history: { steps: E, loss, count, startStep: E > 0 ? stepAt[0] : history.startStep, stepAt },
    rows: Int32Array.from(kept),
  };
}
