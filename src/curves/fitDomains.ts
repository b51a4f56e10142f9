/**
 * fitDomains: the per-domain fitting step of ADO from a step history.
 *
 * For each domain k, over its rows t ∈ [firstStep_k, steps):
 *   1. impute absent losses: an absent step (count 0 or NaN loss) takes the previous value;
 *      at the domain's first step, the count-weighted mean loss of the domains present in
 *      that batch (or, with none present, the domain's first observed loss);
 *   2. smooth along time (Savitzky–Golay, window 101, order 3, scipy 'interp' edges);
 *   3. drop the first `ignoreSteps` rows and keep every `subsample`-th of the rest;
 *   4. n = cumulative count at each kept row, divided by countScale:
 *        'same-step' (reference): n grows by the whole batch Σ_j count_j each step,
 *        'per-domain': n grows by the domain's own count; points with n = 0 are skipped;
 *   5. refuse below `minPoints`, else fitPowerLaw(n, smoothed loss), with the fit's
 *      diagnostics (residuals, R², standard errors, active bounds: fitDiagnostics.ts).
 *
 * Only the kept points are smoothed (the convolution is evaluated there alone), so a refit
 * over 60,000 steps costs a few hundred thousand multiply-adds per domain.
 */
import { fitPowerLaw, type FitPowerLawOptions, type PowerLawFit } from './fitPowerLaw.js';
import { effectiveWindow, savitzkyGolayKernel, savitzkyGolayOptions, smoothedAt } from './savitzkyGolay.js';
import type { CountMode, PowerLawParams } from './types.js';
import type { FitDiagnostics } from './fitDiagnostics.js';

/** Per-domain step history. Arrays may be longer than `steps` (spare capacity); read only [0, steps). */
export interface DomainHistory {
  steps: number;
  /** loss[k][t]: mean loss of domain k at step t, NaN where absent (count 0). */
  loss: ArrayLike<number>[];
  /** count[k][t]: examples (or tokens) of domain k at step t. */
  count: ArrayLike<number>[];
  /** Step at which domain k joined the run (default 0); earlier rows are ignored. */
  firstStep?: ArrayLike<number>;
}

export interface FitDomainsOptions extends FitPowerLawOptions {
  /** Drop the first N steps (counted from the domain's firstStep) after smoothing (default 0). */
  ignoreSteps?: number;
  /** Keep every this-many-th point (default 10). */
  subsample?: number;
  /** Savitzky–Golay window (default 101). */
  window?: number;
  /** Savitzky–Golay order (default 3). */
  order?: number;
  /** How n grows (default 'same-step'). */
  countMode?: CountMode;
  /** Counts are divided by this before fitting (default 1), e.g. tokens per example. */
  countScale?: number;
  /** Refuse to fit below this many points (default 20). */
  minPoints?: number;
  /** Fit only these domain indices (default all). */
  domains?: ArrayLike<number>;
  /**
   * Per domain index, its previous law (fitPowerLaw's `warmStart`); undefined entries, or no
   * array, fit cold.
   */
  warmStarts?: ReadonlyArray<PowerLawParams | undefined>;
}

export type DomainFit =
  | { domain: number; ok: true; fit: PowerLawFit; n: number; diagnostics: FitDiagnostics }
  | { domain: number; ok: false; reason: string; points: number; n: number };

export function fitDomains(history: DomainHistory, options: FitDomainsOptions = {}): DomainFit[] {
  const K = checkHistory(history);
  const T = history.steps;
  const prep = prepareOptions(options);
  const fitOptions: FitPowerLawOptions = { preset: options.preset, delta: options.delta, diagnostics: true };
  const domains = domainList(options.domains, K);

  const first = firstSteps(history, K);
  // Cumulative batch totals for 'same-step' counts (also validates every count).
  const cumBatch = batchPrefix(history, K, T);
  const nNow = domainCountsFrom(history, first, cumBatch, prep.countMode, prep.countScale);

  const series = new Float64Array(T);
  const results: DomainFit[] = [];
  for (const k of domains) {
    const d = prepareDomain(history, k, first, cumBatch, prep, series);
    if (typeof d.reason === 'string') {
      results.push({ domain: k, ok: false, reason: d.reason, points: d.n.length, n: nNow[k] });
      continue;
    }
    try {
      const warmStart = options.warmStarts?.[k];
      const fit = fitPowerLaw(d.n, d.loss, warmStart === undefined ? fitOptions : { ...fitOptions, warmStart });
      const { diagnostics, ...law } = fit;
      results.push({ domain: k, ok: true, fit: law, n: nNow[k], diagnostics: diagnostics! });
    } catch (err) {
      results.push({ domain: k, ok: false, reason: (err as Error).message, points: d.n.length, n: nNow[k] });
    }
  }
  return results;
}

/** The validated options that decide which points a domain's law is fitted to. */
export interface PrepareOptions {
  ignoreSteps: number;
  subsample: number;
  minPoints: number;
  countMode: CountMode;
  countScale: number;
  window: number;
  order: number;
}

/** fitDomains' point options with their defaults, validated (throws naming the bad one). */
export function prepareOptions(options: FitDomainsOptions = {}): PrepareOptions {
  const { window, order } = savitzkyGolayOptions({ window: options.window, order: options.order });
  return {
    ignoreSteps: intOption('ignoreSteps', options.ignoreSteps, 0, 0),
    subsample: intOption('subsample', options.subsample, 10, 1),
    minPoints: intOption('minPoints', options.minPoints, 20, 1),
    countMode: checkCountMode(options.countMode),
    countScale: checkCountScale(options.countScale),
    window,
    order,
  };
}

/** The points a domain's law is fitted to, or why there are too few. */
export interface DomainFitData {
  /** Steps of the kept points. */
  steps: number[];
  /** Cumulative count at each kept point (scaled). */
  n: number[];
  /** Imputed, smoothed loss at each kept point. */
  loss: number[];
  /** Set when the domain cannot be fitted. */
  reason?: string;
}

/**
 * The data fitDomains fits for one domain (imputed, smoothed, ignored, subsampled, with
 * its counts): for plots and checks. Same options as fitDomains.
 */
export function domainFitData(history: DomainHistory, domain: number, options: FitDomainsOptions = {}): DomainFitData {
  const K = checkHistory(history);
  const [k] = domainList([domain], K);
  const prep = prepareOptions(options);
  const first = firstSteps(history, K);
  const cumBatch = batchPrefix(history, K, history.steps);
  return prepareDomain(history, k, first, cumBatch, prep, new Float64Array(history.steps));
}

/** Steps 1–4 of fitDomains for domain k; `series` is scratch space of ≥ steps entries. */
function prepareDomain(
  history: DomainHistory,
  k: number,
  first: Int32Array,
  cumBatch: Float64Array,
  o: PrepareOptions,
  series: Float64Array,
): DomainFitData {
  const T = history.steps;
  const f = first[k];
  const M = T - f;
  const out: DomainFitData = { steps: [], n: [], loss: [] };
  const imputed = imputeDomain(history, k, f, T, first, series);
  if (typeof imputed === 'string') {
    out.reason = imputed;
    return out;
  }
  // Kept rows and their counts.
  const cnt = history.count[k];
  let zeroN = 0;
  let own = 0;
  let ownUpTo = f; // own cumulative count covers rows [f, ownUpTo)
  for (let j = o.ignoreSteps; j < M; j += o.subsample) {
    const t = f + j;
    let n: number;
    if (o.countMode === 'same-step') {
      n = cumBatch[t + 1] - cumBatch[f];
    } else {
      while (ownUpTo <= t) own += cnt[ownUpTo++];
      n = own;
    }
    n /= o.countScale;
    if (!(n > 0)) {
      zeroN++;
      continue;
    }
    out.steps.push(t);
    out.n.push(n);
  }
  const P = out.steps.length;
  if (P < o.minPoints) {
    out.reason = tooFewPointsReason(P, o, M, f, zeroN);
    return out;
  }
  // Smooth only where a point is kept.
  const w = effectiveWindow(M, o.window, o.order);
  const kernel = w > 0 ? savitzkyGolayKernel(w, o.order) : undefined;
  for (let i = 0; i < P; i++) {
    const j = out.steps[i] - f;
    const v = kernel ? smoothedAt(kernel, series, 0, M, j) : series[j];
    if (!(v > 0) || !Number.isFinite(v)) {
      out.reason = nonPositiveSmoothedReason(out.steps[i], v);
      return out;
    }
    out.loss.push(v);
  }
  return out;
}

/** Cumulative count n_k at the last recorded step (scaled by countScale), per the count mode. */
export function domainCounts(
  history: DomainHistory,
  countMode: CountMode = 'same-step',
  countScale = 1,
): Float64Array {
  const K = checkHistory(history);
  const mode = checkCountMode(countMode);
  const scale = checkCountScale(countScale);
  const first = firstSteps(history, K);
  const cum = batchPrefix(history, K, history.steps);
  return domainCountsFrom(history, first, cum, mode, scale);
}

function domainCountsFrom(
  history: DomainHistory,
  first: Int32Array,
  cumBatch: Float64Array,
  mode: CountMode,
  scale: number,
): Float64Array {
  const K = first.length;
  const T = history.steps;
  const out = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    if (mode === 'same-step') {
      out[k] = (cumBatch[T] - cumBatch[first[k]]) / scale;
    } else {
      const c = history.count[k];
      let s = 0;
      for (let t = first[k]; t < T; t++) s += c[t];
      out[k] = s / scale;
    }
  }
  return out;
}

/**
 * Writes domain k's imputed loss for rows [f, T) into out[0, T − f). Returns a reason
 * string instead when the domain cannot be fitted.
 */
function imputeDomain(
  history: DomainHistory,
  k: number,
  f: number,
  T: number,
  first: Int32Array,
  out: Float64Array,
): true | string {
  const loss = history.loss[k];
  const cnt = history.count[k];
  let prev = NaN;
  let firstObserved = -1;
  for (let t = f; t < T; t++) {
    const l = loss[t];
    if (cnt[t] > 0 && typeof l === 'number' && !Number.isNaN(l)) {
      if (!(l > 0) || !Number.isFinite(l)) {
        return badLossReason(k, t, l);
      }
      prev = l;
      if (firstObserved < 0) firstObserved = t;
    } else if (t === f) {
      prev = batchMean(history, t, first);
    }
    out[t - f] = prev;
  }
  if (firstObserved < 0) {
    return noObservedLossReason(k, f, T);
  }
  // No batch mean at the first step (nothing present then): back-fill with the first observation.
  if (Number.isNaN(out[0])) {
    const v = out[firstObserved - f];
    for (let j = 0; j < firstObserved - f; j++) out[j] = v;
  }
  return true;
}

/** Count-weighted mean loss of the domains present at step t (NaN when none). */
function batchMean(history: DomainHistory, t: number, first: Int32Array): number {
  let s = 0;
  let w = 0;
  for (let j = 0; j < first.length; j++) {
    if (t < first[j]) continue;
    const c = history.count[j][t];
    const l = history.loss[j][t];
    if (c > 0 && typeof l === 'number' && l > 0 && Number.isFinite(l)) {
      s += c * l;
      w += c;
    }
  }
  return w > 0 ? s / w : NaN;
}

/** Why a domain present since row f, now M rows long, is not fitted: `points` < minPoints. */
export function tooFewPointsReason(points: number, o: PrepareOptions, M: number, f: number, zeroN: number): string {
  const { minPoints, ignoreSteps, subsample } = o;
  const kept = `every ${subsample}${ordinalSuffix(subsample)} step kept`;
  const skipped = zeroN > 0 ? `, ${zeroN} with n = 0 skipped` : '';
  if (ignoreSteps > 0) {
    return (
      `ignoreSteps ${ignoreSteps} leaves ${points} points, need ${minPoints} ` +
      `(${M} steps since step ${f}, ${kept}${skipped})`
    );
  }
  return `${points} points to fit, need ${minPoints} (${M} steps since step ${f}, ${kept}${skipped})`;
}

/** Why a domain whose observed loss at row t is l (not > 0) is not fitted. */
export function badLossReason(k: number, t: number, l: number): string {
  return `loss[${k}][${t}] = ${l} is not a positive finite number (domain ${k}, step ${t})`;
}

/** Why a domain present since row f, with rows up to T − 1, none observed, is not fitted. */
export function noObservedLossReason(k: number, f: number, T: number): string {
  return `no observed loss for domain ${k} in steps ${f}..${T - 1}`;
}

/** Why a domain whose smoothed loss at row t is v (not > 0) is not fitted. */
export function nonPositiveSmoothedReason(t: number, v: number): string {
  return `smoothed loss at step ${t} is ${v}, not positive: a power law cannot be fitted in log space`;
}

function ordinalSuffix(n: number): string {
  const m100 = n % 100;
  if (m100 >= 11 && m100 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

/** Validates the history's shape; returns the number of domains. */
function checkHistory(h: DomainHistory): number {
  if (h == null || typeof h !== 'object') throw new Error('fitDomains: history must be an object');
  if (!Number.isInteger(h.steps) || h.steps < 0) {
    throw new Error(`fitDomains: history.steps must be a non-negative integer, got ${String(h.steps)}`);
  }
  if (!Array.isArray(h.loss) || !Array.isArray(h.count)) {
    throw new Error('fitDomains: history.loss and history.count must be arrays (one per domain)');
  }
  const K = h.loss.length;
  if (h.count.length !== K) {
    throw new Error(`fitDomains: history.loss has ${K} domains but history.count has ${h.count.length}`);
  }
  for (let k = 0; k < K; k++) {
    for (const [name, arr] of [['loss', h.loss[k]], ['count', h.count[k]]] as const) {
      if (arr == null || typeof arr.length !== 'number' || arr.length < h.steps) {
        throw new Error(
          `fitDomains: history.${name}[${k}] has ${arr?.length ?? 'no'} entries, fewer than steps = ${h.steps}`,
        );
      }
    }
  }
  if (h.firstStep !== undefined) {
    if (h.firstStep.length !== K) {
      throw new Error(`fitDomains: history.firstStep has ${h.firstStep.length} entries for ${K} domains`);
    }
    for (let k = 0; k < K; k++) {
      const f = h.firstStep[k];
      if (!Number.isInteger(f) || f < 0 || f > h.steps) {
        throw new Error(`fitDomains: history.firstStep[${k}] = ${f} must be an integer in [0, ${h.steps}]`);
      }
    }
  }
  return K;
}

function firstSteps(h: DomainHistory, K: number): Int32Array {
  const out = new Int32Array(K);
  if (h.firstStep !== undefined) for (let k = 0; k < K; k++) out[k] = h.firstStep[k];
  return out;
}

/** cum[t] = Σ_{s<t} Σ_k count_k[s] (length T + 1); validates every count. */
function batchPrefix(h: DomainHistory, K: number, T: number): Float64Array {
  const cum = new Float64Array(T + 1);
  for (let k = 0; k < K; k++) {
    const c = h.count[k];
    for (let t = 0; t < T; t++) {
      const v = c[t];
      if (!(v >= 0) || v === Infinity || typeof v !== 'number') {
        throw new Error(`fitDomains: count[${k}][${t}] = ${String(v)} must be a finite number ≥ 0 (domain ${k}, step ${t})`);
      }
      cum[t + 1] += v;
    }
  }
  for (let t = 0; t < T; t++) cum[t + 1] += cum[t];
  return cum;
}

function intOption(name: string, v: number | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min) {
    throw new Error(`fitDomains: ${name} must be an integer ≥ ${min}, got ${v}`);
  }
  return v;
}

function checkCountMode(m: CountMode | undefined): CountMode {
  const mode = m ?? 'same-step';
  if (mode !== 'same-step' && mode !== 'per-domain') {
    throw new Error(`fitDomains: countMode must be 'same-step' or 'per-domain', got ${JSON.stringify(m)}`);
  }
  return mode;
}

function checkCountScale(s: number | undefined): number {
  const v = s ?? 1;
  if (!(Number.isFinite(v) && v > 0)) {
    throw new Error(`fitDomains: countScale must be a positive finite number, got ${s}`);
  }
  return v;
}

function domainList(d: ArrayLike<number> | undefined, K: number): number[] {
  if (d === undefined) return Array.from({ length: K }, (_, k) => k);
  const out: number[] = [];
  for (let i = 0; i < d.length; i++) {
    const k = d[i];
    if (!Number.isInteger(k) || k < 0 || k >= K) {
      throw new Error(`fitDomains: domains[${i}] = ${k} is not a domain index in [0, ${K})`);
    }
    out.push(k);
  }
  return out;
}
