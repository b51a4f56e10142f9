/**
 * Adaptive Data Optimization (Jiang et al., ICLR 2025): per-domain power-law learning
 * curves, refitted every `refitInterval` steps, turned into a mixture that favours the
 * domains whose loss still falls fastest (DESIGN.md, "The ADO algorithm").
 *
 * After observing step t, in this order (the reference's order):
 *   1. h ← d·h + (1 − d)·c/Σc from step t's realised counts (h starts at μ);
 *   2. refits due now are applied: a refit started after step t − lag (lag 0: this step);
 *   3. if t ≥ startStep and t % refitInterval = 0 a refit over history up to t starts;
 *      with lag 0 it runs and is applied right here (the reference);
 *   4. once a live domain has a law, ρ, π = γ·π̄ + (1 − γ)·ρ and π̄ ← (1 − 1/(t+1))·π̄ +
 *      ρ/(t+1) (see adoWeights.ts); before that the mixture is μ.
 * The answer is π, the mixture for step t + 1.
 *
 * The default preset differs from the reference where the reference is measurably worse
 * (each behind an option; `preset: 'reference'` restores all of them): bounds that follow
 * the data, refusal below `minPoints`, an exact δ_min, a refit lag, and the weighting
 * inside ρ: importance `target: 'uniform'` instead of the prior, s = 0 and no floor on α.
 * Together these make ρ's fixed point the mixture that minimises the mean loss over
 * domains (see `target`, `s`, `minExponent`); the prior μ still sets the starting mixture.
 *
 * A refit keeps the previous law of a domain whose fit failed, was non-finite, or was
 * refused for too few points (`acceptFits: 'per-domain'`); the reference keeps all
 * previous laws when any domain's fit is not finite (`'all-or-nothing'`).
 *
 * Pure and synchronous: the refits go through a `RefitRunner` (inline by default; a
 * worker-thread runner lives in src/refit). Because a refit reads only rows up to the
 * step it started after, and is applied exactly `lag` steps later, the weights never
 * depend on machine speed: inline and worker runners give identical weights.
 */
import type { BoundPreset, CountMode } from '../laws/index.js';
import type { MixturePolicy, PolicySnapshot, StepObservation } from './policy.js';
import { validateObservation } from './validateObservation.js';
import { CopyPool } from './copyPool.js';
import {
  appendShare,
  appendValue,
  checkDomains,
  checkNewDomain,
  normalizeLive,
  normalizedVector,
  resolveDomain,
} from './shares.js';
import {
  adoMixture,
  anyLiveLaw,
  newAdoScratch,
  updateHistoryShares,
  type AdoScratch,
  type AdoWeightParams,
  type AdoWeightState,
  type FloorMode,
  type HistoryTerm,
} from './adoWeights.js';
import { StepHistory, type HistoryJson } from './history.js';
import { InlineRefitRunner } from './refit.js';
import type { RefitDomainResult, RefitFitOptions, RefitOutcome, RefitRunner } from './refitTypes.js';
import { booleanArray, checkSnapshotHeader, numberArray, snapshotError } from './snapshotFields.js';

export type AdoPreset = 'default' | 'reference';
export type AcceptFits = 'per-domain' | 'all-or-nothing';
/**
 * How much each domain matters inside ρ (τ in ρ_k ∝ τ_k·slope_k·h_k^s): `uniform` (every
 * domain alike), `prior` (τ = μ, the reference), or one non-negative number per domain.
 */
export type AdoTarget = 'uniform' | 'prior' | readonly number[];

/** Every knob of the policy; `preset` picks the defaults of the ones you leave out. */
export interface AdoSettings {
  preset: AdoPreset;
  /**
   * The domain importance τ inside ρ_k ∝ τ_k·slope_k·h_k^s, separate from the prior μ, which
   * sets the starting mixture (and the share of a domain without a law yet).
   *
   * - `uniform` (default): τ_k = 1. ADO then steers toward the mixture that minimises the
   *   MEAN loss over domains: with same-step counts the fitted slope α̂(L̂ − ε̂)/n of a domain
   *   that gets share w_k equals its true α_k(L_k − ε_k)/n at its own count w_k·n, so
   *   ρ ∝ slope (s = 0, the default) has its fixed point at w_k ∝ α_k(L_k − ε_k), the optimality
   *   condition (equal marginal gain per example) of min Σ_k L_k(w_k·N) s.t. Σ w = 1
   *   (for power-law curves; transfer between domains and repeated data bend it).
   * - `prior`: τ = μ (the reference, the paper). With μ the natural mixture this pulls
   *   toward domains that are large rather than useful: the fixed point becomes
   *   w ∝ (μ·α(L − ε))^(1/(1−s)), which leans toward the μ-weighted loss (minimises it for
   *   s = 0) and over-weights big domains (in the simulator's Pile-shaped mix the reference preset gives Pile-CC 0.27
   *   of the data where the mean-loss optimum is 0.06).
   * - a vector (one entry ≥ 0 per domain, normalised for you): minimise Σ τ_k·L_k, e.g. to
   *   favour the domains your evaluation cares about. A domain added mid-run gets its prior
   *   share as its importance (the others scaled by 1 − p, as μ is).
   */
  target: AdoTarget;
  /**
   * s in the credit term h^s: 0 by default, 0.5 in the reference. With same-step counts the
   * fitted slope is already the marginal gain per example at the domain's own share, so any
   * s > 0 tilts the fixed point to w ∝ (τ·α(L − ε))^(1/(1−s)): it over-rewards domains that
   * are sampled a lot and slows a small domain's rise (on the simulator's suite, s = 0.5
   * closes 0.91 of the gap to the oracle, s = 0 closes 0.95; see bench/quality-sim.ts).
   * With `countMode: 'per-domain'` the slope is per own example and s = 1 puts the fixed
   * point at the same optimum.
   */
  s: number;
  /** d in h ← d·h + (1 − d)·c/Σc (0.9). */
  historyDecay: number;
  /** γ in π = γ·π̄ + (1 − γ)·ρ (0.9). */
  mixDecay: number;
  /** δ_min (0.01). */
  minShare: number;
  /**
   * Lower bound on α inside the slope: 0 by default (the fitted law's own derivative),
   * 0.05 in the reference. The data pin down the slope α·(L̂ − ε), not α alone: a flat
   * curve (a domain of pure noise) fits as ε ≈ plateau, β ≈ 0 or equally well as ε ≈ 0,
   * β ≈ plateau, α = 0, and a floor on α turns the second into a large slope that keeps
   * sampling the noise (in the simulator's noise-domain scenario, other settings default:
   * 20 % of the data with the floor, 11 % without, nearly all of it drawn before the first
   * fit or through π̄'s memory of μ). Exploration is δ_min's job.
   */
  minExponent: number;
  /** How δ_min is enforced: `exact` (every live ρ_k ≥ δ_min) or `reference` (max then renormalise). */
  floor: FloorMode;
  /** h^s (DESIGN.md, the paper) or (h·(1−h))^s (the authors' released code). */
  historyTerm: HistoryTerm;
  /** First step at which a refit may start. */
  startStep: number;
  /** History rows dropped at the start of every fit. */
  ignoreSteps: number;
  /** A refit starts after every step t ≥ startStep with t % refitInterval = 0. */
  refitInterval: number;
  countMode: CountMode;
  /** Bound preset of the fit: `auto` follows the data, `reference` the authors' penalties. */
  bounds: BoundPreset;
  /** A domain with fewer fit points keeps its previous law. */
  minPoints: number;
  /** A refit started after step t is applied after step t + lag (0: inline, at once). */
  lag: number;
  acceptFits: AcceptFits;
  /** Extra fitting options passed to fitDomains (Huber δ, subsampling, smoothing window/order). */
  fit: { delta?: number; subsample?: number; window?: number; order?: number };
}

export interface AdoPolicyOptions extends Partial<AdoSettings> {
  domains: readonly string[];
  /** Prior μ (normalised for you); default uniform. The natural mixture is each domain's share of the data. */
  prior?: ArrayLike<number>;
  /** Where refits run; default inline (synchronous). */
  refitRunner?: RefitRunner;
  /** Rows of address space reserved per history buffer before a copying reallocation. */
  maxHistoryRows?: number;
}

/** The defaults of each preset. */
export const ADO_PRESETS: Readonly<Record<AdoPreset, Omit<AdoSettings, 'preset'>>> = Object.freeze({
  default: Object.freeze({
    target: 'uniform' as AdoTarget,
    s: 0,
    historyDecay: 0.9,
    mixDecay: 0.9,
    minShare: 0.01,
    minExponent: 0,
    floor: 'exact' as FloorMode,
    historyTerm: 'h' as HistoryTerm,
    startStep: 1000,
    ignoreSteps: 500,
    refitInterval: 1000,
    countMode: 'same-step' as CountMode,
    bounds: 'auto' as BoundPreset,
    minPoints: 20,
    lag: 100,
    acceptFits: 'per-domain' as AcceptFits,
    fit: {},
  }),
  reference: Object.freeze({
    target: 'prior' as AdoTarget,
    s: 0.5,
    historyDecay: 0.9,
    mixDecay: 0.9,
    minShare: 0.01,
    minExponent: 0.05,
    floor: 'reference' as FloorMode,
    historyTerm: 'h' as HistoryTerm,
    startStep: 1000,
    ignoreSteps: 1000,
    refitInterval: 1000,
    countMode: 'same-step' as CountMode,
    bounds: 'reference' as BoundPreset,
    // The reference fits whatever points there are (even 1); three parameters need 3.
    minPoints: 3,
    lag: 0,
    acceptFits: 'all-or-nothing' as AcceptFits,
    fit: {},
  }),
});

/** A refit in flight: started after step `id`, applied after step `applyAt`. */
export interface PendingRefit {
  id: number;
  rows: number;
  applyAt: number;
  domains: number[];
}

/** What the last applied refit did (for logs and reports). */
export interface RefitReport {
  /** Step after which it started. */
  startedAfter: number;
  /** Step after which it was applied. */
  appliedAfter: number;
  results: RefitDomainResult[];
  error?: string;
  /** Domains whose law changed. */
  changed: number[];
}

export interface AdoPolicySnapshot extends PolicySnapshot {
  kind: 'ado';
  version: 1;
  settings: AdoSettings;
  mu: number[];
  h: number[];
  piBar: number[];
  weights: number[];
  exhausted: boolean[];
  /** The importance τ inside ρ (absent in older snapshots: then derived from settings.target). */
  importance?: number[];
  laws: ([number, number, number] | null)[];
  lawsVersion: number;
  nSame: number;
  nOwn: number[];
  nBase: number[];
  pending: PendingRefit[];
  history: HistoryJson;
}

export class AdoPolicy implements MixturePolicy {
  readonly kind = 'ado' as const;
  readonly settings: Readonly<AdoSettings>;
  private names: string[];
  private live: boolean[];
  private mu: Float64Array;
  /** τ inside ρ: μ itself (target 'prior'), ones ('uniform') or the normalised vector given. */
  private importance: Float64Array;
  private h: Float64Array;
  private piBar: Float64Array;
  private current: Float64Array;
  private readonly copies = new CopyPool();
  private hasLaw: Uint8Array;
  private lawA: Float64Array;
  private lawE: Float64Array;
  private lawAlpha: Float64Array;
  /**
   * Cumulative batch total (same-step n counts from a domain's first step, so n_k =
   * nSame − nBase_k, as in fitDomains) and each domain's own cumulative count.
   */
  private nSame = 0;
  private nBase: Float64Array;
  private nOwn: Float64Array;
  private n: Float64Array;
  private scratch: AdoScratch;
  private history: StepHistory;
  private pending: PendingRefit[] = [];
  private lastStep = -1;
  private runner: RefitRunner;
  private ownsRunner: boolean;
  private version = 0;
  private report: RefitReport | undefined;
  private closed = false;
  private readonly weightParams: AdoWeightParams;
  /** The arrays adoMixture reads, gathered once (re-made when a domain is added or restored). */
  private state: AdoWeightState | undefined;
  private readonly fitOptions: RefitFitOptions;

  constructor(options: AdoPolicyOptions) {
    if (options === null || typeof options !== 'object') throw new Error('AdoPolicy: options must be an object');
    checkDomains(options.domains, 'AdoPolicy');
    this.settings = Object.freeze(resolveSettings(options));
    this.names = [...options.domains];
    const K = this.names.length;
    this.mu =
      options.prior !== undefined
        ? normalizedVector(options.prior, this.names, 'AdoPolicy prior')
        : new Float64Array(K).fill(1 / K);
    const target = this.settings.target;
    this.importance =
      target === 'prior' ? this.mu : target === 'uniform' ? new Float64Array(K).fill(1) : normalizedVector(target, this.names, 'AdoPolicy target');
    this.h = this.mu.slice();
    this.piBar = this.mu.slice();
    this.current = this.mu.slice();
    this.live = new Array<boolean>(K).fill(true);
    this.hasLaw = new Uint8Array(K);
    this.lawA = new Float64Array(K);
    this.lawE = new Float64Array(K);
    this.lawAlpha = new Float64Array(K);
    this.nOwn = new Float64Array(K);
    this.nBase = new Float64Array(K);
    this.n = new Float64Array(K);
    this.scratch = newAdoScratch(K);
    this.history = new StepHistory(K, { maxRows: options.maxHistoryRows });
    this.ownsRunner = options.refitRunner === undefined;
    this.runner = options.refitRunner ?? new InlineRefitRunner();
    const st = this.settings;
    this.weightParams = {
      s: st.s,
      mixDecay: st.mixDecay,
      minShare: st.minShare,
      minExponent: st.minExponent,
      floor: st.floor,
      historyTerm: st.historyTerm,
    };
    this.fitOptions = {
      preset: st.bounds,
      ignoreSteps: st.ignoreSteps,
      countMode: st.countMode,
      minPoints: st.minPoints,
      ...st.fit,
    };
  }

  /** Restores a policy from `snapshot()` (e.g. read from a checkpoint file), checking every field. */
  static restore(snapshot: unknown, env: { refitRunner?: RefitRunner; maxHistoryRows?: number } = {}): AdoPolicy {
    const s = checkSnapshotHeader(snapshot, 'ado', 1) as AdoPolicySnapshot;
    const K = s.domains.length;
    if (s.settings === null || typeof s.settings !== 'object') throw snapshotError('ado', 'settings', 'an object', s.settings);
    let settings: AdoSettings;
    try {
      // Snapshots from before the `target` option weighted ρ by the prior: keep them exact.
      const saved = s.settings as Partial<AdoSettings>;
      settings = resolveSettings({ ...saved, target: saved.target ?? 'prior' });
    } catch (err) {
      throw new Error(`ado snapshot: field "settings": ${(err as Error).message}`);
    }
    // An explicit target may have grown with addDomain since the run began: the snapshot's
    // `importance` holds it for every domain, so build with a placeholder and set both after.
    const explicit = typeof settings.target !== 'string';
    const p = new AdoPolicy({
      ...settings,
      target: explicit ? 'uniform' : settings.target,
      domains: s.domains,
      refitRunner: env.refitRunner,
      maxHistoryRows: env.maxHistoryRows,
    });
    (p as { settings: Readonly<AdoSettings> }).settings = Object.freeze(settings);
    p.mu = numberArray(s, 'mu', K, { min: 0 });
    if (s.importance !== undefined) p.importance = numberArray(s, 'importance', K, { min: 0 });
    else if (explicit) p.importance = normalizedVector(settings.target as readonly number[], s.domains, 'ado snapshot: settings.target');
    if (settings.target === 'prior') p.importance = p.mu;
    p.h = numberArray(s, 'h', K, { min: 0 });
    p.piBar = numberArray(s, 'piBar', K, { min: 0 });
    p.current = numberArray(s, 'weights', K, { min: 0 });
    const exhausted = booleanArray(s, 'exhausted', K);
    if (exhausted.every((x) => x)) throw snapshotError('ado', 'exhausted', 'an array with at least one live domain', exhausted);
    p.live = exhausted.map((x) => !x);
    p.state = undefined;
    if (!Array.isArray(s.laws) || s.laws.length !== K) throw snapshotError('ado', 'laws', `an array of ${K} entries`, s.laws);
    s.laws.forEach((law, k) => {
      if (law === null) return;
      if (!Array.isArray(law) || law.length !== 3 || law.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
        throw snapshotError('ado', `laws[${k}]`, 'null or [a, e, alpha] (finite numbers)', law);
      }
      p.hasLaw[k] = 1;
      [p.lawA[k], p.lawE[k], p.lawAlpha[k]] = law;
    });
    if (typeof s.lawsVersion !== 'number' || !Number.isInteger(s.lawsVersion) || s.lawsVersion < 0) {
      throw snapshotError('ado', 'lawsVersion', 'an integer ≥ 0', s.lawsVersion);
    }
    p.version = s.lawsVersion;
    if (typeof s.nSame !== 'number' || !Number.isFinite(s.nSame) || s.nSame < 0) throw snapshotError('ado', 'nSame', 'a number ≥ 0', s.nSame);
    p.nSame = s.nSame;
    p.nOwn = numberArray(s, 'nOwn', K, { min: 0 });
    p.nBase = numberArray(s, 'nBase', K, { min: 0 });
    p.history = StepHistory.fromJSON(s.history, s.domains, 'ado snapshot', { maxRows: env.maxHistoryRows });
    const expectedRows = s.step < 0 ? 0 : s.step - p.history.firstStep + 1;
    if (p.history.rows !== expectedRows) {
      throw snapshotError('ado', 'history.rows', `${expectedRows} (steps ${p.history.firstStep}…${s.step})`, p.history.rows);
    }
    p.lastStep = s.step;
    if (!Array.isArray(s.pending)) throw snapshotError('ado', 'pending', 'an array', s.pending);
    p.pending = s.pending.map((j, i) => {
      const ok =
        j !== null &&
        typeof j === 'object' &&
        Number.isInteger(j.id) &&
        Number.isInteger(j.rows) &&
        j.rows >= 0 &&
        j.rows <= p.history.rows &&
        Number.isInteger(j.applyAt) &&
        j.applyAt > s.step &&
        Array.isArray(j.domains) &&
        j.domains.every((d) => Number.isInteger(d) && d >= 0 && d < K);
      if (!ok) throw snapshotError('ado', `pending[${i}]`, '{id, rows, applyAt > step, domains}', j);
      return { id: j.id, rows: j.rows, applyAt: j.applyAt, domains: [...j.domains] };
    });
    p.refreshCounts();
    // Restart the refits that were in flight: they read only rows < rows, so they give the
    // same laws as in the uninterrupted run.
    for (const j of p.pending) p.runner.submit({ id: j.id, rows: j.rows, fit: p.fitOptions, domains: j.domains }, p.history);
    return p;
  }

  get domains(): readonly string[] {
    return this.names;
  }

  /** Last observed step (−1 before the first). */
  get step(): number {
    return this.lastStep;
  }

  /** Incremented every time an applied refit changes a law. */
  get lawsVersion(): number {
    return this.version;
  }

  /** The current laws, [a, e, alpha] per domain (null where none yet). */
  laws(): ([number, number, number] | null)[] {
    return this.names.map((_, k) => (this.hasLaw[k] ? [this.lawA[k], this.lawE[k], this.lawAlpha[k]] : null));
  }

  /** What the last applied refit did, if any. */
  get lastRefit(): RefitReport | undefined {
    return this.report;
  }

  /** Refits started but not applied yet. */
  get pendingRefits(): readonly PendingRefit[] {
    return this.pending;
  }

  /** Smoothed realised shares h (a copy). */
  historyShares(): Float64Array {
    return this.h.slice();
  }

  /** The prior μ (a copy). */
  prior(): Float64Array {
    return this.mu.slice();
  }

  weights(): Float64Array {
    return this.copies.copy(this.current); // a fresh copy, from a pool (copyPool.ts)
  }

  observe(obs: StepObservation): Float64Array {
    if (this.closed) throw new Error('AdoPolicy: observe() after close()');
    validateObservation(obs, this.names, this.lastStep);
    const t = obs.step;
    const { count } = obs;
    const K = this.names.length;
    this.lastStep = t;
    this.history.append(t, obs.loss, count);
    let total = 0;
    for (let k = 0; k < K; k++) {
      total += count[k];
      this.nOwn[k] += count[k];
    }
    this.nSame += total;
    this.refreshCounts();
    // 1. h from this step's realised shares.
    updateHistoryShares(this.h, count, this.settings.historyDecay);
    // 2. refits that started `lag` steps ago.
    while (this.pending.length > 0 && this.pending[0].applyAt === t) {
      const job = this.pending.shift()!;
      this.apply(job.id, t, this.runner.collect(job.id));
    }
    // 3. a new refit.
    const st = this.settings;
    if (t >= st.startStep && t % st.refitInterval === 0) {
      const domains: number[] = [];
      for (let k = 0; k < K; k++) if (this.live[k]) domains.push(k);
      this.runner.submit({ id: t, rows: this.history.rows, fit: this.fitOptions, domains }, this.history);
      if (st.lag === 0) this.apply(t, t, this.runner.collect(t));
      else this.pending.push({ id: t, rows: this.history.rows, applyAt: t + st.lag, domains });
    }
    // 4. the mixture for step t + 1.
    const state = this.weightState();
    if (anyLiveLaw(state)) adoMixture(t, state, this.weightParams, this.scratch, this.current);
    else normalizeLive(this.mu, this.live, this.current);
    return this.copies.copy(this.current); // a fresh copy, from a pool (copyPool.ts)
  }

  addDomain(name: string, prior: number): void {
    checkNewDomain(this.names, name, prior);
    this.names.push(name);
    this.live.push(true);
    this.mu = appendShare(this.mu, prior);
    const target = this.settings.target;
    this.importance =
      target === 'prior' ? this.mu : target === 'uniform' ? appendValue(this.importance, 1) : appendShare(this.importance, prior);
    this.h = appendShare(this.h, prior);
    this.piBar = appendShare(this.piBar, prior);
    this.current = normalizeLive(appendShare(this.current, prior), this.live, new Float64Array(this.names.length));
    this.hasLaw = appendBytes(this.hasLaw);
    this.lawA = appendValue(this.lawA, 0);
    this.lawE = appendValue(this.lawE, 0);
    this.lawAlpha = appendValue(this.lawAlpha, 0);
    this.nOwn = appendValue(this.nOwn, 0);
    this.nBase = appendValue(this.nBase, this.nSame);
    this.n = appendValue(this.n, 0);
    this.scratch = newAdoScratch(this.names.length);
    this.history.addDomain();
    this.refreshCounts();
    this.state = undefined;
  }

  markExhausted(domain: string | number): void {
    const k = resolveDomain(this.names, domain);
    if (!this.live[k]) return;
    if (this.live.filter((x) => x).length === 1) {
      throw new Error(`markExhausted("${this.names[k]}"): it is the last live domain; a mixture needs at least one`);
    }
    this.live[k] = false;
    normalizeLive(this.current, this.live, this.current);
  }

  snapshot(): AdoPolicySnapshot {
    return {
      kind: 'ado',
      version: 1,
      step: this.lastStep,
      domains: [...this.names],
      settings: { ...this.settings, fit: { ...this.settings.fit }, target: copyTarget(this.settings.target) },
      mu: Array.from(this.mu),
      importance: Array.from(this.importance),
      h: Array.from(this.h),
      piBar: Array.from(this.piBar),
      weights: Array.from(this.current),
      exhausted: this.live.map((x) => !x),
      laws: this.laws(),
      lawsVersion: this.version,
      nSame: this.nSame,
      nOwn: Array.from(this.nOwn),
      nBase: Array.from(this.nBase),
      pending: this.pending.map((j) => ({ ...j, domains: [...j.domains] })),
      history: this.history.toJSON(),
    };
  }

  /** Stops the refit runner if this policy created it; a runner you passed in is yours to close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const j of this.pending) this.runner.discard(j.id);
    if (this.ownsRunner) await this.runner.close();
  }

  private weightState(): AdoWeightState {
    if (this.state !== undefined) return this.state;
    return (this.state = {
      mu: this.mu,
      importance: this.importance,
      h: this.h,
      piBar: this.piBar,
      live: this.live,
      hasLaw: this.hasLaw,
      lawA: this.lawA,
      lawE: this.lawE,
      lawAlpha: this.lawAlpha,
      n: this.n,
    });
  }

  /** n_k per the count mode: the whole batch total (same-step) or each domain's own. */
  private refreshCounts(): void {
    const K = this.n.length;
    if (this.settings.countMode === 'same-step') for (let k = 0; k < K; k++) this.n[k] = this.nSame - this.nBase[k];
    else this.n.set(this.nOwn);
  }

  private apply(startedAfter: number, t: number, outcome: RefitOutcome): void {
    const changed: number[] = [];
    const usable =
      outcome.error === undefined &&
      (this.settings.acceptFits === 'per-domain' || outcome.results.every((r) => r.ok));
    if (usable) {
      for (const r of outcome.results) {
        if (!r.ok) continue;
        const k = r.domain;
        const [a, e, alpha] = r.params;
        if (this.hasLaw[k] && this.lawA[k] === a && this.lawE[k] === e && this.lawAlpha[k] === alpha) continue;
        this.hasLaw[k] = 1;
        this.lawA[k] = a;
        this.lawE[k] = e;
        this.lawAlpha[k] = alpha;
        changed.push(k);
      }
    }
    if (changed.length > 0) this.version++;
    this.report = { startedAfter, appliedAfter: t, results: outcome.results, error: outcome.error, changed };
  }
}

function copyTarget(t: AdoTarget): AdoTarget {
  return typeof t === 'string' ? t : Array.from(t);
}

function appendBytes(v: Uint8Array): Uint8Array {
  const out = new Uint8Array(v.length + 1);
  out.set(v);
  return out;
}

const FLOORS: readonly FloorMode[] = ['exact', 'reference'];
const TERMS: readonly HistoryTerm[] = ['h', 'h(1-h)'];
const COUNT_MODES: readonly CountMode[] = ['same-step', 'per-domain'];
const BOUNDS: readonly BoundPreset[] = ['auto', 'reference'];
const ACCEPTS: readonly AcceptFits[] = ['per-domain', 'all-or-nothing'];

/** 'uniform', 'prior', or a copy of a vector of finite numbers ≥ 0 with a positive sum. */
function checkTarget(t: unknown): AdoTarget {
  if (t === 'uniform' || t === 'prior') return t;
  if (Array.isArray(t) || ArrayBuffer.isView(t)) {
    const v = Array.from(t as ArrayLike<unknown>);
    const bad = v.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0);
    if (bad >= 0) throw new Error(`AdoPolicy: target[${bad}] must be a finite number ≥ 0, got ${String(v[bad])}`);
    if (!((v as number[]).reduce((a, b) => a + b, 0) > 0)) throw new Error('AdoPolicy: target must have a positive sum');
    return v as number[];
  }
  throw new Error(`AdoPolicy: target must be "uniform", "prior" or an array of numbers ≥ 0 (one per domain), got ${JSON.stringify(t)}`);
}

/** Fills in the preset's defaults and checks every knob (throws naming it). */
export function resolveSettings(o: Partial<AdoSettings>): AdoSettings {
  const preset = o.preset ?? 'default';
  if (preset !== 'default' && preset !== 'reference') {
    throw new Error(`AdoPolicy: preset must be "default" or "reference", got ${JSON.stringify(preset)}`);
  }
  const d = ADO_PRESETS[preset];
  const pick = <K extends keyof AdoSettings>(key: K): AdoSettings[K] => (o[key] ?? d[key as keyof typeof d]) as AdoSettings[K];
  const s: AdoSettings = {
    preset,
    target: checkTarget(pick('target')),
    s: pick('s'),
    historyDecay: pick('historyDecay'),
    mixDecay: pick('mixDecay'),
    minShare: pick('minShare'),
    minExponent: pick('minExponent'),
    floor: pick('floor'),
    historyTerm: pick('historyTerm'),
    startStep: pick('startStep'),
    ignoreSteps: pick('ignoreSteps'),
    refitInterval: pick('refitInterval'),
    countMode: pick('countMode'),
    bounds: pick('bounds'),
    minPoints: pick('minPoints'),
    lag: pick('lag'),
    acceptFits: pick('acceptFits'),
    fit: { ...(o.fit ?? d.fit) },
  };
  const num = (key: string, v: unknown, ok: (x: number) => boolean, expected: string): void => {
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      throw new Error(`AdoPolicy: ${key} must be ${expected}, got ${JSON.stringify(v)}`);
    }
  };
  const int = (key: string, v: unknown, min: number): void =>
    num(key, v, (x) => Number.isInteger(x) && x >= min, `an integer ≥ ${min}`);
  const oneOf = <T>(key: string, v: T, allowed: readonly T[]): void => {
    if (!allowed.includes(v)) throw new Error(`AdoPolicy: ${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  };
  num('s', s.s, (x) => x >= 0, 'a number ≥ 0');
  num('historyDecay', s.historyDecay, (x) => x >= 0 && x < 1, 'in [0, 1)');
  num('mixDecay', s.mixDecay, (x) => x >= 0 && x <= 1, 'in [0, 1]');
  num('minShare', s.minShare, (x) => x >= 0 && x < 1, 'in [0, 1)');
  num('minExponent', s.minExponent, (x) => x >= 0, 'a number ≥ 0');
  oneOf('floor', s.floor, FLOORS);
  oneOf('historyTerm', s.historyTerm, TERMS);
  int('startStep', s.startStep, 0);
  int('ignoreSteps', s.ignoreSteps, 0);
  int('refitInterval', s.refitInterval, 1);
  oneOf('countMode', s.countMode, COUNT_MODES);
  oneOf('bounds', s.bounds, BOUNDS);
  int('minPoints', s.minPoints, 1);
  int('lag', s.lag, 0);
  oneOf('acceptFits', s.acceptFits, ACCEPTS);
  if (s.fit === null || typeof s.fit !== 'object') throw new Error(`AdoPolicy: fit must be an object, got ${JSON.stringify(s.fit)}`);
  for (const [key, v] of Object.entries(s.fit)) {
    if (!['delta', 'subsample', 'window', 'order'].includes(key)) {
      throw new Error(`AdoPolicy: fit.${key} is not a fitting option (delta, subsample, window, order)`);
    }
    if (v !== undefined) num(`fit.${key}`, v, (x) => x > 0, 'a positive number');
  }
  return s;
}
