/**
 * Causal multi-head self-attention (Vaswani et al. 2017) as GPT-2 computes it: one
 * projection to queries, keys and values, H heads of width h = d/H, each position
 * attending to itself and the positions before it, and an output projection.
 *
 *     [Q K V] = x·W_qkv + b_qkv,   A_j = softmax(Q_j·K_jᵀ/√h + M)·V_j,   y = [A_1 … A_H]·W_o + b_o
 *
 * with the mask M_st = 0 for s ≥ t and −10⁹ above the diagonal. tf.softmax subtracts each
 * row's maximum (a visible entry: the diagonal always is), so a masked score becomes
 * exp(−10⁹ − max) = 0 exactly and a later token changes nothing before it, bit for bit.
 * A finite −10⁹ rather than −∞ keeps inf out of every kernel (and of fast-math GPU code).
 * Products are `batchMatMul` (src/tfjs/ops.ts): gradients without transposed matmuls.
 */
import * as tf from '@tensorflow/tfjs';
import { batchMatMul, dense } from '../tfjs/ops.js';

/** The masked-score value: far below any real score, and finite. */
export const MASKED_SCORE = -1e9;

export interface AttentionWeights {
  /** [d, 3d]: the query, key and value projections side by side (GPT-2's `c_attn`). */
  wqkv: tf.Tensor2D;
  bqkv: tf.Tensor1D;
  /** [d, d]: the output projection (GPT-2's `c_proj`). */
  wo: tf.Tensor2D;
  bo: tf.Tensor1D;
}

/** The additive mask M [T,T]: 0 on and below the diagonal, MASKED_SCORE above it. */
export function causalMaskBias(time: number): tf.Tensor2D {
  const m = new Float32Array(time * time);
  for (let s = 0; s < time; s++) for (let t = s + 1; t < time; t++) m[s * time + t] = MASKED_SCORE;
  return tf.tensor2d(m, [time, time]);
}

/**
 * Attention over x [B·T, d] (B sequences of T positions, row b·T + t), mask [T,T] from
 * `causalMaskBias`. Returns [B·T, d].
 */
export function causalSelfAttention(x: tf.Tensor2D, w: AttentionWeights, batch: number, time: number, heads: number, mask: tf.Tensor2D): tf.Tensor2D {
  const d = x.shape[1];
  const h = d / heads;
  // Q, K, V as three products with column blocks of W_qkv (slices of the [d, 3d] weight,
  // d² values each) rather than one product split afterwards: splitting the [B·T, 3d]
  // activations is a strided copy, slow on cpu. Forward + backward measured, B·T = 1024,
  // d = 64: cpu 295 vs 442 ms, wasm 16.3 vs 16.3 ms (B·T = 4096, d = 256: 642 vs 652 ms).
  const project = (i: number): tf.Tensor2D => dense(x, tf.slice(w.wqkv, [0, i * d], [d, d]), tf.slice(w.bqkv, [i * d], [d]));
  const [q, k, v] = [project(0), project(1), project(2)];
  // Per head: Q, V [B·H, T, h] and Kᵀ [B·H, h, T] (transposed once here, so the score
  // product is a plain one); Q is scaled before the product (B·T·d values, not the
  // B·H·T·T scores).
  const perHead = (t: tf.Tensor2D, perm: number[], shape: [number, number, number]): tf.Tensor3D =>
    tf.reshape(tf.transpose(tf.reshape(t, [batch, time, heads, h]), perm), shape) as tf.Tensor3D;
  const qh = perHead(tf.mul(q, 1 / Math.sqrt(h)) as tf.Tensor2D, [0, 2, 1, 3], [batch * heads, time, h]);
  const kt = perHead(k, [0, 2, 3, 1], [batch * heads, h, time]);
  const vh = perHead(v, [0, 2, 1, 3], [batch * heads, time, h]);
  const probs = tf.softmax(tf.add(batchMatMul(qh, kt), mask)) as tf.Tensor3D;
  const heads4 = tf.reshape(batchMatMul(probs, vh), [batch, heads, time, h]);
  const y = tf.reshape(tf.transpose(heads4, [0, 2, 1, 3]), [batch * time, d]) as tf.Tensor2D;
  return dense(y, w.wo, w.bo);
}
