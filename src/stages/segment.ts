/**
 * A mixture trajectory compressed into piecewise-constant stages, the closest there are.
 *
 * Given the mixture w(t) ∈ ℝ^K a run drew each step t = 0 … T−1 with, choose N stages
 * (consecutive runs of steps, covering all of them) and give stage s the mean mixture
 * w̄_s of its steps, to minimise the total squared error
 *
 *   E = Σ_s Σ_{t ∈ s} m_t·‖w(t) − w̄_s‖²,   w̄_s = Σ_{t ∈ s} m_t·w(t) / Σ_{t ∈ s} m_t
 *
 * (m_t = 1 unless entry t stands for several steps, as a sparse log's record does). For
 * fixed stages the mean is the best constant, so each stage's mixture is exactly the data
 * the run drew in that span, by step. This is optimal 1-D segmentation, solved exactly by
 * dynamic programming: with F_m(j) the least error of covering the first j blocks with m
 * stages,
 *
 *   F_1(j) = SSE(0, j),   F_m(j) = min_{i < j} F_{m−1}(i) + SSE(i, j),   E* = F_N(B),
 *
 * SSE(i, j) costing O(K) from prefix sums (blocks.ts). To keep T = 10⁶ steps cheap the DP
 * runs on at most `maxBlocks` blocks of consecutive steps (default 2,000): stage boundaries
 * fall on block boundaries, and the work is O(N·B²·K). With T ≤ maxBlocks every step is its
 * own block and the optimum is over all segmentations. `minSteps` makes every stage hold at
 * least that many steps (Σ m_t).
 *
 * The stages are min(N, B): N ≥ T gives the trajectory itself, N = 1 the run's mean mixture.
 * Each stage's mixture and error are then computed from its steps directly (no prefix-sum
 * rounding), and the distance reported is RMS = √(E / Σ_t m_t), per step.
 */
import { blockPrefix, segmentError, trajectoryMass, type BlockPrefix } from './blocks.js';

export interface SegmentOptions {
  /** N, the number of stages asked for (≥ 1); the result has min(N, blocks) stages. */
  stages: number;
  /** The shortest stage, in steps (Σ m_t; default 1). */
  minSteps?: number;
  /** Aggregate the trajectory into at most this many blocks first (default 2,000). */
  maxBlocks?: number;
  /** m_t: the steps entry t stands for (finite, > 0; default 1 each). */
  mass?: Float64Array;
}

/** One stage: entries [start, end) of the trajectory, and the mixture it holds. */
export interface Stage {
  /** Index of its first entry (0-based, into the trajectory). */
  start: number;
  /** One past its last entry. */
  end: number;
  /** Its steps, Σ m_t (end − start without `mass`). */
  steps: number;
  /** The mean mixture of its steps (length K, sums to 1). */
  weights: Float64Array;
  /** Σ_{t ∈ stage} m_t·‖w(t) − weights‖². */
  sse: number;
  /** √(sse / steps): the stage's RMS distance to the trajectory. */
  rms: number;
}

export interface Segmentation {
  stages: Stage[];
  /** E: the total squared error of all stages. */
  sse: number;
  /** √(E / steps): the RMS distance per step of the stages to the trajectory. */
  rms: number;
  /** T, the trajectory's entries, and the steps they stand for (Σ m_t; T without `mass`). */
  length: number;
  steps: number;
  /** The blocks the DP ran on (candidate stage boundaries), and the longest block, in entries. */
  blocks: number;
  blockSize: number;
}

/** Default `maxBlocks`. */
export const DEFAULT_MAX_BLOCKS = 2000;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`segmentTrajectory: ${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * The DP: `from[m·(B+1) + j]` is the block where the last of m+1 stages covering blocks
 * 0 … j−1 starts, on an optimal path. Returns the optimal error and that table.
 *
 * The inner loop is SSE(i, j) of blocks.ts written out (the differences PS_j − PS_i taken
 * before squaring, which keeps them accurate however large the prefix sums grow).
 */
function optimalCuts(p: BlockPrefix, M: number, minSteps: number): { error: number; from: Int32Array } {
  const B = p.blocks;
  const K = p.domains;
  const { count, sum, square } = p;
  const from = new Int32Array(M * (B + 1)).fill(-1);
  let prev = new Float64Array(B + 1).fill(Infinity);
  let cur = new Float64Array(B + 1);
  for (let j = 1; j <= B; j++) {
    if (count[j] >= minSteps) {
      prev[j] = segmentError(p, 0, j);
      from[j] = 0;
    }
  }
  for (let m = 1; m < M; m++) {
    cur.fill(Infinity);
    const row = m * (B + 1);
    // Stage m+1 of M ends at block j: m stages before it and M − m − 1 after it, a block each at least.
    for (let j = m + 1; j <= B - (M - m - 1); j++) {
      let best = Infinity;
      let arg = -1;
      const jK = j * K;
      for (let i = m; i < j; i++) {
        const n = count[j] - count[i];
        if (n < minSteps) break; // shorter still for larger i
        const before = prev[i];
        if (before === Infinity) continue;
        let norm = 0;
        const iK = i * K;
        for (let k = 0; k < K; k++) {
          const d = sum[jK + k] - sum[iK + k];
          norm += d * d;
        }
        let sse = square[j] - square[i] - norm / n;
        if (sse < 0) sse = 0;
        const e = before + sse;
        if (e < best) {
          best = e;
          arg = i;
        }
      }
      cur[j] = best;
      from[row + j] = arg;
    }
    [prev, cur] = [cur, prev];
  }
  return { error: prev[B], from };
}

/** The stage boundaries (block indices 0 = c_0 < c_1 < … < c_M = B) on the optimal path. */
function backtrack(from: Int32Array, B: number, M: number): number[] {
  const cuts = new Array<number>(M + 1);
  cuts[M] = B;
  for (let m = M - 1; m >= 0; m--) cuts[m] = from[m * (B + 1) + cuts[m + 1]];
  return cuts;
}

/**
 * The stage over entries [start, end), from the entries themselves, so that its mixture
 * and error carry no prefix-sum rounding: the mean in two passes (the plain mean, then the
 * mean of the residuals added back, which cancels the first pass's summation error), then
 * the squared distances to it. A constant stretch has its value as mean and error 0.
 */
export function stageOf(weights: Float64Array, K: number, start: number, end: number, mass?: Float64Array): Stage {
  const m = (t: number): number => (mass === undefined ? 1 : mass[t]);
  let steps = 0;
  for (let t = start; t < end; t++) steps += m(t);
  const mean = new Float64Array(K);
  for (let t = start; t < end; t++) for (let k = 0; k < K; k++) mean[k] += m(t) * weights[t * K + k];
  for (let k = 0; k < K; k++) mean[k] /= steps;
  const correction = new Float64Array(K);
  for (let t = start; t < end; t++) for (let k = 0; k < K; k++) correction[k] += m(t) * (weights[t * K + k] - mean[k]);
  for (let k = 0; k < K; k++) mean[k] += correction[k] / steps;
  let sse = 0;
  for (let t = start; t < end; t++) {
    for (let k = 0; k < K; k++) {
      const d = weights[t * K + k] - mean[k];
      sse += m(t) * d * d;
    }
  }
  const total = mean.reduce((a, b) => a + b, 0);
  for (let k = 0; k < K; k++) mean[k] /= total;
  return { start, end, steps, weights: mean, sse, rms: Math.sqrt(sse / steps) };
}

/**
 * The N stages closest to a mixture trajectory (see the module comment). `weights` holds
 * T entries of K = `domains` weights, row-major; every entry must be a mixture.
 */
export function segmentTrajectory(weights: Float64Array, domains: number, options: SegmentOptions): Segmentation {
  const N = positiveInteger('stages', options.stages);
  const minSteps = positiveInteger('minSteps', options.minSteps ?? 1);
  const p = blockPrefix(weights, domains, positiveInteger('maxBlocks', options.maxBlocks ?? DEFAULT_MAX_BLOCKS), options.mass);
  const T = p.start[p.blocks];
  const mass = options.mass === undefined ? undefined : trajectoryMass(options.mass, T);
  const steps = p.count[p.blocks];
  const M = Math.min(N, p.blocks);
  if (M * minSteps > steps) {
    throw new Error(`segmentTrajectory: ${steps} steps cannot make ${M} stages of at least ${minSteps} steps (at most ${Math.floor(steps / minSteps)})`);
  }
  const { error, from } = optimalCuts(p, M, minSteps);
  let blockSize = 0;
  for (let b = 0; b < p.blocks; b++) blockSize = Math.max(blockSize, p.start[b + 1] - p.start[b]);
  if (error === Infinity) {
    throw new Error(
      `segmentTrajectory: no ${M} stages of at least ${minSteps} steps fit the block boundaries (${p.blocks} blocks of up to ${blockSize} steps); ` +
        'lower the number of stages or the minimum length, or allow more blocks',
    );
  }
  const cuts = backtrack(from, p.blocks, M);
  const stages = cuts.slice(0, M).map((c, s) => stageOf(weights, domains, p.start[c], p.start[cuts[s + 1]], mass));
  const sse = stages.reduce((e, s) => e + s.sse, 0);
  return { stages, sse, rms: Math.sqrt(sse / steps), length: T, steps, blocks: p.blocks, blockSize };
}
