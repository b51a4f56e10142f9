/**
 * ADO's settings: every knob of the policy, the two presets (`default`, `reference`) and
 * their validation. Kept apart from AdoPolicy.ts so the policy's state machine reads on
 * its own; see there (and DESIGN.md) for what each knob does to the weights.
 */
import type { BoundPreset, CountMode } from '../laws/index.js';
import type { FloorMode, HistoryTerm } from './adoWeights.js';

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
