/**
 * The ADO fitting objective on one data set, with its exact gradient and Hessian.
 *
 *   f(θ) = Σ_i H_δ(r_i),  r_i = log L̂(n_i) − log ℓ_i,  log L̂ = logsumexp(a − α·x_i, e),
 *
 * θ = (a, e, α), x_i = log n_i, y_i = log ℓ_i. With z = a − α·x − e and p = σ(z) (the
 * share of β·n^−α in L̂), q = 1 − p:
 *
 *   ∂r/∂θ = (p, q, −x·p),      ∇²r = p·q·v·vᵀ with v = (1, −1, −x),
 *   ∇f = Σ ψ(r)·∂r/∂θ,         ∇²f = Σ ψ'(r)·∂r ∂rᵀ + ψ(r)·p·q·v·vᵀ.
 *
 * Internal to src/curves (the fitters use it); not part of the public API.
 */
import { huberRho } from '../numerics/huber.js';

/** Index of each parameter in θ. */
export const A = 0;
export const E = 1;
export const ALPHA = 2;

/** Per-point data of a fit: x = log n, y = log loss. */
export interface LawData {
  x: Float64Array;
  y: Float64Array;
  /**
   * Weight of every point: 1, or N/m for a subsample of m out of N points, so that its
   * objective estimates the full sum and stays commensurate with the penalties. Always
   * set, so that every LawData has one shape (the objective's compiled code stays valid).
   */
  scale: number;
}

/**
 * A LawData. `scale` is created as NaN and then set, so that the field holds doubles from
 * the first object on: created as the integer 1 (all points), it would change type at the
 * first subsample's N/m, the objects would change shape, and V8 would throw away the
 * objective's optimised code mid-fit (and sometimes run it as slow on-stack-replacement code
 * from then on).
 */
export function lawDataOf(x: Float64Array, y: Float64Array, scale: number): LawData {
  const data: LawData = { x, y, scale: NaN };
  data.scale = scale;
  return data;
}

/** Result buffers of `evaluateObjective`; allocate once with `newObjectiveState`. */
export interface ObjectiveState {
  f: number;
  /** ∇f (3). */
  g: Float64Array;
  /** ∇²f, row-major 3×3. */
  h: Float64Array;
  /**
   * Per component, the size of the terms summed into ∇f (Σ|ψ·∂r/∂θ_j|) and the rounding
   * floor of ∇f (Σ|∂r/∂θ_j|·(1+|y|)): the scale that a relative gradient test needs.
   */
  gAbs: Float64Array;
  gFloor: Float64Array;
  /** Σ r_i² and the Gauss–Newton matrix JᵀJ over every point (upper triangle: 00 01 02 11 12 22), unscaled: what fitDiagnostics reads. */
  ssRes: number;
  jtj: Float64Array;
}

export function newObjectiveState(): ObjectiveState {
  return {
    // NaN, not 0: f holds doubles from the start, so the object's shape never changes
    f: NaN,
    g: new Float64Array(3),
    h: new Float64Array(9),
    gAbs: new Float64Array(3),
    gFloor: new Float64Array(3),
    ssRes: NaN,
    jtj: new Float64Array(6),
  };
}

/** f(θ) only. */
export function objectiveValue(data: LawData, theta: ArrayLike<number>, delta: number): number {
  const { x, y } = data;
  const a = theta[A];
  const e = theta[E];
  const alpha = theta[ALPHA];
  let f = 0;
  for (let i = 0; i < x.length; i++) {
    const z = a - alpha * x[i] - e;
    // log L̂ = e + softplus(z)
    const sp = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    f += huberRho(e + sp - y[i], delta);
  }
  return f * data.scale;
}

/** f, ∇f and ∇²f at θ into `s`; returns f. */
export function evaluateObjective(
  data: LawData,
  theta: ArrayLike<number>,
  delta: number,
  s: ObjectiveState,
): number {
  const { x, y } = data;
  const a = theta[A];
  const e = theta[E];
  const alpha = theta[ALPHA];
  const halfDelta = 0.5 * delta;
  let f = 0;
  // ρ_δ and ψ_δ of numerics/huber.ts, inlined: the branch also selects the Gauss–Newton term.
  let g0 = 0, g1 = 0, g2 = 0;
  let b0 = 0, b1 = 0, b2 = 0;
  let c0 = 0, c1 = 0, c2 = 0;
  // Gauss–Newton part Σ ψ'·J Jᵀ (upper triangle) and curvature part Σ ψ·p·q·v vᵀ.
  let h00 = 0, h01 = 0, h02 = 0, h11 = 0, h12 = 0, h22 = 0;
  let k = 0, kx = 0, kxx = 0;
  // Σ r² and JᵀJ over all points (for fitDiagnostics: one pass less at a refit)
  let ss = 0, t00 = 0, t01 = 0, t02 = 0, t11 = 0, t12 = 0, t22 = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const z = a - alpha * xi - e;
    const t = Math.exp(-(z < 0 ? -z : z));
    const inv = 1 / (1 + t);
    let p: number, q: number, sp: number;
    if (z >= 0) {
      p = inv;
      q = t * inv;
      sp = z + Math.log1p(t);
    } else {
      p = t * inv;
      q = inv;
      sp = Math.log1p(t);
    }
    const r = e + sp - y[i];
    const ar = r < 0 ? -r : r;
    const ja = p;
    const je = q;
    const jx = -xi * p;
    const ajx = jx < 0 ? -jx : jx;
    const fy = 1 + (y[i] < 0 ? -y[i] : y[i]);
    ss += r * r;
    t00 += ja * ja;
    t01 += ja * je;
    t02 += ja * jx;
    t11 += je * je;
    t12 += je * jx;
    t22 += jx * jx;
    c0 += ja * fy;
    c1 += je * fy;
    c2 += ajx * fy;
    // ψ = clamp(r, −δ, δ) by min/max, a double throughout (a branch handing out δ itself
    // let V8 box ψ on the heap, an allocation per point)
    const psi = Math.min(delta, Math.max(-delta, r));
    if (ar <= delta) {
      f += 0.5 * r * r;
      h00 += ja * ja;
      h01 += ja * je;
      h02 += ja * jx;
      h11 += je * je;
      h12 += je * jx;
      h22 += jx * jx;
    } else {
      f += delta * (ar - halfDelta);
    }
    g0 += psi * ja;
    g1 += psi * je;
    g2 += psi * jx;
    const apsi = psi < 0 ? -psi : psi;
    b0 += apsi * ja;
    b1 += apsi * je;
    b2 += apsi * ajx;
    const cw = psi * p * q;
    k += cw;
    kx += cw * xi;
    kxx += cw * xi * xi;
  }
  // v = (1, −1, −x): v vᵀ = [[1, −1, −x], [−1, 1, x], [−x, x, x²]]
  const w = data.scale;
  const h = s.h;
  h[0] = w * (h00 + k);
  h[1] = h[3] = w * (h01 - k);
  h[2] = h[6] = w * (h02 - kx);
  h[4] = w * (h11 + k);
  h[5] = h[7] = w * (h12 + kx);
  h[8] = w * (h22 + kxx);
  s.g[0] = w * g0;
  s.g[1] = w * g1;
  s.g[2] = w * g2;
  s.gAbs[0] = w * b0;
  s.gAbs[1] = w * b1;
  s.gAbs[2] = w * b2;
  s.gFloor[0] = w * c0;
  s.gFloor[1] = w * c1;
  s.gFloor[2] = w * c2;
  s.ssRes = ss;
  const jtj = s.jtj;
  jtj[0] = t00;
  jtj[1] = t01;
  jtj[2] = t02;
  jtj[3] = t11;
  jtj[4] = t12;
  jtj[5] = t22;
  f *= w;
  s.f = f;
  return f;
}
