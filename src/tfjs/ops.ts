/**
 * Matrix products whose gradients avoid transposed matmuls.
 *
 * tfjs's gradient of C = A·B asks for Aᵀ·dC and dC·Bᵀ through matMul's transpose flags.
 * The wasm backend runs those flags through a slow path (measured here: a 1536×512×256
 * product takes ~440 ms with `transposeA` and ~25 ms as an explicit transpose followed by
 * a plain product). These ops give the same gradients with explicit transposes.
 */
import * as tf from '@tensorflow/tfjs';

/** tf.customGrad's argument type (not re-exported by @tensorflow/tfjs). */
type CustomGradientFunc = Parameters<typeof tf.customGrad>[0];

const matMulGrad = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor2D[];
      return [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)];
    },
  };
}) as unknown as CustomGradientFunc);

/** a·b ([n,k]·[k,m]) with transpose-free gradients. */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return matMulGrad(a, b) as tf.Tensor2D;
}

/** x·W + b with transpose-free gradients. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const y = matMul(x, w);
  return b === undefined ? y : tf.add(y, b);
}

/**
 * Embedding lookup as a one-hot product, E[ids] = onehot(ids)·E, with the gradient
 * onehot(ids)ᵀ·dY for E only (ids get none). Same model as tf.gather, but its gradient
 * is a dense product rather than UnsortedSegmentSum, which is slow or missing on wasm/cpu.
 */
export function embed(ids: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  const vocab = table.shape[0];
  const f = tf.customGrad(((t: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const oneHot = tf.cast(tf.oneHot(ids, vocab), 'float32') as tf.Tensor2D;
    save([oneHot]);
    return {
      value: tf.matMul(oneHot, t),
      // dE = onehotᵀ·dY computed as (dYᵀ·onehot)ᵀ: transposing dY [N, d] and the small
      // [d, V] result is much cheaper than transposing the one-hot [N, V] (d ≪ V).
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => [tf.transpose(tf.matMul(tf.transpose(dy), saved[0] as tf.Tensor2D))],
    };
  }) as unknown as CustomGradientFunc);
  return f(table) as tf.Tensor2D;
}

const batchMatMulGrad = tf.customGrad(((a: tf.Tensor3D, b: tf.Tensor3D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor3D[];
      return [tf.matMul(dy, tf.transpose(sb, [0, 2, 1])), tf.matMul(tf.transpose(sa, [0, 2, 1]), dy)];
    },
  };
}) as unknown as CustomGradientFunc);

/** Batched a·b ([n,p,k]·[n,k,m] → [n,p,m]) with transpose-free gradients: `matMul` per batch entry. */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return batchMatMulGrad(a, b) as tf.Tensor3D;
}

const matMulTransposeBGrad = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, tf.transpose(b)),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor2D[];
      // dA = dY·B needs no transpose at all; dB = dYᵀ·A is computed as (Aᵀ·dY)ᵀ, which
      // transposes A [n,k] and the [k,m] result instead of dY [n,m] (m ≫ k for a tied head).
      return [tf.matMul(dy, sb), tf.transpose(tf.matMul(tf.transpose(sa), dy))];
    },
  };
}) as unknown as CustomGradientFunc);

/**
 * a·bᵀ ([n,k]·[m,k]ᵀ → [n,m]) with transpose-free gradients, for a head tied to an
 * embedding table b = E [V,d]: logits = h·Eᵀ. The forward pass transposes the table
 * explicitly. Measured on wasm, n = 1024, k = 64, m = 50257 (`npm run bench -- gpt-ops`):
 * logits 0.77 s this way, 6.3 s with `tf.matMul(a, b, false, true)`; dB 0.82 s as (Aᵀ·dY)ᵀ,
 * 1.4 s as transpose(dY)·A, 8.6 s with the transposeA flag. (On cpu the flags cost
 * nothing, and every variant takes 16–20 s.)
 */
export function matMulTransposeB(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return matMulTransposeBGrad(a, b) as tf.Tensor2D;
}

/**
 * Embedding lookup E[ids] ([V,d] table, N ids → [N,d]) by tf.gather, with the gradient
 * dE[v] = Σ_{i : ids_i = v} dY_i as one scatter-add (tf.scatterND sums repeated indices on
 * every backend). tf.gather's own gradient needs UnsortedSegmentSum, which wasm lacks and
 * cpu runs as one pass per vocabulary entry; the one-hot product of `embed` costs N·V·d
 * and an N×V tensor. Lookup + gradient measured for N = 1024, d = 64 (`npm run bench --
 * gpt-ops`), wasm / cpu: V = 256: scatter 6.8 / 26 ms, one-hot 9.3 / 201 ms,
 * UnsortedSegmentSum – / 3,795 ms; V = 50257: scatter 17 / 61 ms, one-hot 1,421 / 28,722 ms.
 */
export function gatherRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const [vocab, width] = table.shape;
  const f = tf.customGrad(((t: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const index = tf.reshape(ids, [ids.shape[0], 1]);
    save([index]);
    return {
      value: tf.gather(t, ids),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => [tf.scatterND(saved[0], dy, [vocab, width])],
    };
  }) as unknown as CustomGradientFunc);
  return f(table) as tf.Tensor2D;
}
