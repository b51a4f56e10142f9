/**
 * ODM, Online Data Mixing (Albalak et al. 2023, arXiv 2312.02406): an EXP3 bandit whose
 * arms are the domains and whose reward is a domain's training loss (high loss = still
 * much to learn there).
 *
 * With K live domains and R̂ the accumulated rewards, the mixture for bandit round τ
 * (τ = 1 for the first batch; after observing global step t the next round is τ = t + 2) is
 *   ε_τ = min(1/K, √(ln K / (K·τ))),  ε_0 = 1/K,
 *   w_k = (1 − K·ε_τ) · exp(ε_{τ−1}·R̂_k) / Σ_j exp(ε_{τ−1}·R̂_j) + ε_τ,   normalised.
 * After a step, every domain present in the batch (count > 0) gets the reward
 * r_k = rewardScale · ℓ_k (the authors use 1/10), and
 *   variant `exp3`:     R̂_k ← R̂_k + r_k / π_k    (importance-weighted by the probability it was drawn with)
 *   variant `smoothed`: R̂_k ← m·R̂_k + (1 − m)·r_k  (m = 0.9; the authors' variant for mixed
 *                       minibatches; `importanceWeighted: true` divides r_k by π_k here too).
 * Absent domains keep R̂. Exhausted domains leave the bandit (weight 0; K counts live ones).
 * A domain added with prior share p starts with the R̂ that gives it share p of the
 * exponential-weights part of the next mixture.
 */
import type { MixturePolicy, StepObservation } from './policy.js';
import { validateObservation } from './validateObservation.js';
import { CopyPool } from './copyPool.js';
import { appendValue, checkDomains, checkNewDomain, resolveDomain } from './shares.js';
import { odmEpsilon, odmMixture } from './odmWeights.js';
import { odmOptionsSchema, resolveOdmSettings } from './optionSchemas.js';
import { parseOptions } from './schemaText.js';
import { parseOdmSnapshot } from './snapshotSchemas.js';
import type { OdmSettings, OdmPolicySnapshot } from './snapshotTypes.js';

export type { OdmVariant, OdmSettings, OdmPolicySnapshot } from './snapshotTypes.js';

export { odmEpsilon } from './odmWeights.js';
export { resolveOdmSettings } from './optionSchemas.js';

export interface OdmPolicyOptions extends Partial<OdmSettings> {
  domains: readonly string[];
}

export class OdmPolicy implements MixturePolicy {
  readonly kind = 'odm' as const;
  readonly settings: Readonly<OdmSettings>;
  private names: string[];
  private live: boolean[];
  private rewards: Float64Array;
  private current: Float64Array;
  private readonly copies = new CopyPool();
  private lastStep = -1;

  constructor(options: OdmPolicyOptions) {
    if (options === null || typeof options !== 'object') throw new Error('OdmPolicy: options must be an object');
    const { domains: _d, ...settings } = parseOptions(odmOptionsSchema, options, 'OdmPolicy');
    checkDomains(options.domains, 'OdmPolicy');
    this.settings = Object.freeze(resolveOdmSettings(settings));
    this.names = [...options.domains];
    const K = this.names.length;
    this.live = new Array<boolean>(K).fill(true);
    this.rewards = new Float64Array(K);
    this.current = new Float64Array(K);
    this.recompute();
  }

  /** Restores a policy from `snapshot()`, checking every field (snapshotSchemas.ts). */
  static restore(snapshot: unknown): OdmPolicy {
    const { s, settings } = parseOdmSnapshot(snapshot);
    const p = new OdmPolicy({ ...settings, domains: s.domains });
    p.rewards = Float64Array.from(s.rewards);
    p.live = s.exhausted.map((x) => !x);
    p.current = Float64Array.from(s.weights);
    p.lastStep = s.step;
    return p;
  }

  get domains(): readonly string[] {
    return this.names;
  }

  /** Accumulated rewards R̂ (a copy). */
  rewardEstimates(): Float64Array {
    return this.rewards.slice();
  }

  weights(): Float64Array {
    return this.copies.copy(this.current); // a fresh copy, from a pool (copyPool.ts)
  }

  observe(obs: StepObservation): Float64Array {
    validateObservation(obs, this.names, this.lastStep);
    const { variant, rewardScale, smoothing, importanceWeighted } = this.settings;
    const K = this.names.length;
    for (let k = 0; k < K; k++) {
      if (!this.live[k] || !(obs.count[k] > 0)) continue;
      let r = rewardScale * obs.loss[k];
      if (variant === 'exp3' || importanceWeighted) r /= this.current[k];
      this.rewards[k] = variant === 'exp3' ? this.rewards[k] + r : smoothing * this.rewards[k] + (1 - smoothing) * r;
    }
    this.lastStep = obs.step;
    this.recompute();
    return this.copies.copy(this.current); // a fresh copy, from a pool (copyPool.ts)
  }

  addDomain(name: string, prior: number): void {
    checkNewDomain(this.names, name, prior);
    // R̂_new such that exp(ε'·R̂_new) / (S + exp(ε'·R̂_new)) = p, S = Σ_live exp(ε'·R̂_j).
    const eps = odmEpsilon(this.liveCount() + 1, this.round() - 1);
    let r: number;
    if (eps > 0) {
      const m = this.maxLive(eps);
      let S = 0;
      for (let k = 0; k < this.names.length; k++) if (this.live[k]) S += Math.exp(eps * this.rewards[k] - m);
      r = (m + Math.log((prior * S) / (1 - prior))) / eps;
    } else {
      r = this.meanLive();
    }
    this.names.push(name);
    this.live.push(true);
    this.rewards = appendValue(this.rewards, r);
    this.current = new Float64Array(this.names.length);
    this.recompute();
  }

  markExhausted(domain: string | number): void {
    const k = resolveDomain(this.names, domain);
    if (!this.live[k]) return;
    if (this.liveCount() === 1) {
      throw new Error(`markExhausted("${this.names[k]}"): it is the last live domain; a mixture needs at least one`);
    }
    this.live[k] = false;
    this.recompute();
  }

  snapshot(): OdmPolicySnapshot {
    return {
      kind: 'odm',
      version: 1,
      step: this.lastStep,
      domains: [...this.names],
      settings: { ...this.settings },
      rewards: Array.from(this.rewards),
      exhausted: this.live.map((x) => !x),
      weights: Array.from(this.current),
    };
  }

  async close(): Promise<void> {}

  /** Bandit round of the next batch: 1 before any step, t + 2 after step t. */
  private round(): number {
    return this.lastStep + 2;
  }

  private liveCount(): number {
    let n = 0;
    for (const l of this.live) if (l) n++;
    return n;
  }

  private maxLive(eps: number): number {
    let m = -Infinity;
    for (let k = 0; k < this.names.length; k++) if (this.live[k]) m = Math.max(m, eps * this.rewards[k]);
    return m;
  }

  private meanLive(): number {
    let s = 0;
    let n = 0;
    for (let k = 0; k < this.names.length; k++) {
      if (!this.live[k]) continue;
      s += this.rewards[k];
      n++;
    }
    return s / n;
  }

  private recompute(): void {
    odmMixture(this.rewards, this.live, this.round(), this.current);
  }
}
