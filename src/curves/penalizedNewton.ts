/**
 * Final polish of a power-law fit: minimises f(θ) + P(θ) (the summed Huber objective plus
 * the preset's convex piecewise-linear penalties, see fitBounds.ts) to a tight KKT test.
 *
 * P is linear on each box of segments, so on a box the problem is smooth with box limits:
 * a projected, Levenberg-damped Newton method with the exact Hessian solves it (variables
 * at a limit whose gradient pushes outward are held there). At the box's solution, a
 * variable sitting on a kink moves into the neighbouring segment when the objective keeps
 * falling there, i.e. when |∂f/∂θ_j| exceeds the jump of the penalty slope (the penalised
 * optimum lies beyond a reference "bound" once the Huber gradient there exceeds 1, which
 * many points make possible). It stops at a point where 0 ∈ ∇f + ∂P: a true local minimum
 * of the penalised objective, whatever side of a kink it lies on.
 *
 * Internal to src/curves.
 */
import { evaluateObjective, newObjectiveState, type LawData, type ObjectiveState } from './lawObjective.js';
import { segment, segmentCount, segmentOf, type FitLimits } from './fitBounds.js';
import { choleskySolve } from '../numerics/cholesky.js';

export interface NewtonResult {
  theta: number[];
  /** Σ Huber at theta (without penalty). */
  f: number;
  iterations: number;
  converged: boolean;
  /** f, ∇f, ∇²f at theta. */
  state: ObjectiveState;
}

/** Relative tolerance of the KKT test: |∂(f + P)/∂θ_j| ≤ TOL·Σ_i |ψ_i ∂r_i/∂θ_j| + floor. */
export const TOL = 1e-8;
/** Looser test accepted only when no step can lower f any more (machine precision reached). */
const STUCK_TOL = 1e-6;
/** Rounding floor of ∇f relative to Σ|∂r/∂θ|·(1+|y|). */
export const FLOOR = 1e-13;
/**
 * Absolute floor relative to f: a gradient so small that a unit move of θ_j would change f
 * by less than this fraction counts as zero (a degenerate fit, e.g. β → 0, where every
 * term of ∇f vanishes and a relative test can never pass).
 */
export const FLAT = 1e-12;

export function penalizedNewton(
  data: LawData,
  theta0: ArrayLike<number>,
  limits: FitLimits,
  delta: number,
  maxIterations = 200,
): NewtonResult {
  const theta = [theta0[0], theta0[1], theta0[2]];
  const seg = [0, 1, 2].map((j) => segmentOf(limits[j], theta[j]));
  const lo = [0, 0, 0];
  const hi = [0, 0, 0];
  const c = [0, 0, 0];
  const st = newObjectiveState();
  const work = newBoxWork();
  let iterations = 0;
  let converged = false;
  let f = 0;

  for (let sweep = 0; sweep < 50; sweep++) {
    for (let j = 0; j < 3; j++) {
      const s = segment(limits[j], seg[j]);
      lo[j] = s.lo;
      hi[j] = s.hi;
      c[j] = s.slope;
      theta[j] = Math.min(hi[j], Math.max(lo[j], theta[j]));
    }
    const box = newtonInBox(data, theta, lo, hi, c, delta, maxIterations - iterations, st, work);
    iterations += box.iterations;
    converged = box.converged;
    f = st.f;
    if (iterations >= maxIterations) break;

    // At a kink: move on if the penalised objective keeps falling in the next segment.
    let moved = false;
    for (let j = 0; j < 3; j++) {
      const gj = st.g[j] + c[j];
      const tol = TOL * (st.gAbs[j] + 1) + FLOOR * st.gFloor[j];
      if (theta[j] === lo[j] && seg[j] > 0) {
        const jump = c[j] - segment(limits[j], seg[j] - 1).slope;
        if (gj - jump > tol) {
          seg[j]--;
          moved = true;
        }
      } else if (theta[j] === hi[j] && seg[j] < segmentCount(limits[j]) - 1) {
        const jump = segment(limits[j], seg[j] + 1).slope - c[j];
        if (gj + jump < -tol) {
          seg[j]++;
          moved = true;
        }
      }
    }
    if (!moved) break;
    converged = false;
  }
  return { theta, f, iterations, converged, state: st };
}

/** Scratch space of newtonInBox: allocated once per penalizedNewton call, not per iteration. */
interface BoxWork {
  trialState: ObjectiveState;
  /** Penalised gradient ∇f + c. */
  G: Float64Array;
  free: boolean[];
  trial: number[];
  /** The damped Newton system (3×3) and its step. */
  m: Float64Array;
  step: Float64Array;
  rhs: Float64Array;
  z: Float64Array;
  idx: Int32Array;
}

function newBoxWork(): BoxWork {
  return {
    trialState: newObjectiveState(),
    G: new Float64Array(3),
    free: [false, false, false],
    trial: [0, 0, 0],
    m: new Float64Array(9),
    step: new Float64Array(3),
    rhs: new Float64Array(3),
    z: new Float64Array(3),
    idx: new Int32Array(3),
  };
}

/**
 * Minimises f(θ) + c·θ over lo ≤ θ ≤ hi from θ (updated in place); `st` holds f, ∇f, ∇²f
 * at the final θ.
 */
function newtonInBox(
  data: LawData,
  theta: number[],
  lo: number[],
  hi: number[],
  c: number[],
  delta: number,
  maxIterations: number,
  st: ObjectiveState,
  work: BoxWork,
): { iterations: number; converged: boolean } {
  const { trialState, G, free, trial } = work;
  // The linear term is measured from the entry point, so that it stays small next to f.
  const ref = [theta[0], theta[1], theta[2]];
  const lin = (t: number[]): number => c[0] * (t[0] - ref[0]) + c[1] * (t[1] - ref[1]) + c[2] * (t[2] - ref[2]);
  let F = evaluateObjective(data, theta, delta, st) + lin(theta);
  let lambda = 0;
  for (let it = 0; it < maxIterations; it++) {
    let nFree = 0;
    let done = true;
    let doneLoose = true;
    for (let j = 0; j < 3; j++) {
      G[j] = st.g[j] + c[j];
      // a variable with lo = hi is held; one at a limit stays while its gradient pushes outward
      free[j] = lo[j] < hi[j] && !((theta[j] <= lo[j] && G[j] > 0) || (theta[j] >= hi[j] && G[j] < 0));
      if (free[j]) {
        nFree++;
        const scale = st.gAbs[j] + Math.abs(c[j]);
        const floor = FLOOR * st.gFloor[j] + FLAT * st.f;
        if (Math.abs(G[j]) > TOL * scale + floor) done = false;
        if (Math.abs(G[j]) > STUCK_TOL * scale + floor) doneLoose = false;
      }
    }
    if (done || nFree === 0) return { iterations: it, converged: true };

    // Damped Newton step on the free variables, damping raised until f + c·θ falls.
    let accepted = false;
    const step = work.step;
    while (!accepted) {
      if (lambda > 1e20) return { iterations: it, converged: doneLoose };
      if (!solveDamped(st.h, st.gAbs, G, free, lambda, work)) {
        lambda = Math.max(lambda * 10, 1e-8);
        continue;
      }
      for (let j = 0; j < 3; j++) trial[j] = Math.min(hi[j], Math.max(lo[j], theta[j] + step[j]));
      if (trial[0] === theta[0] && trial[1] === theta[1] && trial[2] === theta[2]) {
        return { iterations: it, converged: doneLoose };
      }
      // Full evaluation at the trial point: most trials are accepted, and then ∇f, ∇²f
      // are needed there anyway.
      const Ft = evaluateObjective(data, trial, delta, trialState) + lin(trial);
      if (Ft < F) {
        theta[0] = trial[0];
        theta[1] = trial[1];
        theta[2] = trial[2];
        copyState(trialState, st);
        F = Ft;
        lambda = lambda < 1e-9 ? 0 : lambda / 10;
        accepted = true;
      } else {
        lambda = Math.max(lambda * 10, 1e-6);
      }
    }
  }
  return { iterations: maxIterations, converged: false };
}

/**
 * Solves (H_FF + λ·D) s_F = −G_F on the free set by Cholesky (D = |diag H|, floored) into
 * work.step; fixed variables get s = 0. Returns false when the matrix is not positive
 * definite.
 */
function solveDamped(
  h: Float64Array,
  gAbs: Float64Array,
  G: Float64Array,
  free: boolean[],
  lambda: number,
  work: BoxWork,
): boolean {
  const { idx, m, rhs, z, step } = work;
  let k = 0;
  for (let j = 0; j < 3; j++) if (free[j]) idx[k++] = j;
  let dmax = 0;
  for (let r = 0; r < k; r++) dmax = Math.max(dmax, Math.abs(h[idx[r] * 4]));
  if (!(dmax > 0)) dmax = 1;
  for (let r = 0; r < k; r++) {
    rhs[r] = -G[idx[r]];
    for (let s = 0; s < k; s++) {
      let v = h[idx[r] * 3 + idx[s]];
      // The damping scale has a floor of Σ|ψ·∂r/∂θ|, so that even where the curvature
      // vanishes (β → 0, ε → 0) a large λ yields steps of at most ~1/λ.
      if (r === s) v += lambda * Math.max(Math.abs(v), 1e-12 * dmax, gAbs[idx[r]]);
      m[r * 3 + s] = v;
    }
  }
  if (!choleskySolve(m, 3, k, rhs, z, 1e-14)) return false;
  step.fill(0);
  for (let r = 0; r < k; r++) step[idx[r]] = z[r];
  return true;
}

function copyState(from: ObjectiveState, to: ObjectiveState): void {
  to.f = from.f;
  to.g.set(from.g);
  to.h.set(from.h);
  to.gAbs.set(from.gAbs);
  to.gFloor.set(from.gFloor);
  to.ssRes = from.ssRes;
  to.jtj.set(from.jtj);
}
