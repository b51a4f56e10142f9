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
