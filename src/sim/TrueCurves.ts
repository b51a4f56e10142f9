/**
 * The true learning curves of a scenario, evaluated allocation-free.
 *
 *   L_k(n) = ε_k + β_k · (m_k + n0_k)^(−α_k),   m_k = Σ_j T_kj · d_j(n_j)
 *
 * and the objective every policy is judged by, the mean true loss over domains
 *
 *   f(n) = (1/K) Σ_k L_k(n),
 *
 * with its exact gradient
 *
 *   ∂f/∂n_j = (1/K) Σ_k L_k'(m_k) · T_kj · d_j'(n_j),   L_k'(m) = −α_k β_k (m + n0_k)^(−α_k − 1).
 *
 * Each L_k is convex and non-increasing in m_k, m_k is concave in n (T ≥ 0, d concave),
 * so f is convex in the counts n: the final loss depends only on the final counts, and a
 * local optimum of the static allocation is the global one.
 *
 * A capacity term (types.ts) adds σ_k·ln(1/(K·r_k)) for the model's recent shares r: pass
 * them as `share` (absent: an even split, where the term is 0). For a static mixture w,
 * r = w and the term is convex in w, so the static optimum stays a convex problem.
 */
import { effectiveData, effectiveDataSlope } from './effectiveData.js';
import type { Scenario } from './types.js';

export class TrueCurves {
  readonly K: number;
  readonly names: readonly string[];
  private readonly eps: Float64Array;
  private readonly beta: Float64Array;
  private readonly alpha: Float64Array;
  private readonly offset: Float64Array;
  private readonly unique: Float64Array;
  private readonly capacity: Float64Array;
  /** Does any domain have a capacity term? */
  readonly hasCapacity: boolean;
  /** Row-major K×K transfer matrix. */
  private readonly T: Float64Array;
  private readonly rStar: number;
  private readonly eff = new Float64Array(0);
  private readonly m = new Float64Array(0);
  private readonly dL = new Float64Array(0);

  constructor(scenario: Scenario) {
    const K = scenario.domains.length;
    this.K = K;
    this.names = scenario.domains.map((d) => d.name);
    this.eps = Float64Array.from(scenario.domains, (d) => d.epsilon);
    this.beta = Float64Array.from(scenario.domains, (d) => d.beta);
    this.alpha = Float64Array.from(scenario.domains, (d) => d.alpha);
    this.offset = Float64Array.from(scenario.domains, (d) => d.offset);
    this.unique = Float64Array.from(scenario.domains, (d) => d.size);
    this.capacity = Float64Array.from(scenario.domains, (d) => d.capacity);
    this.hasCapacity = this.capacity.some((c) => c > 0);
    this.T = new Float64Array(K * K);
    for (let k = 0; k < K; k++) for (let j = 0; j < K; j++) this.T[k * K + j] = scenario.transfer[k][j];
    this.rStar = scenario.repeatDecay;
    this.eff = new Float64Array(K);
    this.m = new Float64Array(K);
    this.dL = new Float64Array(K);
  }

  /** Effective examples m_k each domain has learned from, after repetition and transfer. */
  effective(counts: ArrayLike<number>, out: Float64Array = new Float64Array(this.K)): Float64Array {
    const K = this.K;
    for (let j = 0; j < K; j++) this.eff[j] = effectiveData(counts[j], this.unique[j], this.rStar);
    for (let k = 0; k < K; k++) {
      let s = 0;
      const row = k * K;
      for (let j = 0; j < K; j++) s += this.T[row + j] * this.eff[j];
      out[k] = s;
    }
    return out;
  }

  /** True loss of every domain after `counts` examples drawn from each (recent shares `share`: see the file comment). */
  loss(counts: ArrayLike<number>, out: Float64Array = new Float64Array(this.K), share?: ArrayLike<number>): Float64Array {
    this.effective(counts, this.m);
    for (let k = 0; k < this.K; k++) {
      out[k] = this.eps[k] + this.beta[k] * Math.pow(this.m[k] + this.offset[k], -this.alpha[k]) + this.capacityLevel(k, share);
    }
    return out;
  }

  /** f(n): the mean true loss over domains. */
  objective(counts: ArrayLike<number>, share?: ArrayLike<number>): number {
    this.effective(counts, this.m);
    let s = 0;
    for (let k = 0; k < this.K; k++) {
      s += this.eps[k] + this.beta[k] * Math.pow(this.m[k] + this.offset[k], -this.alpha[k]) + this.capacityLevel(k, share);
    }
    return s / this.K;
  }

  /** σ_k·ln(1/(K·r_k)): 0 without a capacity term or without shares (an even split). */
  capacityLevel(k: number, share?: ArrayLike<number>): number {
    const sigma = this.capacity[k];
    if (sigma === 0 || share === undefined) return 0;
    return -sigma * Math.log(this.K * Math.max(share[k], 1e-12));
  }

  /** ∂f/∂r_k of the capacity terms into `out`: −σ_k/(K·r_k) (all ≤ 0). */
  capacityGradient(share: ArrayLike<number>, out: Float64Array): Float64Array {
    for (let k = 0; k < this.K; k++) out[k] = this.capacity[k] === 0 ? 0 : -this.capacity[k] / (this.K * Math.max(share[k], 1e-12));
    return out;
  }

  /** ∇f(n) into `out` (all entries ≤ 0: more data never hurts); returns f(n). */
  gradient(counts: ArrayLike<number>, out: Float64Array): number {
    const K = this.K;
    this.effective(counts, this.m);
    let f = 0;
    for (let k = 0; k < K; k++) {
      const x = this.m[k] + this.offset[k];
      const p = Math.pow(x, -this.alpha[k]);
      f += this.eps[k] + this.beta[k] * p;
      this.dL[k] = (-this.alpha[k] * this.beta[k] * p) / x;
    }
    for (let j = 0; j < K; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += this.dL[k] * this.T[k * K + j];
      out[j] = (s * effectiveDataSlope(counts[j], this.unique[j], this.rStar)) / K;
    }
    return f / K;
  }
}
