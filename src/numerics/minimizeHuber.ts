/**
 * Minimises a summed Huber loss of residuals, f(θ) = Σ_i Huber_δ(r_i(θ)), for the small
 * (p ≤ ~8) nonlinear problems of the planning laws.
 *
 *   Huber_δ(r) = r²/2            for |r| ≤ δ
 *              = δ·(|r| − δ/2)   otherwise;     ψ(r) = Huber'(r) = clamp(r, −δ, δ)
 *   ∇f = Σ ψ(r_i)·J_i,   ∇²f = Σ ψ'(r_i)·J_i J_iᵀ + Σ ψ(r_i)·∇²r_i
 *
 * Two damped second-order phases (Levenberg–Marquardt with Nielsen's damping update):
 * 1. IRLS / Gauss–Newton: H = Σ w_i J_i J_iᵀ with w_i = ψ(r_i)/r_i. This majorises the
 *    Huber part, so it moves well from far away, where most residuals exceed δ and the
 *    exact Hessian is nearly empty.
 * 2. Newton with the exact Hessian (the residuals' own curvature included), which
 *    converges fast once the set of residuals inside δ has settled.
 * Stops when ‖∇f‖∞ ≤ gradTol (converged) and says so; otherwise reports why it stopped.
 * Besiroglu et al. (2024) traced the published Chinchilla fit's oddities to an optimiser
 * that stopped early, so the stopping reason is part of the result.
 */

import { choleskySolve } from './cholesky.js';
import { huberPsi, huberRho } from './huber.js';

export interface HuberProblem {
  /** Number of residuals. */
  readonly n: number;
  /** Number of parameters. */
  readonly p: number;
  /**
   * Fills r (length n) and the Jacobian J (n×p, row-major: J[i·p + j] = ∂r_i/∂θ_j) at θ.
   * Non-finite residuals mark θ as outside the model's domain.
   */
  residuals(theta: Float64Array, r: Float64Array, J: Float64Array): void;
  /**
   * Optional: adds Σ_i w_i·∇²r_i(θ) to H (p×p row-major). Without it the Newton phase
   * differentiates the gradient numerically (central differences).
   */
  addCurvature?(theta: Float64Array, w: Float64Array, H: Float64Array): void;
}

export interface MinimizeHuberOptions {
  /** Huber threshold δ. Default 1e-3 (Hoffmann et al. 2022). */
  delta?: number;
  /** Converged when ‖∇f‖∞ ≤ gradTol. Default 1e-10. */
  gradTol?: number;
  /** Iteration cap over both phases. Default 400. */
  maxIter?: number;
  /** Iteration cap of the IRLS phase before Newton takes over. Default 60. */
  maxIrlsIter?: number;
}

export type StopReason = 'gradient' | 'max-iterations' | 'no-progress' | 'non-finite';

export interface HuberMinimum {
  theta: Float64Array;
  objective: number;
  /** ‖∇f‖∞ at theta. */
  gradNorm: number;
  iterations: number;
  /** True when the gradient test passed. */
  converged: boolean;
  reason: StopReason;
}

/** Reusable work arrays so the iteration allocates nothing. */
class Work {
  readonly r: Float64Array;
  readonly J: Float64Array;
  readonly w: Float64Array;
  readonly g: Float64Array;
  readonly H: Float64Array;
  readonly A: Float64Array;
  readonly step: Float64Array;
  readonly trial: Float64Array;
  readonly gTmp: Float64Array;
  readonly cand: Float64Array;
  constructor(n: number, p: number) {
    this.r = new Float64Array(n);
    this.J = new Float64Array(n * p);
    this.w = new Float64Array(n);
    this.g = new Float64Array(p);
    this.H = new Float64Array(p * p);
    this.A = new Float64Array(p * p);
    this.step = new Float64Array(p);
    this.trial = new Float64Array(p);
    this.gTmp = new Float64Array(p);
    this.cand = new Float64Array(p);
  }
}

/** f(θ), or +∞ outside the model's domain. Leaves r, J of θ in work. */
function objectiveAt(prob: HuberProblem, theta: Float64Array, wk: Work, delta: number): number {
  prob.residuals(theta, wk.r, wk.J);
  let f = 0;
  for (let i = 0; i < prob.n; i++) f += huberRho(wk.r[i], delta);
  return Number.isFinite(f) ? f : Infinity;
}

/** g = Σ ψ(r_i) J_i from the r, J in work. */
function gradientInto(prob: HuberProblem, wk: Work, delta: number, g: Float64Array): void {
  const { n, p } = prob;
  g.fill(0);
  for (let i = 0; i < n; i++) {
    const psi = huberPsi(wk.r[i], delta);
    if (psi === 0) continue;
    const row = i * p;
    for (let j = 0; j < p; j++) g[j] += psi * wk.J[row + j];
  }
}

/** H = Σ c_i J_i J_iᵀ (upper and lower triangles). */
function weightedGram(prob: HuberProblem, wk: Work, c: Float64Array, H: Float64Array): void {
  const { n, p } = prob;
  H.fill(0);
  for (let i = 0; i < n; i++) {
    const ci = c[i];
    if (ci === 0) continue;
    const row = i * p;
    for (let j = 0; j < p; j++) {
      const cj = ci * wk.J[row + j];
      for (let k = j; k < p; k++) H[j * p + k] += cj * wk.J[row + k];
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) H[j * p + k] = H[k * p + j];
}

/** Solves (H + λ·diag(D)) s = −g by Cholesky; false when not positive definite. */
function dampedSolve(H: Float64Array, g: Float64Array, lambda: number, p: number, A: Float64Array, s: Float64Array): boolean {
  let maxDiag = 0;
  for (let j = 0; j < p; j++) maxDiag = Math.max(maxDiag, Math.abs(H[j * p + j]));
  const floor = Math.max(maxDiag * 1e-12, 1e-300);
  for (let j = 0; j < p * p; j++) A[j] = H[j];
  for (let j = 0; j < p; j++) A[j * p + j] += lambda * Math.max(Math.abs(H[j * p + j]), floor);
  for (let j = 0; j < p; j++) s[j] = -g[j];
  if (!choleskySolve(A, p, p, s, s)) return false;
  for (let i = 0; i < p; i++) if (!Number.isFinite(s[i])) return false;
  return true;
}

function infNorm(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

/** Exact Hessian into wk.H: Σ ψ'(r) J Jᵀ + Σ ψ(r) ∇²r (analytic or by differencing ∇f). */
function exactHessian(prob: HuberProblem, theta: Float64Array, wk: Work, delta: number): void {
  const { n, p } = prob;
  if (prob.addCurvature) {
    for (let i = 0; i < n; i++) wk.w[i] = Math.abs(wk.r[i]) <= delta ? 1 : 0;
    weightedGram(prob, wk, wk.w, wk.H);
    for (let i = 0; i < n; i++) wk.w[i] = Math.max(-delta, Math.min(delta, wk.r[i]));
    prob.addCurvature(theta, wk.w, wk.H);
    return;
  }
  // Central differences of the analytic gradient; θ's own r, J are restored afterwards.
  const h = wk.trial;
  for (let j = 0; j < p; j++) {
    const hj = 1e-5 * Math.max(1, Math.abs(theta[j]));
    h.set(theta);
    h[j] = theta[j] + hj;
    prob.residuals(h, wk.r, wk.J);
    gradientInto(prob, wk, delta, wk.gTmp);
    for (let k = 0; k < p; k++) wk.H[j * p + k] = wk.gTmp[k];
    h[j] = theta[j] - hj;
    prob.residuals(h, wk.r, wk.J);
    gradientInto(prob, wk, delta, wk.gTmp);
    for (let k = 0; k < p; k++) wk.H[j * p + k] = (wk.H[j * p + k] - wk.gTmp[k]) / (2 * hj);
  }
  for (let j = 0; j < p; j++) {
    for (let k = j + 1; k < p; k++) {
      const m = 0.5 * (wk.H[j * p + k] + wk.H[k * p + j]);
      wk.H[j * p + k] = m;
      wk.H[k * p + j] = m;
    }
  }
  prob.residuals(theta, wk.r, wk.J);
}

/** ∇²f at θ (p×p row-major): Σ ψ'(r_i)·J_i J_iᵀ + Σ ψ(r_i)·∇²r_i, the Hessian the Newton phase uses. */
export function huberHessian(prob: HuberProblem, theta: ArrayLike<number>, delta = 1e-3): Float64Array {
  if (theta.length !== prob.p) throw new Error(`huberHessian: theta has ${theta.length} parameters, problem has ${prob.p}`);
  const wk = new Work(prob.n, prob.p);
  const th = Float64Array.from(theta);
  objectiveAt(prob, th, wk, delta);
  exactHessian(prob, th, wk, delta);
  return Float64Array.from(wk.H);
}

/** Minimises Σ Huber_δ(r_i(θ)) from theta0 (not modified). */
export function minimizeHuber(prob: HuberProblem, theta0: ArrayLike<number>, options: MinimizeHuberOptions = {}): HuberMinimum {
  const delta = options.delta ?? 1e-3;
  const gradTol = options.gradTol ?? 1e-10;
  const maxIter = options.maxIter ?? 400;
  const maxIrls = options.maxIrlsIter ?? 60;
  const { n, p } = prob;
  if (theta0.length !== p) throw new Error(`minimizeHuber: start has ${theta0.length} parameters, problem has ${p}`);
  const wk = new Work(n, p);
  const theta = Float64Array.from(theta0);
  let f = objectiveAt(prob, theta, wk, delta);
  if (!Number.isFinite(f)) {
    return { theta, objective: f, gradNorm: Infinity, iterations: 0, converged: false, reason: 'non-finite' };
  }
  gradientInto(prob, wk, delta, wk.g);
  let lambda = 1e-3;
  let nu = 2;
  let newton = false;
  let stalls = 0;
  let iter = 0;
  let reason: StopReason = 'max-iterations';
  for (; iter < maxIter; iter++) {
    if (infNorm(wk.g) <= gradTol) {
      reason = 'gradient';
      break;
    }
    if (!newton && iter >= maxIrls) newton = true;
    if (newton) exactHessian(prob, theta, wk, delta);
    else {
      for (let i = 0; i < n; i++) {
        const a = Math.abs(wk.r[i]);
        wk.w[i] = a <= delta ? 1 : delta / a;
      }
      weightedGram(prob, wk, wk.w, wk.H);
    }
    // Try damped steps until one lowers f (or damping shows no step can).
    let accepted = false;
    for (let tries = 0; tries < 40 && !accepted; tries++) {
      if (!dampedSolve(wk.H, wk.g, lambda, p, wk.A, wk.step)) {
        lambda = Math.max(lambda * nu, 1e-12);
        nu *= 2;
        continue;
      }
      // Predicted decrease of the local quadratic model.
      let gs = 0;
      let sHs = 0;
      for (let j = 0; j < p; j++) {
        gs += wk.g[j] * wk.step[j];
        let hs = 0;
        for (let k = 0; k < p; k++) hs += wk.H[j * p + k] * wk.step[k];
        sHs += wk.step[j] * hs;
      }
      const predicted = -gs - 0.5 * sHs;
      for (let j = 0; j < p; j++) wk.cand[j] = theta[j] + wk.step[j];
      const fNew = objectiveAt(prob, wk.cand, wk, delta);
      gradientInto(prob, wk, delta, wk.gTmp);
      // Near the optimum the decrease falls below the rounding error of the sum; there a
      // step that keeps f within rounding and shrinks the gradient is still progress.
      const roundoff = 1e-13 * Math.abs(f);
      if (fNew < f || (fNew <= f + roundoff && infNorm(wk.gTmp) < infNorm(wk.g))) {
        const rho = predicted > 0 ? (f - fNew) / predicted : 0;
        const decreased = Math.max(f - fNew, 0);
        theta.set(wk.cand);
        f = fNew;
        wk.g.set(wk.gTmp);
        lambda *= Math.max(1 / 3, 1 - Math.pow(2 * rho - 1, 3));
        lambda = Math.max(lambda, 1e-15);
        nu = 2;
        accepted = true;
        // IRLS converges only linearly: once it barely moves f, hand over to Newton.
        if (!newton && decreased <= 1e-9 * Math.max(f, 1e-300)) newton = true;
      } else {
        lambda *= nu;
        nu *= 2;
      }
    }
    if (!accepted) {
      // Restore r, J, g at θ (the trials overwrote r, J).
      objectiveAt(prob, theta, wk, delta);
      gradientInto(prob, wk, delta, wk.g);
      if (!newton) {
        newton = true;
        lambda = 1e-3;
        nu = 2;
        continue;
      }
      if (++stalls >= 3) {
        reason = 'no-progress';
        break;
      }
      lambda = 1e-3;
      nu = 2;
    } else stalls = 0;
  }
  const gradNorm = infNorm(wk.g);
  if (reason === 'max-iterations' && gradNorm <= gradTol) reason = 'gradient';
  return { theta, objective: f, gradNorm, iterations: iter, converged: gradNorm <= gradTol, reason };
}
