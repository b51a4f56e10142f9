/**
 * Why Kaplan's compute-optimal exponent (0.73) differs from Chinchilla's (≈0.5): Pearce &
 * Song 2024, "Reconciling Kaplan and Chinchilla Scaling Laws" (arXiv 2406.12907).
 *
 * Suppose the true law is Chinchilla's in total parameters N_T, but parameters and compute
 * are counted without embeddings (N_\E, C_\E = 6·N_\E·D), as Kaplan did. At a fixed aspect
 * ratio A = d_model/n_layer, d_model = (A·N_\E/12)^(1/3), so
 *   N_T = N_\E + γ·N_\E^(1/3),  γ = V·(A/12)^(1/3)   (≈ 47,491 for V = 32,000, A ≈ 39.2).
 * Minimising L(N_T(n), C_\E/(6n)) over n = N_\E gives the frontier n*(C_\E). Writing
 * s = d log N_T / d log n = (n + γ/3·n^(1/3))/N_T and s' = ds/d log n, implicit
 * differentiation of the optimality condition α·A·N_T^(−α)·s = β·B·(6n/C_\E)^β gives the
 * local exponent
 *   d(log n*) / d(log C_\E) = β·s / (α·s² − s' + β·s),
 * which tends to β/(α+β) for large models (s → 1) and to β/(α/3 + β) for small ones
 * (s → 1/3). Counting all parameters, the exponent is β/(α+β) at every scale.
 */
import { chinchillaLoss, type ChinchillaLaw } from './chinchillaLaw.js';

/** γ = V·(A/12)^(1/3): the embedding term of N_T = N_\E + γ·N_\E^(1/3) at aspect ratio A. */
export function embeddingGamma(vocab: number, aspectRatio: number): number {
  if (!(vocab > 0) || !(aspectRatio > 0)) {
    throw new Error(`embeddingGamma needs positive vocab and aspect ratio, got ${vocab}, ${aspectRatio}`);
  }
  return vocab * Math.cbrt(aspectRatio / 12);
}

/** N_T = N_\E + γ·N_\E^(1/3). */
export function totalFromNonEmbedding(nonEmbedding: number, gamma: number): number {
  return nonEmbedding + gamma * Math.cbrt(nonEmbedding);
}

/** Local exponent d log N*_\E / d log C_\E at a frontier point with N_\E = nonEmbedding. */
export function nonEmbeddingLocalExponent(law: ChinchillaLaw, nonEmbedding: number, gamma: number): number {
  const n = nonEmbedding;
  const c = gamma * Math.cbrt(n);
  const NT = n + c;
  const s = (n + c / 3) / NT;
  const ds = (n + c / 9) / NT - s * s;
  return (law.beta * s) / (law.alpha * s * s - ds + law.beta * s);
}

export interface NonEmbeddingOptimum {
  /** Non-embedding compute C_\E = 6·N_\E·D. */
  compute: number;
  nonEmbedding: number;
  total: number;
  D: number;
  loss: number;
  /** Local exponent d log N*_\E / d log C_\E here. */
  exponent: number;
}

/**
 * The loss-minimising N_\E at non-embedding compute C_\E when the true law is Chinchilla's
 * in N_T (bisection on the optimality condition in log N_\E).
 */
export function nonEmbeddingOptimum(law: ChinchillaLaw, compute: number, gamma: number): NonEmbeddingOptimum {
  if (!(compute > 0) || !Number.isFinite(compute)) throw new Error(`compute must be a positive number, got ${compute}`);
  if (!(gamma >= 0)) throw new Error(`gamma must be non-negative, got ${gamma}`);
  // h(x) = log(α·A·s) − α·log N_T − log(β·B) − β·log(6·e^x / C): positive below the optimum.
  const h = (x: number): number => {
    const n = Math.exp(x);
    const c = gamma * Math.cbrt(n);
    const NT = n + c;
    const s = (n + c / 3) / NT;
    return Math.log(law.alpha * law.A * s) - law.alpha * Math.log(NT) - Math.log(law.beta * law.B) - law.beta * (Math.log(6) + x - Math.log(compute));
  };
  // N_\E below 1 or above C/6 (fewer than one token) is no model.
  let lo = 0;
  let hi = Math.log(compute / 6);
  if (!(h(lo) > 0 && h(hi) < 0)) {
    throw new Error(`no compute-optimal N_\\E in [1, C/6] for C_\\E = ${compute}`);
  }
  for (let i = 0; i < 200 && hi - lo > 1e-13; i++) {
    const mid = 0.5 * (lo + hi);
    if (h(mid) > 0) lo = mid;
    else hi = mid;
  }
  const n = Math.exp(0.5 * (lo + hi));
  const total = totalFromNonEmbedding(n, gamma);
  const D = compute / (6 * n);
  return { compute, nonEmbedding: n, total, D, loss: chinchillaLoss(law, total, D), exponent: nonEmbeddingLocalExponent(law, n, gamma) };
}
