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
 * Internal to src/curves (closedFormFitter serves profileRefine.ts; boxWls also
 * sim/calibrate.ts).
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
 *
 * Per point, ℓ_i and 1/ℓ_i² are computed once, and u_i = exp(−α·(x_i − x̄)) steps along
 * the grid by one multiplication, u_i ← u_i·exp(−Δα·(x_i − x̄)) (≤ 40 roundings, ~1e-14
 * relative): an α costs two logarithms per point (one per IRLS pass), no exponential.
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
  const work = scanWork(data);
  const { x, u, xref } = work;
  const N = x.length;
  const ratio = new Float64Array(N);
  const dAlpha = (hi[2] - lo[2]) / steps;
  for (let i = 0; i < N; i++) {
    u[i] = Math.exp(-lo[2] * (x[i] - xref));
    ratio[i] = Math.exp(-dAlpha * (x[i] - xref));
  }
  // The profile: f and θ of every grid value of α that gave a finite fit, in order of α.
  const profileF = new Float64Array(steps + 1);
  const profileTheta = new Float64Array(3 * (steps + 1));
  let m = 0;
  const theta = new Float64Array(3);
  for (let s = 0; s <= steps; s++) {
    const alpha = lo[2] + ((hi[2] - lo[2]) * s) / steps;
    if (s > 0) for (let i = 0; i < N; i++) u[i] *= ratio[i];
    const f = fitAtAlpha(work, alpha, lo, hi, delta, penalty, theta);
    if (Number.isNaN(f)) continue;
    profileF[m] = f;
    profileTheta.set(theta, 3 * m);
    m++;
  }
  return profileMinima(profileF, profileTheta, m, maxStarts);
}

/**
 * The scan's closed-form fit (a, e) at single values of α on `data`, its per-point work
 * done once: starts for local solves at a given α. The fitter returns undefined where the
 * closed form has no finite solution.
 */
export function closedFormFitter(
  data: LawData,
): (alpha: number, lo: ArrayLike<number>, hi: ArrayLike<number>, delta: number) => [number, number] | undefined {
  const work = scanWork(data);
  const { x, u, xref } = work;
  const theta = new Float64Array(3);
  return (alpha, lo, hi, delta) => {
    for (let i = 0; i < x.length; i++) u[i] = Math.exp(-alpha * (x[i] - xref));
    return Number.isNaN(fitAtAlpha(work, alpha, lo, hi, delta, undefined, theta)) ? undefined : [theta[0], theta[1]];
  };
}

/** What the closed-form fits read at every α (per point ℓ_i and 1/ℓ_i², computed once), and scratch. */
interface ScanWork {
  x: Float64Array;
  y: Float64Array;
  /** Mean of x: u_i = exp(−α·(x_i − x̄)) stays near 1. */
  xref: number;
  scale: number;
  ell: Float64Array;
  w0: Float64Array;
  /** IRLS weights and u_i at the current α. */
  w: Float64Array;
  u: Float64Array;
  theta: Float64Array;
  sol: Float64Array;
}

function scanWork(data: LawData): ScanWork {
  const { x, y } = data;
  const N = x.length;
  let xref = 0;
  for (let i = 0; i < N; i++) xref += x[i];
  xref /= N;
  const ell = new Float64Array(N);
  const w0 = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    ell[i] = Math.exp(y[i]);
    w0[i] = 1 / (ell[i] * ell[i]);
  }
  return {
    x,
    y,
    xref,
    scale: data.scale,
    ell,
    w0,
    w: new Float64Array(N),
    u: new Float64Array(N),
    theta: new Float64Array(3),
    sol: new Float64Array(2),
  };
}

/**
 * The closed-form fit at α, with u_i = exp(−α·(x_i − x̄)) in work.u: IRLS_PASSES weighted
 * box-constrained solves for (ε, β), clamped to [lo, hi] in (a, e); the best pass (Σ Huber
 * plus `penalty`) into `best`. Returns its objective, NaN when no pass gave a finite one.
 */
function fitAtAlpha(
  work: ScanWork,
  alpha: number,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  delta: number,
  penalty: ((theta: ArrayLike<number>) => number) | undefined,
  best: Float64Array,
): number {
  const { xref, u, w, w0, theta, sol } = work;
  w.set(w0);
  // β' = β·exp(−α·xref) multiplies u; its limits follow from those of a.
  const bLo = Math.exp(lo[0] - alpha * xref);
  const bHi = Math.exp(hi[0] - alpha * xref);
  const epsLo = Math.exp(lo[1]);
  const epsHi = Math.exp(hi[1]);
  let bestF = NaN;
  for (let pass = 0; pass < IRLS_PASSES; pass++) {
    boxWlsInto(u, work.ell, w, epsLo, epsHi, bLo, bHi, sol);
    const eps = sol[0];
    const b = sol[1];
    theta[0] = Math.min(hi[0], Math.max(lo[0], Math.log(b) + alpha * xref));
    theta[1] = Math.min(hi[1], Math.max(lo[1], Math.log(eps)));
    theta[2] = alpha;
    if (!Number.isFinite(theta[0]) || !Number.isFinite(theta[1])) break;
    const reweight = pass + 1 < IRLS_PASSES;
    let f = huberScan(u, work.y, eps, b, delta, w0, reweight ? w : undefined) * work.scale;
    if (penalty) f += penalty(theta);
    if (!(f >= 0)) break;
    if (Number.isNaN(bestF) || f < bestF) {
      bestF = f;
      best.set(theta);
    }
  }
  return bestF;
}

/**
 * Σ_i Huber_δ(log(ε + b·u_i) − y_i); with `w`, also the next IRLS weights
 * w_i = min(1, δ/|r_i|)·w0_i into it.
 */
function huberScan(
  u: Float64Array,
  y: Float64Array,
  eps: number,
  b: number,
  delta: number,
  w0: Float64Array,
  w: Float64Array | undefined,
): number {
  let f = 0;
  for (let i = 0; i < u.length; i++) {
    const r = Math.log(eps + b * u[i]) - y[i];
    const ar = r < 0 ? -r : r;
    if (ar <= delta) {
      f += 0.5 * r * r;
      if (w) w[i] = w0[i];
    } else {
      f += delta * (ar - 0.5 * delta);
      if (w) w[i] = (delta / ar) * w0[i];
    }
  }
  return f;
}

/**
 * Local minima of the profile (the first `m` entries) along α, best first: at most
 * `maxStarts`; the profile's minimum when it has no strict local minimum (flat).
 */
function profileMinima(f: Float64Array, theta: Float64Array, m: number, maxStarts: number): ScanStart[] {
  const start = (s: number): ScanStart => ({ theta: [theta[3 * s], theta[3 * s + 1], theta[3 * s + 2]], f: f[s] });
  const minima: ScanStart[] = [];
  for (let s = 0; s < m; s++) {
    const left = s > 0 ? f[s - 1] : Infinity;
    const right = s + 1 < m ? f[s + 1] : Infinity;
    if (f[s] <= left && f[s] <= right && !(f[s] === left && f[s] === right)) minima.push(start(s));
  }
  if (minima.length === 0 && m > 0) {
    let best = 0;
    for (let s = 1; s < m; s++) if (f[s] < f[best]) best = s;
    minima.push(start(best));
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
  const out = new Float64Array(2);
  boxWlsInto(u, ell, w, eLo, eHi, bLo, bHi, out);
  return [out[0], out[1]];
}

/** boxWls into out = [ε, b], without allocating. */
function boxWlsInto(
  u: Float64Array,
  ell: Float64Array,
  w: Float64Array,
  eLo: number,
  eHi: number,
  bLo: number,
  bHi: number,
  out: Float64Array,
): void {
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
  const det = s0 * s2 - s1 * s1;
  if (det > 1e-12 * s0 * s2) {
    const e = (t0 * s2 - t1 * s1) / det;
    const b = (s0 * t1 - s1 * t0) / det;
    if (e >= eLo && e <= eHi && b >= bLo && b <= bHi) {
      out[0] = e;
      out[1] = b;
      return;
    }
  }
  // The edges ε = eLo, ε = eHi, b = bLo, b = bHi, each at its best other coordinate; the
  // first with the lowest objective ½·(s0ε² + 2s1εb + s2b²) − t0ε − t1b (finite b) wins.
  let bestQ = Infinity;
  out[0] = eLo;
  out[1] = clamp((t1 - s1 * eLo) / s2, bLo, bHi);
  for (let c = 0; c < 4; c++) {
    const e = c === 0 ? eLo : c === 1 ? eHi : clamp((t0 - s1 * (c === 2 ? bLo : bHi)) / s0, eLo, eHi);
    const b = c < 2 ? clamp((t1 - s1 * e) / s2, bLo, bHi) : c === 2 ? bLo : bHi;
    const q = 0.5 * (s0 * e * e + 2 * s1 * e * b + s2 * b * b) - t0 * e - t1 * b;
    if (Number.isFinite(b) && q < bestQ) {
      bestQ = q;
      out[0] = e;
      out[1] = b;
    }
  }
}

function clamp(v: number, l: number, h: number): number {
  return v < l ? l : v > h ? h : v;
}
