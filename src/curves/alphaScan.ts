/**
 * Start finder for power-law fits: a scan over the exponent α.
 *
 * For a fixed α the law L = ε + β·n^−α is linear in (ε, β). With weights w_i ≈ 1/ℓ_i²,
 * Σ w_i (ε + β·u_i − ℓ_i)² (u_i = n_i^−α) approximates the log-space least-squares
 * objective, and its minimiser over the box of (ε, β) is a 2×2 quadratic programme solved
 * in closed form. A few Huber IRLS passes (w_i = min(1, δ/|r_i|)/ℓ_i²) adapt it to the
 * robust objective. Scanning α on a grid profiles the objective; its local minima are the
 * starts handed to the local fitter. Cost: O(grid × points), no iterations to tune.
 *
 * Internal to src/curves (boxWls also serves sim/calibrate.ts).
 */
import type { LawData } from './lawObjective.js';

export interface ScanStart {
  /** θ = (a, e, α). */
  theta: [number, number, number];
  /** Objective (Σ Huber) on the scanned data. */
  f: number;
}

const IRLS_PASSES = 2;

/**
 * Profiles the objective over α ∈ [alphaLo, alphaHi] (`steps` + 1 values) on `data` and
 * returns up to `maxStarts` local minima of the profile, best first. `penalty`, if given,
 * is added to the objective when ranking (the closed form itself ignores it).
 */
export function alphaScan(
  data: LawData,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  delta: number,
  steps: number,
  maxStarts: number,
  penalty?: (theta: ArrayLike<number>) => number,
): ScanStart[] {
  const { x, y } = data;
  const N = x.length;
  let xref = 0;
  for (let i = 0; i < N; i++) xref += x[i];
  xref /= N;
  const ell = new Float64Array(N);
  for (let i = 0; i < N; i++) ell[i] = Math.exp(y[i]);
  const u = new Float64Array(N);
  const w = new Float64Array(N);
  const epsLo = Math.exp(lo[1]);
  const epsHi = Math.exp(hi[1]);
  const profile: ScanStart[] = [];
  const theta: [number, number, number] = [0, 0, 0];

  for (let s = 0; s <= steps; s++) {
    const alpha = lo[2] + ((hi[2] - lo[2]) * s) / steps;
    for (let i = 0; i < N; i++) {
      u[i] = Math.exp(-alpha * (x[i] - xref));
      w[i] = 1 / (ell[i] * ell[i]);
    }
    // β' = β·exp(−α·xref) multiplies u; its limits follow from those of a.
    const bLo = Math.exp(lo[0] - alpha * xref);
    const bHi = Math.exp(hi[0] - alpha * xref);
    let best: ScanStart | undefined;
    for (let pass = 0; pass < IRLS_PASSES; pass++) {
      const [eps, b] = boxWls(u, ell, w, epsLo, epsHi, bLo, bHi);
      theta[0] = Math.min(hi[0], Math.max(lo[0], Math.log(b) + alpha * xref));
      theta[1] = Math.min(hi[1], Math.max(lo[1], Math.log(eps)));
      theta[2] = alpha;
      if (!Number.isFinite(theta[0]) || !Number.isFinite(theta[1])) break;
      // Σ Huber of the log-space residuals, and the IRLS weights for the next pass.
      let f = 0;
      for (let i = 0; i < N; i++) {
        const r = Math.log(eps + b * u[i]) - y[i];
        const ar = r < 0 ? -r : r;
        if (ar <= delta) {
          f += 0.5 * r * r;
          w[i] = 1 / (ell[i] * ell[i]);
        } else {
          f += delta * (ar - 0.5 * delta);
          w[i] = delta / ar / (ell[i] * ell[i]);
        }
      }
      f *= data.scale ?? 1;
      if (penalty) f += penalty(theta);
      if (!(f >= 0)) break;
      if (best === undefined || f < best.f) best = { theta: [theta[0], theta[1], theta[2]], f };
    }
    if (best !== undefined) profile.push(best);
  }

  // Local minima of the profile along α, best first.
  const minima: ScanStart[] = [];
  for (let s = 0; s < profile.length; s++) {
    const f = profile[s].f;
    const left = s > 0 ? profile[s - 1].f : Infinity;
    const right = s + 1 < profile.length ? profile[s + 1].f : Infinity;
    if (f <= left && f <= right && !(f === left && f === right)) minima.push(profile[s]);
  }
  if (minima.length === 0 && profile.length > 0) {
    minima.push(profile.reduce((m, p) => (p.f < m.f ? p : m)));
  }
  minima.sort((p, q) => p.f - q.f);
  return minima.slice(0, maxStarts);
}

/**
 * argmin over ε ∈ [eLo, eHi], b ∈ [bLo, bHi] of Σ w_i (ε + b·u_i − ℓ_i)²: the interior
 * solution of the normal equations if it is feasible, else the best point on the edges
 * (the problem is a convex quadratic, so one of these is the minimiser). Also the
 * simulator's calibration (sim/calibrate.ts), with w = 1 and the box [0, ∞)².
 */
export function boxWls(
  u: Float64Array,
  ell: Float64Array,
  w: Float64Array,
  eLo: number,
  eHi: number,
  bLo: number,
  bHi: number,
): [number, number] {
  let s0 = 0, s1 = 0, s2 = 0, t0 = 0, t1 = 0;
  for (let i = 0; i < u.length; i++) {
    const wi = w[i];
    const wu = wi * u[i];
    s0 += wi;
    s1 += wu;
    s2 += wu * u[i];
    t0 += wi * ell[i];
    t1 += wu * ell[i];
  }
  const q = (e: number, b: number): number => 0.5 * (s0 * e * e + 2 * s1 * e * b + s2 * b * b) - t0 * e - t1 * b;
  const det = s0 * s2 - s1 * s1;
  if (det > 1e-12 * s0 * s2) {
    const e = (t0 * s2 - t1 * s1) / det;
    const b = (s0 * t1 - s1 * t0) / det;
    if (e >= eLo && e <= eHi && b >= bLo && b <= bHi) return [e, b];
  }
  const clamp = (v: number, l: number, h: number): number => (v < l ? l : v > h ? h : v);
  const cands: [number, number][] = [];
  for (const e of [eLo, eHi]) cands.push([e, clamp((t1 - s1 * e) / s2, bLo, bHi)]);
  for (const b of [bLo, bHi]) cands.push([clamp((t0 - s1 * b) / s0, eLo, eHi), b]);
  let best = cands[0];
  let bestQ = Infinity;
  for (const c of cands) {
    const v = q(c[0], c[1]);
    if (Number.isFinite(c[1]) && v < bestQ) {
      bestQ = v;
      best = c;
    }
  }
  return best;
}
