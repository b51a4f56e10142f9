/**
 * Per-parameter limits of a power-law fit: hard limits plus convex piecewise-linear
 * penalties, which is how the ADO reference "bounds" its parameters:
 *
 *   reference:  P = max(0, α − 0.8) + max(0, 0.001 − α) + max(0, a − 6.5) + max(0, 0.5 − e)
 *               (unscaled, coefficient 1, added to the summed Huber objective);
 *   auto:       hard bounds that follow the data: 0 ≤ α ≤ 2, ε ≤ the loss curve's lowest
 *               level (logLossLevel; ε > 0 via a finite floor 50 nats lower on e), a in a
 *               wide finite range; no penalty.
 *
 * A penalty splits a parameter's range at its kinks into segments on which the penalty is
 * linear (slope c). On a product of segments (a box) the penalised objective is smooth,
 * which lets the Newton fitter minimise it box by box (see penalizedNewton.ts).
 *
 * Internal to src/curves.
 */
import type { BoundPreset } from './types.js';

/** One penalty term: coef·max(0, v − kink) (`above`) or coef·max(0, kink − v). */
export interface PenaltyTerm {
  kink: number;
  coef: number;
  above: boolean;
}

export interface ParamLimits {
  /** Hard limits, never crossed. */
  lo: number;
  hi: number;
  /** Convex penalty terms, kinks strictly inside (lo, hi). */
  terms: PenaltyTerm[];
}

/** Limits for θ = (a, e, α). */
export type FitLimits = [ParamLimits, ParamLimits, ParamLimits];

/**
 * Safety limits of the reference preset. The reference leaves a below 6.5, e above 0.5 and
 * α beyond its penalties unbounded; these only keep exp() finite and are never reached by
 * a sensible fit.
 */
const FAR = 200;

export function presetLimits(preset: BoundPreset, minLogLoss: number, maxLogN: number): FitLimits {
  if (preset === 'reference') {
    return [
      { lo: -FAR, hi: FAR, terms: [{ kink: 6.5, coef: 1, above: true }] },
      { lo: -FAR, hi: FAR, terms: [{ kink: 0.5, coef: 1, above: false }] },
      {
        lo: -20,
        hi: 20,
        terms: [
          { kink: 0.001, coef: 1, above: false },
          { kink: 0.8, coef: 1, above: true },
        ],
      },
    ];
  }
  // auto: e ≤ the curve's lowest level (minLogLoss), ε > 0 kept finite by a floor 50 nats below;
  // β wide enough for α = 2 at the largest n in the data.
  return [
    { lo: -100, hi: 100 + 2 * Math.max(0, maxLogN), terms: [] },
    { lo: minLogLoss - 50, hi: minLogLoss, terms: [] },
    { lo: 0, hi: 2, terms: [] },
  ];
}

/** Value of a parameter's penalty at v. */
export function penaltyAt(lim: ParamLimits, v: number): number {
  let p = 0;
  for (const t of lim.terms) p += t.coef * Math.max(0, t.above ? v - t.kink : t.kink - v);
  return p;
}

/** Total penalty at θ. */
export function totalPenalty(limits: FitLimits, theta: ArrayLike<number>): number {
  return penaltyAt(limits[0], theta[0]) + penaltyAt(limits[1], theta[1]) + penaltyAt(limits[2], theta[2]);
}

/** Sorted kinks of a parameter. */
export function kinksOf(lim: ParamLimits): number[] {
  return lim.terms.map((t) => t.kink).sort((u, v) => u - v);
}

/** Segment `s` of a parameter: its interval and the penalty slope on it. */
export function segment(lim: ParamLimits, s: number): { lo: number; hi: number; slope: number } {
  const k = kinksOf(lim);
  const lo = s === 0 ? lim.lo : k[s - 1];
  const hi = s === k.length ? lim.hi : k[s];
  let slope = 0;
  for (const t of lim.terms) {
    if (t.above && t.kink <= lo) slope += t.coef;
    if (!t.above && t.kink >= hi) slope -= t.coef;
  }
  return { lo, hi, slope };
}

/** Number of segments of a parameter. */
export function segmentCount(lim: ParamLimits): number {
  return lim.terms.length + 1;
}

/** The segment holding v (the penalty-free one when v sits on its boundary). */
export function segmentOf(lim: ParamLimits, v: number): number {
  const n = segmentCount(lim);
  let best = 0;
  for (let s = 0; s < n; s++) {
    const seg = segment(lim, s);
    if (v >= seg.lo && v <= seg.hi) {
      if (seg.slope === 0) return s;
      best = s;
    }
  }
  return best;
}

/** The penalty-free box (segments with slope 0) as [lo, hi] per parameter. */
export function freeBox(limits: FitLimits): { lo: number[]; hi: number[] } {
  const lo: number[] = [];
  const hi: number[] = [];
  for (const lim of limits) {
    let chosen = segment(lim, 0);
    for (let s = 0; s < segmentCount(lim); s++) {
      const seg = segment(lim, s);
      if (seg.slope === 0) chosen = seg;
    }
    lo.push(chosen.lo);
    hi.push(chosen.hi);
  }
  return { lo, hi };
}

/**
 * The lowest level of the loss curve, log of the smallest mean of ℓ over runs of
 * max(1, ⌊N/20⌋) points consecutive in n: the `auto` ceiling of ε. A plain minimum would
 * sit a few noise widths below a flat curve's true floor and bias ε (and with it β, α)
 * low; the short runs average that noise away while still following the data.
 */
export function logLossLevel(x: Float64Array, loss: ArrayLike<number>): number {
  const N = x.length;
  const k = Math.max(1, Math.floor(N / 20));
  let sorted = true;
  for (let i = 1; i < N && sorted; i++) sorted = x[i] >= x[i - 1];
  let order: number[] | undefined;
  if (!sorted) order = Array.from({ length: N }, (_, i) => i).sort((i, j) => x[i] - x[j]);
  let sum = 0;
  let best = Infinity;
  for (let r = 0; r < N; r++) {
    sum += loss[order ? order[r] : r];
    if (r >= k) sum -= loss[order ? order[r - k] : r - k];
    if (r >= k - 1 && sum < best) best = sum;
  }
  return Math.log(best / k);
}
