/**
 * Per-token softmax cross-entropy of logits z [N,V] against integer targets t [N], in nats,
 * with a hand-written gradient:
 *
 *     ℓ_i = lse(z_i) − z_{i,t_i},   lse(z) = log Σ_v exp z_v,   ∂ℓ_i/∂z_i = softmax(z_i) − onehot(t_i)
 *
 * lse comes from the fused Softmax kernel: with m = max_v z_v and p = softmax(z),
 * max_v p_v = exp(m − lse), so lse = m − log max_v p_v. max_v p_v ≥ 1/V never underflows,
 * whereas p_t does for a target some 87–103 nats below the best logit (float32 rounds it to
 * 0, and −log p_t to inf). On wasm the fused kernel is also the fast exponential: for
 * N = 1024, V = 50257 the softmax takes ~0.25 s, tf.logSoftmax ~1.2 s, tf.logSumExp ~0.6 s.
 * The gradient reuses p, so the backward pass holds p, p·dℓ, the scattered dℓ and dz
 * ([N,V] each) and no log-probabilities.
 */
import * as tf from '@tensorflow/tfjs';

/** tf.customGrad's argument type (not re-exported by @tensorflow/tfjs). */
type CustomGradientFunc = Parameters<typeof tf.customGrad>[0];

/** ℓ [N] for logits [N,V] and int32 targets [N] (see the file comment). */
export function tokenCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const [n, vocab] = logits.shape;
  if (targets.shape[0] !== n) throw new Error(`tokenCrossEntropy: ${n} rows of logits but ${targets.shape[0]} targets`);
  if (targets.dtype !== 'int32') throw new Error(`tokenCrossEntropy: targets must be int32, got ${targets.dtype}`);
  if (n * vocab > 2 ** 31 - 1) throw new Error(`tokenCrossEntropy: ${n} × ${vocab} logits exceed int32 indexing (2³¹ − 1 values); use a smaller batch`);
  const f = tf.customGrad(((z: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const p = tf.softmax(z);
    const lse = tf.sub(tf.max(z, 1), tf.log(tf.max(p, 1)));
    // z_{i,t_i}: one value per row, gathered from the flat logits at i·V + t_i (wasm's
    // GatherV2 with batchDims 1 gets every row but the first wrong, and can read out of
    // bounds; a one-hot product would cost N·V).
    const flat = tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(vocab, 'int32')), targets);
    const picked = tf.gather(tf.reshape(z, [n * vocab]), flat);
    save([p, flat]);
    return {
      value: tf.sub(lse, picked),
      // dz = p ⊙ dℓ − S with S_{i,t_i} = dℓ_i: a scatter of dℓ, not a one-hot (whose float32
      // form wasm's OneHot kernel gets wrong: it writes int32 bits) times dℓ.
      gradFunc: (dy: tf.Tensor1D, saved: tf.Tensor[]) => {
        const [sp, sflat] = saved;
        const picks = tf.reshape(tf.scatterND(tf.reshape(sflat, [n, 1]), dy, [n * vocab]), [n, vocab]);
        return [tf.sub(tf.mul(sp, tf.reshape(dy, [n, 1])), picks)];
      },
    };
  }) as unknown as CustomGradientFunc);
  return f(logits) as tf.Tensor1D;
}
