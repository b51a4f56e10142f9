/**
 * fitDiagnostics: how well a fitted law L̂(n) = ε + β·n^(−α) describes the points it was
 * fitted to, and how well the points determine it. Pure; O(N).
 *
 * In log space, with y_i = log ℓ_i, r_i = log L̂(n_i) − y_i (the residuals the fit's Huber
 * objective reads), θ = (a, e, α):
 *   rms = sqrt(Σ r_i² / N),
 *   R²  = 1 − Σ r_i² / Σ (y_i − ȳ)²            (null when every y_i is the same),
 *   SE  = sqrt(σ̂² · diag(H_FF⁻¹)),  σ̂² = Σ r_i² / (N − |F|),  H = JᵀJ,
 * where J_i = ∂r_i/∂θ = (p_i, 1 − p_i, −p_i·log n_i), p_i = β n_i^−α / L̂(n_i), and F the
 * parameters not at a bound. That is the Gauss–Newton Hessian of the least-squares
 * objective ½·Σ r_i² (unscaled: one unit weight per point) at the fitted θ, i.e. the
 * asymptotic covariance of a least-squares fit with independent residuals of variance σ̂².
 * The fit minimises Huber_δ, not squares; with residuals below δ (1e-3, the usual case for
 * smoothed curves) the two coincide, and above it the Huber fit is the more robust one and
 * its spread ≈ √(π/2) ≈ 1.25× this SE for Gaussian noise. fitDomains' points are smoothed
 * and subsampled, so neighbours are correlated and the SE is then a lower bound on the
 * spread: use it relatively (SE(α)/α), as fitChecks does.
 *
 * SE(ε) = ε·SE(e) (delta method). A parameter at a bound (within 1e-6, relative above 1)
 * has no SE (null) and is held fixed for the others'; so is every parameter when the free
 * block of H is singular (relative pivot ≤ 1e-12: the points cannot separate them) or when
 * N ≤ |F|. Bounds are the preset's (fitBounds.ts): hard limits and, for `reference`, the
 * penalties' kinks, where the penalised optimum sits when a penalty binds.
 */
import { logLossLevel, presetLimits, kinksOf, type ParamLimits } from './fitBounds.js';
import type { BoundPreset, PowerLawParams } from './types.js';
import { evaluateObjective, lawDataOf, newObjectiveState, type ObjectiveState } from './lawObjective.js';

export type LawParam = 'a' | 'e' | 'alpha';

/** A parameter sitting on one of its bounds. */
export interface ActiveBound {
  param: LawParam;
  /** `lower`: the parameter cannot go lower (θ = lo or a penalty's lower kink); `upper` likewise. */
  side: 'lower' | 'upper';
  value: number;
  /** `limit`: a hard limit; `penalty`: a reference penalty's kink. */
  kind: 'limit' | 'penalty';
}

export interface FitDiagnostics {
  /** Points fitted. */
  points: number;
  /** Residual RMS of log L̂ − log ℓ (nats); null without points. */
  rms: number | null;
  /** R² in log space; null when log ℓ does not vary. */
  r2: number | null;
  /** Standard errors (null: at a bound, or not determined by the points). `epsilon` = ε·SE(e). */
  se: { a: number | null; e: number | null; alpha: number | null; epsilon: number | null };
  /** The parameters at a bound (empty when none). */
  activeBounds: ActiveBound[];
}

export interface FitDiagnosticsOptions {
  /** The bound preset the fit used (default 'auto'). */
  preset?: BoundPreset;
}

const PARAMS: readonly LawParam[] = ['a', 'e', 'alpha'];
const BOUND_TOLERANCE = 1e-6;
const PIVOT_TOLERANCE = 1e-12;

export function fitDiagnostics(
  n: ArrayLike<number>,
  loss: ArrayLike<number>,
  params: PowerLawParams,
  options: FitDiagnosticsOptions = {},
): FitDiagnostics {
  const N = n.length;
  if (loss.length !== N) throw new Error(`fitDiagnostics: n has ${N} points but loss has ${loss.length}`);
  const preset = options.preset ?? 'auto';
  const x = new Float64Array(N);
  const y = new Float64Array(N);
  let maxX = -Infinity;
  for (let i = 0; i < N; i++) {
    const ni = n[i];
    const li = loss[i];
    if (!(ni > 0) || !(li > 0)) throw new Error(`fitDiagnostics: point ${i} needs n > 0 and loss > 0, got n = ${ni}, loss = ${li}`);
    x[i] = Math.log(ni);
    y[i] = Math.log(li);
    if (x[i] > maxX) maxX = x[i];
  }
  const theta = [params.a, params.e, params.alpha];
  if (N === 0) return diagnosticsAt(newObjectiveState(), 0, theta, [], 0);
  const state = newObjectiveState();
  evaluateObjective(lawDataOf(x, y, 1), theta, 1e-3, state);
  return diagnosticsAt(state, N, theta, presetLimits(preset, logLossLevel(x, loss), maxX), sumSquaresAboutMean(y));
}

/** Σ (y_i − ȳ)², ȳ from a first pass. */
export function sumSquaresAboutMean(y: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= y.length;
  let ss = 0;
  for (let i = 0; i < y.length; i++) {
    const d = y[i] - mean;
    ss += d * d;
  }
  return ss;
}

/**
 * The diagnostics of θ from the objective's state at θ over all N points (its Σ r² and JᵀJ,
 * see lawObjective.ts), the preset's limits and Σ (y − ȳ)²: fitPowerLaw hands over the state
 * of its last Newton iteration, fitDiagnostics evaluates one.
 */
export function diagnosticsAt(state: ObjectiveState, N: number, theta: number[], limits: readonly ParamLimits[], ssTot: number): FitDiagnostics {
  const activeBounds = N > 0 ? boundsAt(theta, limits) : [];
  const ssRes = N > 0 ? state.ssRes : 0;
  const t = state.jtj;
  const H = Float64Array.of(t[0], t[1], t[2], t[1], t[3], t[4], t[2], t[4], t[5]);
  const free = [0, 1, 2].filter((i) => !activeBounds.some((b) => b.param === PARAMS[i]));
  const se: (number | null)[] = [null, null, null];
  if (N > free.length && free.length > 0) {
    const inv = invertBlock(H, free);
    if (inv !== undefined) {
      const s2 = ssRes / (N - free.length);
      free.forEach((i, m) => {
        const v = s2 * inv[m];
        se[i] = v >= 0 && Number.isFinite(v) ? Math.sqrt(v) : null;
      });
    }
  }
  return {
    points: N,
    rms: N > 0 ? Math.sqrt(ssRes / N) : null,
    r2: ssTot > 0 ? 1 - ssRes / ssTot : null,
    se: { a: se[0], e: se[1], alpha: se[2], epsilon: se[1] === null ? null : Math.exp(theta[1]) * se[1] },
    activeBounds,
  };
}

/** The parameters of θ within tolerance of a hard limit or a penalty's kink. */
function boundsAt(theta: number[], limits: readonly ParamLimits[]): ActiveBound[] {
  const out: ActiveBound[] = [];
  theta.forEach((v, i) => {
    const lim = limits[i];
    const at = (b: number) => Math.abs(v - b) <= BOUND_TOLERANCE * Math.max(1, Math.abs(b));
    const param = PARAMS[i];
    if (at(lim.lo)) out.push({ param, side: 'lower', value: lim.lo, kind: 'limit' });
    else if (at(lim.hi)) out.push({ param, side: 'upper', value: lim.hi, kind: 'limit' });
    else {
      const kink = kinksOf(lim).find(at);
      if (kink !== undefined) {
        const term = lim.terms.find((t) => t.kink === kink)!;
        // A penalty on v above its kink keeps v from rising: an upper bound.
        out.push({ param, side: term.above ? 'upper' : 'lower', value: kink, kind: 'penalty' });
      }
    }
  });
  return out;
}

/**
 * diag of the inverse of H restricted to rows/columns `idx` (≤ 3), or undefined when that
 * block is singular. Scaled to unit diagonal first (Jacobi), so the pivot test is relative.
 */
function invertBlock(H: Float64Array, idx: number[]): Float64Array | undefined {
  const m = idx.length;
  const d = idx.map((i) => Math.sqrt(H[i * 3 + i]));
  if (d.some((v) => !(v > 0) || !Number.isFinite(v))) return undefined;
  // Augmented [S | I] with S the scaled block; Gauss–Jordan with partial pivoting.
  const A = Array.from({ length: m }, (_, r) =>
    Float64Array.from({ length: 2 * m }, (_, c) => (c < m ? H[idx[r] * 3 + idx[c]] / (d[r] * d[c]) : c - m === r ? 1 : 0)),
  );
  for (let c = 0; c < m; c++) {
    let piv = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    if (!(Math.abs(A[piv][c]) > PIVOT_TOLERANCE)) return undefined;
    [A[c], A[piv]] = [A[piv], A[c]];
    const inv = 1 / A[c][c];
    for (let k = 0; k < 2 * m; k++) A[c][k] *= inv;
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const f = A[r][c];
      if (f !== 0) for (let k = 0; k < 2 * m; k++) A[r][k] -= f * A[c][k];
    }
  }
  return Float64Array.from(idx, (_, r) => A[r][m + r] / (d[r] * d[r]));
}
