/**
 * The oracle: the best any policy could do, computed from the TRUE curves.
 *
 * Static oracle: the mixture w on the simplex, with w_j ≤ cap_j = (data of j)/N where
 * data is finite, minimising the mean true loss after the budget N = steps·B:
 *
 *   min_w F(w) = f(w·N)      (f: TrueCurves.objective)
 *
 * F is convex (see TrueCurves), so projected gradient with exact gradients
 * ∇F = N·∇f(w·N) finds the global optimum. We use spectral projected gradient
 * (Barzilai–Borwein step, Armijo backtracking; Birgin, Martínez & Raydan 2000) with an
 * exact Euclidean projection onto the capped simplex, and stop when the projected
 * gradient step ‖P(w − ∇F) − w‖∞ (the KKT residual) is below tolerance.
 *
 * Schedule oracle: greedy on the true marginal gains. Each step's B examples are handed
 * out in `chunks` equal parts, each to the domain whose next example lowers f the most
 * (largest −∂f/∂n_j) among those with data left. Because the final true losses depend
 * only on the final counts and f is convex, the schedule's END loss cannot beat the
 * static optimum (it approaches it as chunks shrink); what the schedule adds is the
 * lowest loss at EVERY point of the run (its anytime curve), the lower bound of a loss
 * trajectory.
 *
 * With a capacity term (types.ts) the static objective adds (1/K)·Σ σ_k·ln(1/(K·w_k)), the
 * level at which a static mixture's recent shares settle (r = w), still convex in w. The
 * schedule then also tracks its recent shares and adds each example's myopic capacity gain
 * −σ_j·(1 − d)/(K·B·r_j); the END loss now depends on the path, so the schedule is a
 * heuristic there, not a bound.
 */
import { TrueCurves } from './TrueCurves.js';
import type { Scenario } from './types.js';

export interface StaticOracleOptions {
  steps?: number;
  batchSize?: number;
  /** KKT residual tolerance (default 1e-10). */
  tolerance?: number;
  maxIterations?: number;
}

export interface StaticOracle {
  weights: Float64Array;
  /** Mean true loss over domains at the end of the budget. */
  objective: number;
  /** Each domain's true loss at the end. */
  losses: Float64Array;
  /** Examples each domain gets: w·N. */
  counts: Float64Array;
  iterations: number;
  /** ‖P(w − ∇F) − w‖∞ at the returned point. */
  kktResidual: number;
  converged: boolean;
}

/** Upper bounds on each weight from finite data: min(1, size·epochs / N). */
export function weightCaps(scenario: Scenario, budget: number): Float64Array {
  return Float64Array.from(scenario.domains, (d) => Math.min(1, (d.size * d.epochs) / budget));
}

/**
 * Euclidean projection of v onto {w : Σw = 1, 0 ≤ w ≤ cap}: w = clip(v − τ, 0, cap) with τ
 * found by bisection (Σ clip(v − τ) is continuous and non-increasing in τ). Needs Σcap ≥ 1.
 */
export function projectCappedSimplex(v: ArrayLike<number>, cap: ArrayLike<number>, out: Float64Array): Float64Array {
  const K = out.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < K; k++) {
    lo = Math.min(lo, v[k] - Math.min(cap[k], 1));
    hi = Math.max(hi, v[k]);
  }
  const sumAt = (tau: number): number => {
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.min(cap[k], Math.max(0, v[k] - tau));
    return s;
  };
  // sumAt(lo) ≥ 1 (every entry at its cap, or ≥ 1 from one), sumAt(hi) = 0.
  for (let i = 0; i < 200 && hi - lo > 1e-16 * Math.max(1, Math.abs(lo) + Math.abs(hi)); i++) {
    const mid = 0.5 * (lo + hi);
    if (sumAt(mid) >= 1) lo = mid;
    else hi = mid;
  }
  let s = 0;
  for (let k = 0; k < K; k++) {
    out[k] = Math.min(cap[k], Math.max(0, v[k] - lo));
    s += out[k];
  }
  // Remove the bisection's last rounding error on the free entries.
  if (s > 0 && Math.abs(s - 1) > 0) {
    let free = 0;
    for (let k = 0; k < K; k++) if (out[k] > 0 && out[k] < cap[k]) free += out[k];
    if (free > 0) {
      const scale = (free + 1 - s) / free;
      for (let k = 0; k < K; k++) if (out[k] > 0 && out[k] < cap[k]) out[k] *= scale;
    }
  }
  return out;
}

/** The best static mixture for the budget (see the file comment). */
export function staticOracle(scenario: Scenario, options: StaticOracleOptions = {}): StaticOracle {
  const steps = options.steps ?? scenario.steps;
  const B = options.batchSize ?? scenario.batchSize;
  const N = steps * B;
  const tol = options.tolerance ?? 1e-10;
  const maxIt = options.maxIterations ?? 20000;
  const curves = new TrueCurves(scenario);
  const K = curves.K;
  const cap = weightCaps(scenario, N);
  let capSum = 0;
  for (let k = 0; k < K; k++) capSum += cap[k];
  if (capSum < 1 - 1e-12) {
    throw new Error(
      `scenario "${scenario.name}": the budget of ${N} examples (${steps} steps × ${B}) exceeds the data available ` +
        `(${Math.round(capSum * N)} examples); lower the steps or raise the domains' size/epochs`,
    );
  }

  const n = new Float64Array(K);
  const g = new Float64Array(K);
  const gNew = new Float64Array(K);
  const trial = new Float64Array(K);
  const tmp = new Float64Array(K);
  // With a capacity term a static mixture's recent shares are the mixture itself (r = w).
  const capacity = curves.hasCapacity;
  const capGrad = new Float64Array(K);
  const F = (w: Float64Array, grad?: Float64Array): number => {
    for (let k = 0; k < K; k++) n[k] = w[k] * N;
    if (!grad) return curves.objective(n, capacity ? w : undefined);
    let f = curves.gradient(n, grad);
    for (let k = 0; k < K; k++) grad[k] *= N;
    if (capacity) {
      curves.capacityGradient(w, capGrad);
      for (let k = 0; k < K; k++) {
        f += curves.capacityLevel(k, w) / K;
        grad[k] += capGrad[k];
      }
    }
    return f;
  };
  const residual = (w: Float64Array, grad: Float64Array): number => {
    for (let k = 0; k < K; k++) tmp[k] = w[k] - grad[k];
    projectCappedSimplex(tmp, cap, tmp);
    let r = 0;
    for (let k = 0; k < K; k++) r = Math.max(r, Math.abs(tmp[k] - w[k]));
    return r;
  };

  // Start from the uniform mixture projected onto the caps.
  let w = projectCappedSimplex(new Float64Array(K).fill(1 / K), cap, new Float64Array(K));
  let f = F(w, g);
  let step = 1;
  let it = 0;
  let r = residual(w, g);
  const sPrev = new Float64Array(K);
  for (; it < maxIt && r > tol; it++) {
    // Projected direction d = P(w − λ∇F) − w, then backtrack along it (Armijo).
    for (let k = 0; k < K; k++) trial[k] = w[k] - step * g[k];
    projectCappedSimplex(trial, cap, trial);
    let gd = 0;
    for (let k = 0; k < K; k++) {
      sPrev[k] = trial[k] - w[k];
      gd += g[k] * sPrev[k];
    }
    if (!(gd < 0)) break; // no descent direction left: optimal to rounding
    let t = 1;
    let fTrial = f;
    for (let ls = 0; ls < 60; ls++) {
      for (let k = 0; k < K; k++) trial[k] = w[k] + t * sPrev[k];
      fTrial = F(trial);
      if (fTrial <= f + 1e-4 * t * gd) break;
      t *= 0.5;
    }
    if (!(fTrial <= f)) break;
    F(trial, gNew);
    // Barzilai–Borwein step for the next iteration: ⟨s,s⟩/⟨s,y⟩.
    let ss = 0;
    let sy = 0;
    for (let k = 0; k < K; k++) {
      const s = t * sPrev[k];
      const y = gNew[k] - g[k];
      ss += s * s;
      sy += s * y;
    }
    step = sy > 0 ? Math.min(1e6, Math.max(1e-12, ss / sy)) : Math.min(1e6, step * 4);
    w = Float64Array.from(trial);
    g.set(gNew);
    f = fTrial;
    r = residual(w, g);
  }
  for (let k = 0; k < K; k++) n[k] = w[k] * N;
  return {
    weights: w,
    objective: curves.objective(n, capacity ? w : undefined),
    losses: curves.loss(n, undefined, capacity ? w : undefined),
    counts: Float64Array.from(n),
    iterations: it,
    kktResidual: r,
    converged: r <= tol || it < maxIt,
  };
}

export interface ScheduleOracleOptions {
  steps?: number;
  batchSize?: number;
  /** Parts each step's batch is handed out in (default 8). */
  chunks?: number;
}

export interface ScheduleOracle {
  /** Mean true loss at the end of the budget. */
  objective: number;
  losses: Float64Array;
  counts: Float64Array;
  /** Row-major steps×K: the share of each step's batch given to each domain. */
  shares: Float64Array;
  /** Mean true loss after each step. */
  trajectory: Float64Array;
  /** Mean of the trajectory: the area under the loss curve per step. */
  meanOverRun: number;
}

/** Greedy schedule on the true marginal gains (see the file comment). */
export function scheduleOracle(scenario: Scenario, options: ScheduleOracleOptions = {}): ScheduleOracle {
  const steps = options.steps ?? scenario.steps;
  const B = options.batchSize ?? scenario.batchSize;
  const chunks = Math.max(1, Math.floor(options.chunks ?? 8));
  const curves = new TrueCurves(scenario);
  const K = curves.K;
  const left = Float64Array.from(scenario.domains, (d) => d.size * d.epochs);
  const n = new Float64Array(K);
  const g = new Float64Array(K);
  const shares = new Float64Array(steps * K);
  const trajectory = new Float64Array(steps);
  const part = B / chunks;
  const recent = curves.hasCapacity ? new Float64Array(K).fill(1 / K) : undefined;
  const keep = 1 - 1 / scenario.capacityMemory;
  const capGrad = new Float64Array(K);
  let sum = 0;
  let t = 0;
  for (; t < steps; t++) {
    if (recent) curves.capacityGradient(recent, capGrad);
    let given = 0;
    for (let c = 0; c < chunks; c++) {
      let need = part;
      // A chunk may have to be split when the best domain runs out mid-chunk.
      while (need > 1e-9) {
        curves.gradient(n, g);
        if (recent) for (let k = 0; k < K; k++) g[k] += (capGrad[k] * (1 - keep)) / B;
        let best = -1;
        for (let k = 0; k < K; k++) if (left[k] > 1e-9 && (best < 0 || g[k] < g[best])) best = k;
        if (best < 0) break;
        const take = Math.min(need, left[best]);
        n[best] += take;
        left[best] -= take;
        shares[t * K + best] += take / B;
        need -= take;
        given += take;
      }
    }
    if (given <= 0) break;
    if (recent) for (let k = 0; k < K; k++) recent[k] = keep * recent[k] + (1 - keep) * shares[t * K + k] * (B / given);
    trajectory[t] = curves.objective(n, recent);
    sum += trajectory[t];
  }
  return {
    objective: curves.objective(n, recent),
    losses: curves.loss(n, undefined, recent),
    counts: n,
    shares: shares.subarray(0, t * K),
    trajectory: trajectory.subarray(0, t),
    meanOverRun: t > 0 ? sum / t : NaN,
  };
}
