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
 * Each inner solve at a new α starts where the inner optimum is predicted to be,
 * (a, e) − H_FF⁻¹·H_Fα·Δα (the same Schur solve, to first order), or, for steps too long
 * to trust that, from the scan's closed form at the new α (alphaScan.ts): a few Newton
 * iterations each instead of the dozens a start at the previous (a, e) costs.
 *
 * Internal to src/curves.
 */
import type { LawData } from './lawObjective.js';
import { kinksOf, penaltyAt, type FitLimits, type ParamLimits } from './fitBounds.js';
import { FLAT, FLOOR, TOL, penalizedNewton, type NewtonResult } from './penalizedNewton.js';
import { closedFormFitter } from './alphaScan.js';

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
  /** Slopes da/dα, de/dα of the inner optimum (0 where pinned or not available). */
  da: number;
  de: number;
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
    // u = H_FF⁻¹·H_Fα over the free inner variables F: the inner optimum moves by −u·dα,
    // and G'' is the Schur complement H_αα − H_αF·u.
    const freeA = !pinned(limits[0], ra);
    const freeE = !pinned(limits[1], re);
    let u0 = 0;
    let u1 = 0;
    let curvature = h[8];
    if (freeA && freeE) {
      const det = h[0] * h[4] - h[1] * h[3];
      if (det > 0) {
        u0 = (h[4] * h[2] - h[1] * h[5]) / det;
        u1 = (-h[3] * h[2] + h[0] * h[5]) / det;
        curvature -= h[6] * u0 + h[7] * u1;
      } else curvature = NaN;
    } else if (freeA) {
      if (h[0] > 0) u0 = h[2] / h[0];
      curvature = h[0] > 0 ? curvature - h[6] * u0 : NaN;
    } else if (freeE) {
      if (h[4] > 0) u1 = h[5] / h[4];
      curvature = h[4] > 0 ? curvature - h[7] * u1 : NaN;
    }
    const tol = TOL * (gAbs[2] + 1) + FLOOR * gFloor[2] + FLAT * r.f;
    return { alpha, a: ra, e: re, G, galpha: g[2], curvature, da: -u0, de: -u1, tol, f: r.f };
  };

  // closed-form inner starts over the box of (a, e), set up on first use
  const box = { lo: [limits[0].lo, limits[1].lo], hi: [limits[0].hi, limits[1].hi] };
  let closedForm: ReturnType<typeof closedFormFitter> | undefined;
  /**
   * The closed-form (a, e) at α where it lies strictly inside the box: a start on a limit
   * (typically ε at its floor, where the WLS solution wanted ε ≤ 0) is a plateau on which
   * ε or β no longer matters, and Newton would stay there.
   */
  const interiorClosedForm = (alpha: number): [number, number] | undefined => {
    closedForm ??= closedFormFitter(data);
    const t = closedForm(alpha, box.lo, box.hi, delta);
    return t !== undefined && t.every((v, j) => v > box.lo[j] && v < box.hi[j]) ? t : undefined;
  };
  /**
   * G at α = target, next to `from`: the inner solve starts from the predicted inner optimum
   * (or the closed form). Should G not fall below from.G although the solve went far from
   * its start (more than MAX_PREDICTED_MOVE in a or e: Newton left for another basin of
   * (a, e), typically β → 0), the solve from from's (a, e), the plain continuation, is tried
   * as well and the better kept: a rise that stops the step must be the profile's.
   */
  const profileAt = (target: number, from: ProfilePoint): ProfilePoint => {
    const start = predictedStart(from, target) ?? interiorClosedForm(target);
    if (start === undefined) return solve(target, from.a, from.e);
    const p = solve(target, start[0], start[1]);
    const far = Math.abs(p.a - start[0]) > MAX_PREDICTED_MOVE || Math.abs(p.e - start[1]) > MAX_PREDICTED_MOVE;
    if (p.G < from.G || !far) return p;
    const plain = solve(target, from.a, from.e);
    return plain.G < p.G ? plain : p;
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
      const cand = profileAt(target, cur);
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

/** Largest move of a or e (nats) for which the first-order prediction of the inner optimum is used. */
const MAX_PREDICTED_MOVE = 1;

/**
 * The first-order prediction of the inner optimum at α = target,
 * (a, e) + (da/dα, de/dα)·(target − α), where it moves a and e by at most
 * MAX_PREDICTED_MOVE; beyond that the linearisation is not to be trusted (far from the
 * optimum de/dα can be huge), and undefined is returned.
 */
function predictedStart(cur: ProfilePoint, target: number): [number, number] | undefined {
  const da = cur.da * (target - cur.alpha);
  const de = cur.de * (target - cur.alpha);
  if (Math.abs(da) <= MAX_PREDICTED_MOVE && Math.abs(de) <= MAX_PREDICTED_MOVE) return [cur.a + da, cur.e + de];
  return undefined;
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
