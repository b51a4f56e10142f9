/**
 * A mixture trajectory summed into consecutive blocks, and the prefix sums that make any
 * run of blocks' squared error O(K).
 *
 * The trajectory w(t) ∈ ℝ^K, t = 0 … T−1, is stored row-major (w[t·K + k]); entry t stands
 * for m_t steps (default 1; a sparse log's record stands for the steps since the one
 * before). Block b covers entries [⌊b·T/B⌋, ⌊(b+1)·T/B⌋): B = min(maxBlocks, T) blocks of
 * ⌊T/B⌋ or ⌈T/B⌉ entries. Each block keeps its steps n_b = Σ m_t, its sum S_b = Σ m_t·x(t)
 * and its sum of squares Q_b = Σ m_t·‖x(t)‖², of the centred trajectory x(t) = w(t) − μ,
 * μ = Σ m_t·w(t) / Σ m_t the mean of all steps. Centring changes no segment's error (it
 * shifts w and its segment means alike) and keeps the prefix sums small, so that their
 * differences stay accurate at T = 10⁶ and beyond.
 *
 * The steps of blocks i … j−1 then have
 *
 *   SSE(i, j) = Σ m_t·‖x(t) − x̄‖² = (PQ_j − PQ_i) − ‖PS_j − PS_i‖² / (PN_j − PN_i),
 *
 * x̄ their mean, from the prefix sums PN, PS, PQ over blocks: exactly the error of one
 * stage holding those steps' mean mixture, within-block variation included.
 */

/** A trajectory's blocks as prefix sums: index j holds the sums over blocks 0 … j−1. */
export interface BlockPrefix {
  /** Number of domains K. */
  domains: number;
  /** Number of blocks B. */
  blocks: number;
  /** start[b]: the first entry of block b; start[B] = T. */
  start: Int32Array;
  /** PN_j: the steps (Σ m_t) of blocks 0 … j−1 (length B + 1). */
  count: Float64Array;
  /** PS_j, row-major (B + 1) × K: the centred sums. */
  sum: Float64Array;
  /** PQ_j: the centred sums of squares (length B + 1). */
  square: Float64Array;
  /** μ: the mean mixture of all steps (length K). */
  mean: Float64Array;
}

/** How far a step's weights may sum from 1 (the step log's tolerance). */
export const MIXTURE_SUM_TOLERANCE = 1e-5;

/**
 * T, the steps of a trajectory of T·K weights, after checking that every step is a
 * mixture: finite non-negative weights summing to 1 (± MIXTURE_SUM_TOLERANCE).
 */
export function trajectorySteps(weights: Float64Array, domains: number): number {
  if (!Number.isInteger(domains) || domains < 1) throw new Error(`trajectory: domains must be a positive integer, got ${domains}`);
  if (weights.length === 0) throw new Error('trajectory: it has no steps');
  if (weights.length % domains !== 0) {
    throw new Error(`trajectory: ${weights.length} weights are not whole steps of ${domains} domains`);
  }
  const T = weights.length / domains;
  for (let t = 0; t < T; t++) {
    let total = 0;
    for (let k = 0; k < domains; k++) {
      const w = weights[t * domains + k];
      if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`trajectory: step ${t}, domain ${k}: weight must be a finite number ≥ 0, got ${w}`);
      total += w;
    }
    if (Math.abs(total - 1) > MIXTURE_SUM_TOLERANCE) {
      throw new Error(`trajectory: step ${t}: weights must sum to 1 (±${MIXTURE_SUM_TOLERANCE}), they sum to ${total}`);
    }
  }
  return T;
}

/** m_t of every entry: `mass`, checked (finite, > 0, one per entry), or 1s. */
export function trajectoryMass(mass: Float64Array | undefined, T: number): Float64Array {
  if (mass === undefined) return new Float64Array(T).fill(1);
  if (mass.length !== T) throw new Error(`trajectory: mass has ${mass.length} entries for ${T} steps`);
  for (let t = 0; t < T; t++) {
    if (!(mass[t] > 0) || !Number.isFinite(mass[t])) throw new Error(`trajectory: step ${t}: mass must be a finite number > 0, got ${mass[t]}`);
  }
  return mass;
}

/** μ = Σ m_t·w(t) / Σ m_t. */
function meanMixture(weights: Float64Array, mass: Float64Array, K: number, T: number): Float64Array {
  const mean = new Float64Array(K);
  let total = 0;
  for (let t = 0; t < T; t++) {
    total += mass[t];
    for (let k = 0; k < K; k++) mean[k] += mass[t] * weights[t * K + k];
  }
  for (let k = 0; k < K; k++) mean[k] /= total;
  return mean;
}

/**
 * The block sums of `weights` (T·K, row-major; entry t standing for `mass[t]` steps, default
 * 1) in at most `maxBlocks` blocks, as prefix sums.
 */
export function blockPrefix(weights: Float64Array, domains: number, maxBlocks: number, mass?: Float64Array): BlockPrefix {
  const K = domains;
  const T = trajectorySteps(weights, K);
  const m = trajectoryMass(mass, T);
  if (!Number.isInteger(maxBlocks) || maxBlocks < 1) throw new Error(`trajectory: maxBlocks must be a positive integer, got ${maxBlocks}`);
  const B = Math.min(maxBlocks, T);
  const mean = meanMixture(weights, m, K, T);
  const start = new Int32Array(B + 1);
  const count = new Float64Array(B + 1);
  const sum = new Float64Array((B + 1) * K);
  const square = new Float64Array(B + 1);
  const blockSum = new Float64Array(K);
  for (let b = 0; b < B; b++) {
    const from = Math.floor((b * T) / B);
    const to = Math.floor(((b + 1) * T) / B);
    start[b] = from;
    blockSum.fill(0);
    let blockSteps = 0;
    let blockSquare = 0;
    for (let t = from; t < to; t++) {
      blockSteps += m[t];
      for (let k = 0; k < K; k++) {
        const x = weights[t * K + k] - mean[k];
        blockSum[k] += m[t] * x;
        blockSquare += m[t] * x * x;
      }
    }
    count[b + 1] = count[b] + blockSteps;
    square[b + 1] = square[b] + blockSquare;
    for (let k = 0; k < K; k++) sum[(b + 1) * K + k] = sum[b * K + k] + blockSum[k];
  }
  start[B] = T;
  return { domains: K, blocks: B, start, count, sum, square, mean };
}

/** SSE(i, j): the squared error of one stage over blocks i … j−1 holding their mean (≥ 0). */
export function segmentError(p: BlockPrefix, i: number, j: number): number {
  const K = p.domains;
  const n = p.count[j] - p.count[i];
  let norm = 0;
  for (let k = 0; k < K; k++) {
    const s = p.sum[j * K + k] - p.sum[i * K + k];
    norm += s * s;
  }
  const sse = p.square[j] - p.square[i] - norm / n;
  return sse > 0 ? sse : 0;
}
