/**
 * Variable-projection refinement of a power-law fit, for the curved valleys that stall a
 * plain (damped) Newton method.
 *
 * When α is small, ε + β·n^−α ≈ (ε + β) − β·α·log n + β·α²·log²n/2: only a curved
 * one-parameter family of (a, e, α) is pinned down by the data, and Newton steps along it
 * are cut short by its bend (hundreds of tiny accepted/rejected steps). For a fixed α the
 * problem in (a, e) is small and well posed, so this minimises the profile
 *
 *   G(α) = min_{a,e} [f(a, e, α) + P_a(a) + P_e(e)] + P_α(α)
 *
 * instead. By the envelope theorem G'(α) = ∂f/∂α + P_α'(α) at the inner optimum, and
 * G''(α) is the Schur complement H_αα − H_αF·H_FF⁻¹·H_Fα over the inner variables F that
 * are not pinned at a limit or kink. A safeguarded Newton iteration on α (bracketed,
 * stopping at the penalty's kinks, backtracking until G falls) follows the valley floor;
 * a final full Newton solve from there certifies the KKT conditions in all of θ.
 *
 * Internal to src/curves.
 */
import type { LawData } from './lawObjective.js';
import { kinksOf, penaltyAt, type FitLimits, type ParamLimits } from './fitBounds.js';
import { FLAT, FLOOR, TOL, penalizedNewton, type NewtonResult } from './penalizedNewton.js';

interface ProfilePoint {
  alpha: number;
  a: number;
  e: number;
  /** G(α). */
  G: number;
  /** ∂f/∂α at the inner optimum. */
  galpha: number;
  /** G''(α) from the Schur complement (NaN when not available). */
  curvature: number;
  tol: number;
  f: number;
}

export function profileRefine(
  data: LawData,
  theta0: ArrayLike<number>,
  limits: FitLimits,
  delta: number,
  maxOuter = 40,
): NewtonResult {
  const aLim = limits[2];
  const inner: FitLimits = [limits[0], limits[1], { lo: 0, hi: 0, terms: [] }];
  let iterations = 0;

  const solve = (alpha: number, a: number, e: number): ProfilePoint => {
    inner[2] = { lo: alpha, hi: alpha, terms: [] };
    const r = penalizedNewton(data, [a, e, alpha], inner, delta, 100);
    iterations += r.iterations;
    const [ra, re] = r.theta;
    const G = r.f + penaltyAt(limits[0], ra) + penaltyAt(limits[1], re) + penaltyAt(aLim, alpha);
    const { g, h, gAbs, gFloor } = r.state;
    // Schur complement of the Hessian over the free inner variables.
    const freeA = !pinned(limits[0], ra);
    const freeE = !pinned(limits[1], re);
    let curvature = h[8];
    if (freeA && freeE) {
      const det = h[0] * h[4] - h[1] * h[3];
      if (det > 0) {
        // [h20 h21]·inv([[h00 h01],[h10 h11]])·[h02 h12]ᵀ
        const u0 = (h[4] * h[2] - h[1] * h[5]) / det;
        const u1 = (-h[3] * h[2] + h[0] * h[5]) / det;
        curvature -= h[6] * u0 + h[7] * u1;
      } else curvature = NaN;
    } else if (freeA) {
      curvature = h[0] > 0 ? curvature - (h[6] * h[2]) / h[0] : NaN;
    } else if (freeE) {
      curvature = h[4] > 0 ? curvature - (h[7] * h[5]) / h[4] : NaN;
    }
    return { alpha, a: ra, e: re, G, galpha: g[2], curvature, tol: TOL * (gAbs[2] + 1) + FLOOR * gFloor[2] + FLAT * r.f, f: r.f };
  };

  const kinks = kinksOf(aLim);
  let cur = solve(clamp(theta0[2], aLim.lo, aLim.hi), theta0[0], theta0[1]);
  let L = aLim.lo;
  let R = aLim.hi;
  for (let outer = 0; outer < maxOuter; outer++) {
    const dRight = cur.galpha + slopeRight(aLim, cur.alpha);
    const dLeft = cur.galpha + slopeLeft(aLim, cur.alpha);
    const canRight = cur.alpha < aLim.hi && dRight < -cur.tol;
    const canLeft = cur.alpha > aLim.lo && dLeft > cur.tol;
    if (!canRight && !canLeft) break; // 0 ∈ ∂G: stationary
    const right = canRight;
    const d = right ? dRight : dLeft;
    if (right) L = Math.max(L, cur.alpha);
    else R = Math.min(R, cur.alpha);
    const edge = right ? R : L;
    let target = cur.curvature > 0 ? cur.alpha - d / cur.curvature : NaN;
    if (!Number.isFinite(target) || (right ? target >= edge : target <= edge)) {
      target = (cur.alpha + edge) / 2;
    }
    // Stop at the first kink of the α penalty on the way: G' jumps there.
    for (const k of kinks) {
      if (right ? k > cur.alpha && k < target : k < cur.alpha && k > target) target = k;
    }
    let accepted = false;
    for (let back = 0; back < 40; back++) {
      if (target === cur.alpha) break;
      const cand = solve(target, cur.a, cur.e);
      if (cand.G < cur.G) {
        cur = cand;
        accepted = true;
        break;
      }
      // G rose: the valley's minimum lies between, so shrink the bracket and backtrack.
      if (right) R = Math.min(R, target);
      else L = Math.max(L, target);
      target = cur.alpha + (target - cur.alpha) / 2;
    }
    if (!accepted) break;
  }
  // Certify in all of θ (usually 0–2 iterations from the valley floor).
  const final = penalizedNewton(data, [cur.a, cur.e, cur.alpha], limits, delta, 60);
  final.iterations += iterations;
  return final;
}

/** Whether v sits on one of the limits or kinks of its parameter (held by the inner solve). */
function pinned(lim: ParamLimits, v: number): boolean {
  return v <= lim.lo || v >= lim.hi || lim.terms.some((t) => t.kink === v);
}

/** Slope of the penalty just left / right of v. */
function slopeLeft(lim: ParamLimits, v: number): number {
  let s = 0;
  for (const t of lim.terms) {
    if (t.above && t.kink < v) s += t.coef;
    if (!t.above && t.kink >= v) s -= t.coef;
  }
  return s;
}

function slopeRight(lim: ParamLimits, v: number): number {
  let s = 0;
  for (const t of lim.terms) {
    if (t.above && t.kink <= v) s += t.coef;
    if (!t.above && t.kink > v) s -= t.coef;
  }
  return s;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
