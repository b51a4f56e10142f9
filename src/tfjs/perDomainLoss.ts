/**
 * Per-domain loss, reduced on the device.
 *
 * With per-example losses ℓ ∈ ℝ^B, optional per-example weights w (e.g. tokens per
 * example; 1 by default) and the one-hot domain matrix D ∈ {0,1}^{B×K}, the per-domain
 * sums are one small matrix product
 *
 *     s = (w ⊙ ℓ)ᵀ · D ∈ ℝ^K,     s_k = Σ_{i : d_i = k} w_i ℓ_i,
 *
 * so a step reads back K numbers, once, instead of B. The counts c_k = Σ_{i : d_i = k} w_i
 * are known on the host (the sampler drew them), and the per-domain means are s_k / c_k
 * (NaN where c_k = 0: the domain was absent). Token-weighted means come from w = tokens.
 */
import * as tf from '@tensorflow/tfjs';

/** The one-hot domain matrix D (B×K, float32) of a batch. */
export function domainOneHot(domains: Int32Array | tf.Tensor1D, numDomains: number): tf.Tensor2D {
  return tf.tidy(() => {
    const d = domains instanceof tf.Tensor ? domains : tf.tensor1d(domains, 'int32');
    // tf.oneHot refuses depth 1; with one domain every example is in it.
    if (numDomains === 1) return tf.ones([d.shape[0], 1]) as tf.Tensor2D;
    return tf.cast(tf.oneHot(d, numDomains), 'float32') as tf.Tensor2D;
  });
}

/**
 * s = (w ⊙ ℓ)ᵀ·D on the device: per-domain sums of the (weighted) per-example losses.
 * `perExample` is [B]; `oneHot` is [B, K]; `weights` (optional) is [B]. Returns [K].
 */
export function perDomainSums(perExample: tf.Tensor1D, oneHot: tf.Tensor2D, weights?: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const B = perExample.shape[0];
    if (oneHot.shape[0] !== B) throw new Error(`perDomainSums: ${B} losses but ${oneHot.shape[0]} one-hot rows`);
    const l = weights === undefined ? perExample : tf.mul(perExample, weights);
    return tf.reshape(tf.matMul(tf.reshape(l, [1, B]), oneHot), [oneHot.shape[1]]) as tf.Tensor1D;
  });
}

/** Per-domain counts c_k = Σ_{d_i = k} w_i on the host (w_i = 1 without weights), into `out`. */
export function perDomainCounts(domains: ArrayLike<number>, numDomains: number, weights?: ArrayLike<number>, out: Float64Array = new Float64Array(numDomains), size = domains.length): Float64Array {
  out.fill(0, 0, numDomains);
  for (let i = 0; i < size; i++) out[domains[i]] += weights === undefined ? 1 : weights[i];
  return out;
}

/** Per-domain means s_k / c_k into `out`; NaN where c_k = 0. */
export function perDomainMeans(sums: ArrayLike<number>, counts: ArrayLike<number>, out: Float64Array = new Float64Array(counts.length)): Float64Array {
  for (let k = 0; k < counts.length; k++) out[k] = counts[k] > 0 ? sums[k] / counts[k] : NaN;
  return out;
}

/** Host-side reference of `perDomainSums` (float64), for checks and tests. */
export function perDomainSumsHost(perExample: ArrayLike<number>, domains: ArrayLike<number>, numDomains: number, weights?: ArrayLike<number>): Float64Array {
  const s = new Float64Array(numDomains);
  for (let i = 0; i < perExample.length; i++) s[domains[i]] += perExample[i] * (weights === undefined ? 1 : weights[i]);
  return s;
}
