/**
 * ADO's settings: every knob of the policy, the two presets (`default`, `reference`) and
 * their validation. Kept apart from AdoPolicy.ts so the policy's state machine reads on
 * its own; see there (and DESIGN.md) for what each knob does to the weights.
 */
import { z } from 'zod';
import type { BoundPreset, CountMode } from '../curves/index.js';
import type { FloorMode, HistoryTerm } from './adoWeights.js';
import type { RefitFitOptions } from './refitTypes.js';
import { describeValue, integer, mustBe, parseOptions, strictObject } from './schemaText.js';
import { DEFAULT_FIT_CHECKS, fitChecksSchema, type FitChecks } from './fitChecks.js';
import { collapseAlertsSchema, DEFAULT_COLLAPSE_ALERTS, type CollapseAlertsOption } from './collapseAlerts.js';

export type AdoPreset = 'default' | 'reference';
export type AcceptFits = 'per-domain' | 'all-or-nothing';
/**
 * How much each domain matters inside ρ (τ in ρ_k ∝ τ_k·slope_k·h_k^s): `uniform` (every
 * domain alike), `prior` (τ = μ, the reference), or one non-negative number per domain.
 */
export type AdoTarget = 'uniform' | 'prior' | readonly number[];
/**
 * The mixture before the first fit, where h and π̄ start and what a domain without a law
 * keeps: `target` (τ normalised: balanced for the default uniform target) or `prior` (μ,
 * the reference).
 */
export type InitialMixture = 'target' | 'prior';

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
   * The mixture ADO starts from (before its first fit; h and π̄ start there, and a domain
   * without a law keeps its share of it): `target` (default), the importance τ normalised —
   * balanced for the default uniform target — or `prior` (μ, the reference).
   *
   * Why not μ: π̄ is the running mean of every mixture since step 0, so the steps before the
   * first fit stay in π for the whole run. Starting at a natural mixture that starves a
   * domain (JSON at 1.6 % of the bytes) also makes that domain's same-step curve flat (it
   * is barely trained), so its first laws credit it little and it stays starved. On the
   * real corpora of `bench/quality-data.ts` (char MLP, 1,500 steps) the prior start ends
   * near the natural mixture's loss; the balanced start ends below balanced. With target
   * `prior` (the reference) both choices are μ.
   */
  initialMixture: InitialMixture;
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
  /**
   * γ in ρ_k ∝ (τ_k·slope_k·h_k^s)^γ: 1 by default (the credit itself). γ < 1 tempers it:
   * credits 6× apart move the mixture as if 6^γ apart. A slope read off a short or
   * share-starved curve (a fast first phase taken for a plateau) then cuts its domain less,
   * while a domain with no slope at all (pure noise) still gets nothing but δ_min. The fixed
   * point (s = 0) moves from the mean-loss optimum w ∝ τ·α(L − ε) to the flatter
   * w ∝ (τ·α(L − ε))^γ. Kept behind this option (see bench/quality-sim.ts).
   */
  creditExponent: number;
  /**
   * σ in ρ_k ∝ τ_k·(α_k(L̂_k − ε_k) + σ)/n_k, in the loss's units: 0.2 by default, 0 in the
   * reference and in snapshots that predate the option. A small model's capacity follows
   * the recent mixture, so a domain's held-out loss also rises by about σ per e-fold its
   * share falls, on top of its curve (docs/quality.md). A same-step curve reads that as a
   * plateau and cannot show it; σ adds it back to every domain's credit. The fixed point
   * (s = 0) moves from w ∝ τ·α(L − ε) to w ∝ τ·(α(L − ε) + σ), the optimum of
   * Σ_k L_k + σ·ln(1/w_k), which leans toward balanced as σ grows. On real text (char MLP,
   * 1,500 steps, two corpora × 3 seeds) σ = 0.2 beat σ = 0 on all six runs; in the
   * simulator's count-only scenarios it gives up part of ADO's lead (docs/quality.md).
   */
  capacity: number;
  /** d in h ← d·h + (1 − d)·c/Σc (0.9). */
  historyDecay: number;
  /** γ in π = γ·π̄ + (1 − γ)·ρ (0.9). */
  mixDecay: number;
  /**
   * δ_min (0.01): every live domain's least share. K_live·δ_min ≤ 1 or no mixture has it:
   * the constructor, addDomain and restore refuse more; left out with over 100 domains it
   * defaults to 1/(2K) instead (half the mixture for exploration, as 0.01 is with 50).
   */
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
  /**
   * h^s (the paper, and the authors' released code at its final commit) or (h·(1−h))^s, the
   * form an earlier commit of that code used until it was fixed; kept as an option only to
   * replay runs made with it.
   */
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
  /**
   * Extra fitting options passed to fitDomains (Huber δ, subsampling, smoothing window/order),
   * and `maxPoints`: opt-in thinning for very long runs, at most about this many fit points per
   * domain, log-spaced in n (fitPoints.ts; off by default: every point is kept).
   */
  fit: { delta?: number; subsample?: number; window?: number; order?: number; maxPoints?: number };
  /**
   * Fit checks (fitChecks.ts): thresholds on each fit's diagnostics beyond which the fit is
   * refused and the previous law kept: `{maxRms?, minR2?, maxAlphaRelSE?, maxEpsilonRelSE?}`
   * or `off`. Default `{maxRms: 0.3}` (refuses only a law that clearly misses its curve);
   * `off` in the reference.
   */
  fitChecks: FitChecks;
  /**
   * Start each refit of a domain that has a law from that law (fitPowerLaw's warmStart: a
   * few Newton steps, verified against the α-profile scan, never a worse optimum than a cold
   * fit). Default true; false in the reference (its refits start cold, as the authors' do).
   */
  warmStart: boolean;
  /**
   * With warmStart: a domain's warm refit is checked against the α-profile scan (the cold
   * fit's start finder) at every `warmVerifyEvery`-th refit, staggered over the domains,
   * and otherwise kept when its Newton optimum is well posed; 1 checks every refit. Default 4.
   */
  warmVerifyEvery: number;
  /**
   * Collapse alerts (collapseAlerts.ts; alerts only, the weights never depend on them): a
   * domain pinned at δ_min for `pinnedRefits` refits while its law still falls by ≥ `minFall`
   * per e-fold of n, or the mixture's entropy / ln K below `minEntropy`. Default
   * `{pinnedRefits: 3, minEntropy: 0.5, minFall: 0.01}` in both presets; `off` for none.
   */
  collapseAlerts: CollapseAlertsOption;
}

/** The defaults of each preset. */
export const ADO_PRESETS: Readonly<Record<AdoPreset, Omit<AdoSettings, 'preset'>>> = Object.freeze({
  default: Object.freeze({
    target: 'uniform' as AdoTarget,
    initialMixture: 'target' as InitialMixture,
    s: 0,
    creditExponent: 1,
    capacity: 0.2,
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
    fitChecks: DEFAULT_FIT_CHECKS as FitChecks,
    warmStart: true,
    warmVerifyEvery: 4,
    collapseAlerts: DEFAULT_COLLAPSE_ALERTS as CollapseAlertsOption,
  }),
  reference: Object.freeze({
    target: 'prior' as AdoTarget,
    initialMixture: 'prior' as InitialMixture,
    s: 0.5,
    creditExponent: 1,
    capacity: 0,
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
    // The reference fits whatever points there are: its first fit (ignore 1000, start 500,
    // refit every 1000) sees a single point. fitPowerLaw holds what fewer than 3 points
    // cannot fix at the reference's first grid start (see underdeterminedFit).
    minPoints: 1,
    lag: 0,
    acceptFits: 'all-or-nothing' as AcceptFits,
    fit: {},
    fitChecks: 'off' as FitChecks,
    warmStart: false,
    warmVerifyEvery: 1,
    collapseAlerts: DEFAULT_COLLAPSE_ALERTS as CollapseAlertsOption,
  }),
});

const INITIALS: readonly InitialMixture[] = ['target', 'prior'];
const FLOORS: readonly FloorMode[] = ['exact', 'reference'];
const TERMS: readonly HistoryTerm[] = ['h', 'h(1-h)'];
const COUNT_MODES: readonly CountMode[] = ['same-step', 'per-domain'];
const BOUNDS: readonly BoundPreset[] = ['auto', 'reference'];
const ACCEPTS: readonly AcceptFits[] = ['per-domain', 'all-or-nothing'];

const num = (expected: string, ok: (x: number) => boolean) =>
  z.number({ error: mustBe(expected) }).refine(ok, { error: mustBe(expected) });
const oneOf = <T extends string>(allowed: readonly T[]) =>
  z.enum(allowed as [T, ...T[]], { error: (iss) => `must be one of ${allowed.join(', ')}, got ${describeValue(iss.input)}` });

/** 'uniform', 'prior', or a copy of a vector of finite numbers ≥ 0 with a positive sum. */
const targetSchema = z.unknown().transform((t, ctx): AdoTarget | undefined => {
  if (t === undefined || t === 'uniform' || t === 'prior') return t;
  if (Array.isArray(t) || (ArrayBuffer.isView(t) && !(t instanceof DataView))) {
    const v = Array.from(t as ArrayLike<unknown>);
    const bad = v.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0);
    if (bad >= 0) ctx.addIssue({ code: 'custom', path: [bad], input: v[bad], message: mustBe('a finite number ≥ 0')({ input: v[bad] }) });
    else if (!((v as number[]).reduce((a, b) => a + b, 0) > 0)) ctx.addIssue({ code: 'custom', input: t, message: 'must have a positive sum' });
    else return v as number[];
    return z.NEVER;
  }
  ctx.addIssue({ code: 'custom', input: t, message: mustBe('"uniform", "prior" or an array of numbers ≥ 0 (one per domain)')({ input: t }) });
  return z.NEVER;
});

const positive = num('a positive number', (x) => x > 0).optional();

/** Every knob, each optional (the preset fills in the rest); shared by the options and the snapshot's settings. */
export const adoSettingsShape = {
  preset: z.enum(['default', 'reference'], { error: mustBe('"default" or "reference"') }).optional(),
  target: targetSchema.optional(),
  initialMixture: oneOf(INITIALS).optional(),
  s: num('a number ≥ 0', (x) => x >= 0).optional(),
  creditExponent: num('a number in (0, 1]', (x) => x > 0 && x <= 1).optional(),
  capacity: num('a finite number ≥ 0', (x) => Number.isFinite(x) && x >= 0).optional(),
  historyDecay: num('in [0, 1)', (x) => x >= 0 && x < 1).optional(),
  mixDecay: num('in [0, 1]', (x) => x >= 0 && x <= 1).optional(),
  minShare: num('in [0, 1)', (x) => x >= 0 && x < 1).optional(),
  minExponent: num('a number ≥ 0', (x) => x >= 0).optional(),
  floor: oneOf(FLOORS).optional(),
  historyTerm: oneOf(TERMS).optional(),
  startStep: integer(0).optional(),
  ignoreSteps: integer(0).optional(),
  refitInterval: integer(1).optional(),
  countMode: oneOf(COUNT_MODES).optional(),
  bounds: oneOf(BOUNDS).optional(),
  minPoints: integer(1).optional(),
  lag: integer(0).optional(),
  acceptFits: oneOf(ACCEPTS).optional(),
  fit: strictObject({ delta: positive, subsample: positive, window: positive, order: positive, maxPoints: integer(8).optional() }).optional(),
  fitChecks: fitChecksSchema.optional(),
  warmStart: z.boolean({ error: mustBe('true or false') }).optional(),
  warmVerifyEvery: integer(1).optional(),
  collapseAlerts: collapseAlertsSchema.optional(),
};

const settingsSchema = strictObject(adoSettingsShape);

/** The preset's δ_min, or 1/(2K) where K of them would not fit in the mixture (K·δ_min > 1). */
function defaultMinShare(preset: number, domains: number | undefined): number {
  return domains !== undefined && domains * preset > 1 ? 1 / (2 * domains) : preset;
}

/**
 * Why `live` domains cannot each get at least `minShare` (K·δ_min > 1: the floor would
 * silently give way to a uniform mixture), or undefined when they can.
 */
export function minShareProblem(minShare: number, live: number): string | undefined {
  return live * minShare > 1 + 1e-12 ? `minShare must be ≤ 1/${live} (${live} live domains each get at least minShare), got ${minShare}` : undefined;
}

/**
 * Checks every knob (throws naming it: an unknown one with the closest known name) and
 * fills in the preset's defaults. With `domains` (K) given, the default δ_min shrinks to
 * 1/(2K) where the preset's would not fit (K·0.01 > 1, over 100 domains).
 */
export function resolveSettings(o: Partial<AdoSettings>, domains?: number): AdoSettings {
  if (o === null || typeof o !== 'object') throw new Error('AdoPolicy: options must be an object');
  const given = parseOptions(settingsSchema, o, 'AdoPolicy');
  const preset = given.preset ?? 'default';
  const d = ADO_PRESETS[preset];
  const pick = <K extends keyof typeof d>(key: K): (typeof d)[K] => (given[key] ?? d[key]) as (typeof d)[K];
  return {
    preset,
    target: pick('target'),
    initialMixture: pick('initialMixture'),
    s: pick('s'),
    creditExponent: pick('creditExponent'),
    capacity: pick('capacity'),
    historyDecay: pick('historyDecay'),
    mixDecay: pick('mixDecay'),
    minShare: given.minShare ?? defaultMinShare(d.minShare, domains),
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
    fit: withoutUndefined({ ...(given.fit ?? d.fit) }),
    fitChecks: copyOption(pick('fitChecks')),
    warmStart: pick('warmStart'),
    warmVerifyEvery: pick('warmVerifyEvery'),
    collapseAlerts: copyOption(pick('collapseAlerts')),
  };
}

/** A fresh copy of an `'off' | {…}` option (the presets' objects are frozen). */
function copyOption<T>(v: T): T {
  return typeof v === 'object' && v !== null ? { ...v } : v;
}

function withoutUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** The fit options a refit of these settings uses (fitDomains' names). */
export function refitFitOptions(st: AdoSettings): RefitFitOptions {
  return { preset: st.bounds, ignoreSteps: st.ignoreSteps, countMode: st.countMode, minPoints: st.minPoints, ...st.fit };
}
