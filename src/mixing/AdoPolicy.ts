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
 * A refit keeps the previous law of a domain whose fit failed, was non-finite, was
 * refused for too few points, or failed the fit checks (`fitChecks`, fitChecks.ts) (`acceptFits: 'per-domain'`); the reference keeps all
 * previous laws when any domain's fit is not finite (`'all-or-nothing'`).
 *
 * Pure and synchronous: the refits go through a `RefitRunner` (inline by default; a
 * worker-thread runner lives in src/refit). Because a refit reads only rows up to the
 * step it started after, and is applied exactly `lag` steps later, the weights never
 * depend on machine speed: inline and worker runners give identical weights.
 */
import type { MixturePolicy, StepObservation } from './policy.js';
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
  initialShares,
  newAdoScratch,
  updateHistoryShares,
  type AdoScratch,
  type AdoWeightParams,
  type AdoWeightState,
} from './adoWeights.js';
import { FitPointHistory, fitPointOptions } from './fitPoints.js';
import { InlineRefitRunner } from './refit.js';
import type { RefitDomainJob, RefitDomainResult, RefitFitOptions, RefitOutcome, RefitRunner } from './refitTypes.js';
import { minShareProblem, refitFitOptions, resolveSettings, type AdoSettings, type AdoTarget } from './adoSettings.js';
import { adoOptionsSchema } from './optionSchemas.js';
import { parseOptions } from './schemaText.js';
import { parseAdoSnapshot } from './snapshotSchemas.js';
import { DataBudget, type BudgetOptions, type BudgetStatus } from './budgets.js';
import type { PendingRefit, AdoPolicySnapshot } from './snapshotTypes.js';
import { applyFitChecks } from './fitChecks.js';
import { CollapseTracker, type CollapseAlert } from './collapseAlerts.js';
import { LONG_RUN_STEPS, adoScheduleSettings, type AdoScheduleGiven } from './adoSchedule.js';

export type { PendingRefit, AdoPolicySnapshot } from './snapshotTypes.js';

export interface AdoPolicyOptions extends Partial<AdoSettings>, BudgetOptions {
  domains: readonly string[];
  /**
   * Prior μ (normalised for you). Default: UNIFORM, not the natural mixture the authors use
   * (each domain's share of the data); pass that whenever domains differ in size.
   */
  prior?: ArrayLike<number>;
  /** Where refits run; default inline (synchronous). */
  refitRunner?: RefitRunner;
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
  /** Collapse alerts raised at this refit (collapseAlerts.ts), once the mixture is set. */
  alerts?: CollapseAlert[];
}

/** How many of a domain's first observed losses make its starting loss L0 (the capacity term's reference). */
const FIRST_LOSSES = 10;

export class AdoPolicy implements MixturePolicy {
  readonly kind = 'ado' as const;
  readonly settings: Readonly<AdoSettings>;
  private names: string[];
  private live: boolean[];
  private mu: Float64Array;
  /** The initial mixture (settings.initialMixture): μ or τ normalised. */
  private start: Float64Array;
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
  /**
   * The capacity term σ_k = min(σ, L0_k − L̂_k(n_k)), set at every applied refit: a domain
   * can lose to capacity at most what it has learned, so a domain of pure noise (L̂ ≈ L0)
   * gets none. L0_k is the mean of its first FIRST_LOSSES observed losses (sum and count).
   */
  private capacity: Float64Array;
  private firstLossSum: Float64Array;
  private firstLossCount: Float64Array;
  private scratch: AdoScratch;
  private history: FitPointHistory;
  /** Refits in flight, with the jobs each was started with. */
  private pending: (PendingRefit & { jobs: RefitDomainJob[] })[] = [];
  private lastStep = -1;
  private runner: RefitRunner;
  private ownsRunner: boolean;
  private version = 0;
  private report: RefitReport | undefined;
  private closed = false;
  private weightParams: AdoWeightParams;
  /** The arrays adoMixture reads, gathered once (re-made when a domain is added or restored). */
  private state: AdoWeightState | undefined;
  private fitOptions: RefitFitOptions;
  /** Data budgets (budgets.ts): caps on the mixture and exhaustion of spent domains; absent: none. */
  private budget: DataBudget | undefined;
  private collapse: CollapseTracker;
  /** The schedule fields the options fixed: planSteps scales only the others. */
  private readonly fixedSchedule: AdoScheduleGiven;

  constructor(options: AdoPolicyOptions) {
    if (options === null || typeof options !== 'object') throw new Error('AdoPolicy: options must be an object');
    const { domains: _d, prior: _p, refitRunner, budget, maxEpochs, plannedSteps, ...given } = parseOptions(adoOptionsSchema, options, 'AdoPolicy');
    checkDomains(options.domains, 'AdoPolicy');
    this.names = [...options.domains];
    const K = this.names.length;
    this.settings = Object.freeze(resolveSettings(given, K));
    const { startStep, refitInterval, ignoreSteps, lag } = given;
    this.fixedSchedule = { startStep, refitInterval, ignoreSteps, lag, subsample: given.fit?.subsample, minPoints: this.settings.minPoints };
    const floor = minShareProblem(this.settings.minShare, K);
    if (floor !== undefined) throw new Error(`AdoPolicy: ${floor}`);
    this.mu =
      options.prior !== undefined
        ? normalizedVector(options.prior, this.names, 'AdoPolicy prior')
        : new Float64Array(K).fill(1 / K);
    const target = this.settings.target;
    this.importance =
      target === 'prior' ? this.mu : target === 'uniform' ? new Float64Array(K).fill(1) : normalizedVector(target, this.names, 'AdoPolicy target');
    this.start = initialShares(this.settings.initialMixture, this.mu, this.importance);
    this.h = this.start.slice();
    this.piBar = this.start.slice();
    this.current = this.start.slice();
    this.live = new Array<boolean>(K).fill(true);
    this.hasLaw = new Uint8Array(K);
    this.lawA = new Float64Array(K);
    this.lawE = new Float64Array(K);
    this.lawAlpha = new Float64Array(K);
    this.nOwn = new Float64Array(K);
    this.nBase = new Float64Array(K);
    this.n = new Float64Array(K);
    this.capacity = new Float64Array(K);
    this.firstLossSum = new Float64Array(K);
    this.firstLossCount = new Float64Array(K);
    this.scratch = newAdoScratch(K);
    this.fitOptions = refitFitOptions(this.settings);
    this.history = new FitPointHistory(K, fitPointOptions(this.fitOptions));
    this.ownsRunner = refitRunner === undefined;
    this.runner = (refitRunner as RefitRunner | undefined) ?? new InlineRefitRunner();
    this.budget = DataBudget.fromOptions({ budget, maxEpochs, plannedSteps } as BudgetOptions, this.names, 'AdoPolicy');
    this.weightParams = weightParams(this.settings);
    this.collapse = new CollapseTracker(this.settings.collapseAlerts, K);
  }

  /** Restores a policy from `snapshot()` (e.g. read from a checkpoint file), checking every field (snapshotSchemas.ts). */
  static restore(snapshot: unknown, env: { refitRunner?: RefitRunner } = {}): AdoPolicy {
    const { s, importance, points, pendingJobs } = parseAdoSnapshot(snapshot);
    const { settings } = s;
    // Built with a placeholder target and floor (an explicit target may have grown with
    // addDomain, exhausted domains make room for a larger δ_min), then given the saved ones.
    const p = new AdoPolicy({
      ...settings,
      target: 'uniform',
      minShare: 0,
      domains: s.domains,
      refitRunner: env.refitRunner,
    });
    (p as { settings: Readonly<AdoSettings> }).settings = Object.freeze(settings);
    p.weightParams = weightParams(settings);
    p.mu = Float64Array.from(s.mu);
    p.importance = settings.target === 'prior' ? p.mu : importance;
    p.start = initialShares(settings.initialMixture, p.mu, p.importance);
    p.h = Float64Array.from(s.h);
    p.piBar = Float64Array.from(s.piBar);
    p.current = Float64Array.from(s.weights);
    p.live = s.exhausted.map((x) => !x);
    p.state = undefined;
    s.laws.forEach((law, k) => {
      if (law === null) return;
      p.hasLaw[k] = 1;
      [p.lawA[k], p.lawE[k], p.lawAlpha[k]] = law;
    });
    p.version = s.lawsVersion;
    p.nSame = s.nSame;
    p.nOwn = Float64Array.from(s.nOwn);
    p.nBase = Float64Array.from(s.nBase);
    // Older snapshots ran σ on every domain with a law: their first losses count as done, at
    // the largest finite L0 (it survives JSON), so that σ_k = σ at every later refit too.
    p.capacity = s.capacity !== undefined ? Float64Array.from(s.capacity) : Float64Array.from(s.laws, (l) => (l === null ? 0 : settings.capacity));
    p.firstLossSum = s.firstLossSum !== undefined ? Float64Array.from(s.firstLossSum) : new Float64Array(s.domains.length).fill(Number.MAX_VALUE);
    p.firstLossCount = s.firstLossCount !== undefined ? Float64Array.from(s.firstLossCount) : new Float64Array(s.domains.length).fill(FIRST_LOSSES);
    p.history = points;
    p.lastStep = s.step;
    p.pending = s.pending.map((j, i) => ({ id: j.id, rows: j.rows, applyAt: j.applyAt, domains: [...j.domains], jobs: pendingJobs[i] }));
    p.refreshCounts();
    if (s.budget !== undefined) p.budget = DataBudget.fromJSON(s.budget, s.domains, 'ado snapshot');
    p.collapse = s.collapse === undefined ? new CollapseTracker(settings.collapseAlerts, s.domains.length) : CollapseTracker.fromJSON(settings.collapseAlerts, s.collapse);
    // Restart the refits that were in flight with the points they were started with: they
    // give the same laws as in the uninterrupted run.
    for (const j of p.pending) p.runner.submit({ id: j.id, rows: j.rows, fit: p.fitOptions, jobs: j.jobs }, p.history);
    return p;
  }

  get domains(): readonly string[] {
    return this.names;
  }

  /** Last observed step (−1 before the first). */
  get step(): number {
    return this.lastStep;
  }

  /**
   * Fits the schedule to a run of `steps` steps; `trainLoop` calls it before a fresh run's
   * first step. For a run shorter than LONG_RUN_STEPS, the schedule fields the options left
   * open (startStep, ignoreSteps, refitInterval, lag, fit.subsample) take the values that
   * `adomix train` uses (adoSchedule.ts): the preset's, made for tens of thousands of
   * steps, would keep a 1,500-step run at its initial mixture for 1,100 steps. A no-op for
   * the reference preset, for longer runs and once a step has been observed. Returns whether
   * the schedule changed.
   */
  planSteps(steps: number): boolean {
    if (!(Number.isSafeInteger(steps) && steps >= 1)) throw new Error(`AdoPolicy.planSteps: steps must be an integer ≥ 1, got ${String(steps)}`);
    if (this.lastStep >= 0 || this.settings.preset === 'reference' || steps >= LONG_RUN_STEPS) return false;
    const schedule = adoScheduleSettings(steps, this.fixedSchedule);
    const st = this.settings;
    const same = (['startStep', 'refitInterval', 'ignoreSteps', 'lag'] as const).every((f) => st[f] === schedule[f]) && st.fit.subsample === schedule.fit.subsample;
    if (same) return false;
    const settings = resolveSettings({ ...st, ...schedule, fit: { ...st.fit, ...schedule.fit } }, this.names.length);
    (this as { settings: Readonly<AdoSettings> }).settings = Object.freeze(settings);
    this.fitOptions = refitFitOptions(settings);
    this.history = new FitPointHistory(this.names.length, fitPointOptions(this.fitOptions));
    return true;
  }

  /** Bytes the fit-point history holds (fitPoints.ts): about 16 per domain per `subsample` steps. */
  get historyBytes(): number {
    return this.history.bytes;
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

  /** The last 50 collapse alerts (collapseAlerts.ts), oldest first. */
  alerts(): readonly CollapseAlert[] {
    return this.collapse.recent;
  }

  /** Collapse alerts raised so far. */
  get alertCount(): number {
    return this.collapse.count;
  }

  /** Refits started but not applied yet. */
  get pendingRefits(): readonly PendingRefit[] {
    return this.pending.map(({ jobs: _j, ...j }) => j);
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
      if (count[k] > 0 && this.firstLossCount[k] < FIRST_LOSSES) {
        this.firstLossSum[k] += obs.loss[k];
        this.firstLossCount[k]++;
      }
    }
    this.nSame += total;
    this.budget?.observe(total);
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
      const jobs = this.history.prepare(domains);
      if (st.warmStart) this.warmJobs(jobs, t / st.refitInterval);
      this.runner.submit({ id: t, rows: this.history.rows, fit: this.fitOptions, jobs }, this.history);
      if (st.lag === 0) this.apply(t, t, this.runner.collect(t));
      else this.pending.push({ id: t, rows: this.history.rows, applyAt: t + st.lag, domains, jobs });
    }
    // 4. the mixture for step t + 1 (a domain whose budget is spent is exhausted first; the
    // caps apply last, after δ_min: a capped domain may get less than δ_min).
    if (this.budget !== undefined) this.exhaustSpent(this.budget);
    const state = this.weightState();
    if (anyLiveLaw(state)) adoMixture(t, state, this.weightParams, this.scratch, this.current);
    else normalizeLive(this.start, this.live, this.current);
    this.budget?.apply(t, this.nOwn, this.live, this.current);
    if (this.report?.appliedAfter === t && anyLiveLaw(state)) this.checkCollapse(t);
    return this.copies.copy(this.current); // a fresh copy, from a pool (copyPool.ts)
  }

  /**
   * What the data budget's last cap did (`feasible`: every cap could hold; `capped`: domains
   * cut), or undefined without a budget.
   */
  get budgetStatus(): Readonly<BudgetStatus> | undefined {
    return this.budget?.status;
  }

  /**
   * Per domain, the step during which its budget runs out at the current mixture (Infinity:
   * never, or no budget), or undefined without a budget (budgets.ts, runOutStep).
   */
  budgetForecast(): number[] | undefined {
    return this.budget?.forecast(this.lastStep, this.nOwn, this.current);
  }

  addDomain(name: string, prior: number): void {
    checkNewDomain(this.names, name, prior);
    const live = this.live.filter((x) => x).length + 1;
    if (minShareProblem(this.settings.minShare, live) !== undefined) {
      const m = this.settings.minShare;
      throw new Error(`addDomain("${name}"): minShare ${m} allows at most ${live - 1} live domains (${live} × ${m} > 1); mark one exhausted first`);
    }
    this.names.push(name);
    this.live.push(true);
    this.mu = appendShare(this.mu, prior);
    const target = this.settings.target;
    this.importance =
      target === 'prior' ? this.mu : target === 'uniform' ? appendValue(this.importance, 1) : appendShare(this.importance, prior);
    this.start = initialShares(this.settings.initialMixture, this.mu, this.importance);
    const share = this.start[this.names.length - 1];
    this.h = appendShare(this.h, share);
    this.piBar = appendShare(this.piBar, share);
    this.current = normalizeLive(appendShare(this.current, share), this.live, new Float64Array(this.names.length));
    this.hasLaw = appendBytes(this.hasLaw);
    this.lawA = appendValue(this.lawA, 0);
    this.lawE = appendValue(this.lawE, 0);
    this.lawAlpha = appendValue(this.lawAlpha, 0);
    this.nOwn = appendValue(this.nOwn, 0);
    this.nBase = appendValue(this.nBase, this.nSame);
    this.n = appendValue(this.n, 0);
    this.capacity = appendValue(this.capacity, 0);
    this.firstLossSum = appendValue(this.firstLossSum, 0);
    this.firstLossCount = appendValue(this.firstLossCount, 0);
    this.scratch = newAdoScratch(this.names.length);
    this.history.addDomain();
    this.budget = this.budget?.withDomain();
    this.collapse.addDomain();
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
      version: 2,
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
      capacity: Array.from(this.capacity),
      firstLossSum: Array.from(this.firstLossSum),
      firstLossCount: Array.from(this.firstLossCount),
      pending: this.pending.map((j) => ({ id: j.id, rows: j.rows, applyAt: j.applyAt, domains: [...j.domains], jobs: j.jobs.map((job) => this.history.jobToJSON(job)) })),
      points: this.history.toJSON(),
      ...(this.budget !== undefined ? { budget: this.budget.toJSON() } : {}),
      collapse: this.collapse.toJSON(),
    };
  }

  /** Stops the refit runner if this policy created it; a runner you passed in is yours to close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const j of this.pending) this.runner.discard(j.id);
    if (this.ownsRunner) await this.runner.close();
  }

  /** Exhausts every live domain whose allowance is spent (markExhausted), keeping at least one live. */
  private exhaustSpent(budget: DataBudget): void {
    for (let k = budget.spent(this.nOwn, this.live); k >= 0; k = budget.spent(this.nOwn, this.live, k + 1)) {
      if (this.live.filter((x) => x).length > 1) this.markExhausted(k);
    }
  }

  private weightState(): AdoWeightState {
    if (this.state !== undefined) return this.state;
    return (this.state = {
      mu: this.start,
      importance: this.importance,
      h: this.h,
      piBar: this.piBar,
      live: this.live,
      hasLaw: this.hasLaw,
      lawA: this.lawA,
      lawE: this.lawE,
      lawAlpha: this.lawAlpha,
      n: this.n,
      capacity: this.capacity,
    });
  }

  /** σ_k = min(σ, max(0, L0_k − L̂_k(n_k))) for every domain with a law (0 without one). */
  private updateCapacity(): void {
    const sigma = this.settings.capacity;
    for (let k = 0; k < this.capacity.length; k++) {
      if (!this.hasLaw[k] || sigma === 0) {
        this.capacity[k] = 0;
        continue;
      }
      const fitted = Math.exp(this.lawE[k]) + Math.exp(this.lawA[k] - this.lawAlpha[k] * Math.log(this.n[k]));
      const learned = this.firstLossSum[k] / this.firstLossCount[k] - fitted;
      this.capacity[k] = learned >= sigma ? sigma : learned > 0 ? learned : 0;
    }
  }

  /** n_k per the count mode: the whole batch total (same-step) or each domain's own. */
  private refreshCounts(): void {
    const K = this.n.length;
    if (this.settings.countMode === 'same-step') for (let k = 0; k < K; k++) this.n[k] = this.nSame - this.nBase[k];
    else this.n.set(this.nOwn);
  }

  /**
   * Starts each job of a domain with a law from that law; refit `index` checks domain k's
   * warm optimum against the α-profile scan when (index + k) is a multiple of warmVerifyEvery.
   */
  private warmJobs(jobs: RefitDomainJob[], index: number): void {
    const every = this.settings.warmVerifyEvery;
    for (const job of jobs) {
      const k = job.domain;
      if (!this.hasLaw[k] || job.reason !== undefined) continue;
      job.warmStart = [this.lawA[k], this.lawE[k], this.lawAlpha[k]];
      if ((index + k) % every !== 0) job.verify = false;
    }
  }

  /** Collapse alerts at a refit applied after step t, once its mixture is set (ρ in scratch, π current). */
  private checkCollapse(t: number): void {
    const alerts = this.collapse.check({
      step: t,
      names: this.names,
      live: this.live,
      rho: this.scratch.rho,
      weights: this.current,
      minShare: this.settings.minShare,
      hasLaw: this.hasLaw,
      lawA: this.lawA,
      lawE: this.lawE,
      lawAlpha: this.lawAlpha,
      n: this.n,
    });
    if (alerts.length > 0) this.report!.alerts = alerts;
  }

  private apply(startedAfter: number, t: number, outcome: RefitOutcome): void {
    const changed: number[] = [];
    // Fit checks first: a refused fit counts as a failed one (all-or-nothing keeps every law).
    const results = applyFitChecks(outcome.results, this.settings.fitChecks);
    const usable =
      outcome.error === undefined &&
      (this.settings.acceptFits === 'per-domain' || results.every((r) => r.ok));
    if (usable) {
      for (const r of results) {
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
    this.updateCapacity();
    this.report = { startedAfter, appliedAfter: t, results, error: outcome.error, changed };
  }
}

function weightParams(st: AdoSettings): AdoWeightParams {
  return {
    s: st.s,
    mixDecay: st.mixDecay,
    minShare: st.minShare,
    minExponent: st.minExponent,
    creditExponent: st.creditExponent,
    floor: st.floor,
    historyTerm: st.historyTerm,
  };
}

function copyTarget(t: AdoTarget): AdoTarget {
  return typeof t === 'string' ? t : Array.from(t);
}

function appendBytes(v: Uint8Array): Uint8Array {
  const out = new Uint8Array(v.length + 1);
  out.set(v);
  return out;
}
