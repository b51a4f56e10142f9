/**
 * ODM's mixture as pure math over typed arrays (see OdmPolicy.ts): with K live domains,
 * exploration ε_τ = min(1/K, √(ln K / (K·τ))) and accumulated rewards R̂,
 *   w_k = (1 − K·ε_τ) · exp(ε_{τ−1}·R̂_k) / Σ_j exp(ε_{τ−1}·R̂_j) + ε_τ,   normalised,
 * 0 on exhausted domains. Shared by the policy and its snapshot check.
 */
import { normalizeLive } from './shares.js';

/** ε_τ = min(1/K, √(ln K / (K·τ))) for τ ≥ 1; ε_0 = 1/K. */
export function odmEpsilon(K: number, tau: number): number {
  if (tau <= 0) return 1 / K;
  return Math.min(1 / K, Math.sqrt(Math.log(K) / (K * tau)));
}

/** The mixture of bandit round `tau` into `out` (no allocation). */
export function odmMixture(rewards: Float64Array, live: readonly boolean[], tau: number, out: Float64Array): Float64Array {
  const K = rewards.length;
  let Kl = 0;
  for (let k = 0; k < K; k++) if (live[k]) Kl++;
  const epsNow = odmEpsilon(Kl, tau);
  const epsPrev = odmEpsilon(Kl, tau - 1);
  let m = -Infinity; // shift: exp never overflows
  for (let k = 0; k < K; k++) if (live[k]) m = Math.max(m, epsPrev * rewards[k]);
  let S = 0;
  for (let k = 0; k < K; k++) {
    out[k] = live[k] ? Math.exp(epsPrev * rewards[k] - m) : 0;
    S += out[k];
  }
  for (let k = 0; k < K; k++) {
    if (live[k]) out[k] = ((1 - Kl * epsNow) * out[k]) / S + epsNow;
  }
  return normalizeLive(out, live, out);
}
