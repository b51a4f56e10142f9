/**
 * Fits the Chinchilla law L(N, D) = E + A/N^α + B/D^β to runs with Hoffmann et al.'s
 * Approach 3 objective (2022, §3.3 and Appendix D.2):
 *
 *   min over (a, b, e, α, β) of  Σ_i Huber_δ( LSE(a − α·log N_i, b − β·log D_i, e) − log L_i ),  δ = 1e-3
 *
 * SUMMED over runs, not averaged, and driven to a tight gradient tolerance: Besiroglu et
 * al. (2024) showed that the published fit stopped early, which is why its exponents
 * disagree with Approaches 1 and 2. The result says whether the gradient test passed.
 *
 * Start grid: by default the paper's own, α, β ∈ {0, 0.5, …, 2}, e ∈ {−1, −0.5, …, 1},
 * a, b ∈ {0, 5, …, 25} (4,500 starts). Rather than running an optimiser from each, the
 * objective is evaluated at every start (cheap: one log per run and start), and the most
 * promising start of every (α, β) cell plus the best few overall are refined with a
 * damped second-order method (IRLS, then Newton with the exact Hessian; see
 * minimizeHuber.ts). Every exponent region of the grid thus gets its own descent, at a
 * small fraction of 4,500 L-BFGS runs. `refine: 'all'` refines every start, for checking.
 *
 * Internally log N and log D are centred (a' = a − α·mean log N) so that the Hessian is
 * well conditioned; results are reported in the paper's (a, b, e, α, β).
 *
 * `converged` is the optimiser's verdict only. The result also says whether the runs
 * determine the law at all (`identifiable`, with the reason when not; see
 * identifiability.ts): six copies of one run are fitted exactly by a whole family of laws.
 */
import { chinchillaFromLog, type ChinchillaLaw, type ChinchillaLogParams } from './chinchillaLaw.js';
import { assessIdentifiability, chinchillaDesign, convergedOptima, type Identifiability, type ParamSpec } from './identifiability.js';
import { huberHessian, minimizeHuber, type HuberProblem, type StopReason } from '../numerics/minimizeHuber.js';
import { huberRho } from '../numerics/huber.js';
import { validateRuns, type ScalingRun } from './scalingRun.js';

export interface ChinchillaGrid {
  a: readonly number[];
  b: readonly number[];
  e: readonly number[];
  alpha: readonly number[];
  beta: readonly number[];
}

const range = (lo: number, hi: number, step: number): number[] =>
  Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, i) => lo + i * step);

/** Hoffmann et al.'s start grid: 6·6·5·5·5 = 4,500 starts. */
export const CHINCHILLA_GRID: ChinchillaGrid = Object.freeze({
  a: range(0, 25, 5),
  b: range(0, 25, 5),
  e: range(-1, 1, 0.5),
  alpha: range(0, 2, 0.5),
  beta: range(0, 2, 0.5),
});

export interface FitChinchillaOptions {
  /** Huber δ. Default 1e-3. */
  delta?: number;
  /** Start grid. Default CHINCHILLA_GRID. */
  grid?: ChinchillaGrid;
  /** Explicit starts; when given, the grid is skipped and each start is refined. */
  starts?: readonly ChinchillaLogParams[];
  /**
   * Which grid starts to refine: 'per-exponent' (default: the best start of each (α, β)
   * cell plus the `topK` best overall), 'all', or a number k (the k best overall).
   */
  refine?: 'per-exponent' | 'all' | number;
  /** Extra best-overall starts refined with 'per-exponent'. Default 8. */
  topK?: number;
  /** Converged when ‖∇f‖∞ in (a, b, e, α, β) ≤ gradTol. Default 1e-9. */
  gradTol?: number;
  /** Iteration cap per refinement. Default 400. */
  maxIter?: number;
}

export interface ChinchillaFitCore {
  law: ChinchillaLaw;
  log: ChinchillaLogParams;
  /** Σ Huber_δ of the log residuals at the optimum. */
  objective: number;
  /** True when the winning refinement passed the gradient test. */
  converged: boolean;
  reason: StopReason;
  /** ‖∇f‖∞ in (a, b, e, α, β) at the optimum. */
  gradNorm: number;
  /** Iterations of the winning refinement. */
  iterations: number;
  /** Starts evaluated (grid size, or explicit starts). */
  starts: number;
  /** Starts refined by the optimiser. */
  refined: number;
  /** Distinct stationary points (gradient test passed) reached by the refinements; 1 when all agree. */
  minima: number;
  /** Runs fitted. */
  runs: number;
}

/**
 * A fit and whether the runs determine it (see identifiability.ts). `converged` says only
 * that the optimiser converged; a converged fit with `identifiable: false` is one of many
 * laws that fit the runs equally well and must not be planned with.
 */
export type ChinchillaFit = ChinchillaFitCore & Identifiability;

/** The reported parameters in the fit's coordinate order (a, b, e, α, β). */
export const CHINCHILLA_PARAMS: readonly ParamSpec[] = Object.freeze([
  { name: 'A', show: Math.exp },
  { name: 'B', show: Math.exp },
  { name: 'E', show: Math.exp },
  { name: 'alpha', show: (v: number) => v },
  { name: 'beta', show: (v: number) => v },
]);

/** The centred residual problem: θ' = (a', b', e, α, β), u_i = a' − α·x̃_i, v_i = b' − β·ỹ_i. */
class ChinchillaProblem implements HuberProblem {
  readonly n: number;
  readonly p = 5;
  constructor(
    readonly x: Float64Array,
    readonly y: Float64Array,
    readonly t: Float64Array,
  ) {
    this.n = x.length;
  }

  residuals(th: Float64Array, r: Float64Array, J: Float64Array): void {
    const [a, b, e, al, be] = th;
    for (let i = 0; i < this.n; i++) {
      const u = a - al * this.x[i];
      const v = b - be * this.y[i];
      const m = Math.max(u, v, e);
      const eu = Math.exp(u - m);
      const ev = Math.exp(v - m);
      const ee = Math.exp(e - m);
      const s = eu + ev + ee;
      r[i] = m + Math.log(s) - this.t[i];
      const pu = eu / s;
      const pv = ev / s;
      const o = i * 5;
      J[o] = pu;
      J[o + 1] = pv;
      J[o + 2] = ee / s;
      J[o + 3] = -pu * this.x[i];
      J[o + 4] = -pv * this.y[i];
    }
  }

  /** ∇²r_i = Mᵀ(diag p − p pᵀ)M with M's rows m_u = (1,0,0,−x̃,0), m_v = (0,1,0,0,−ỹ), m_e = e₃. */
  addCurvature(th: Float64Array, w: Float64Array, H: Float64Array): void {
    const [a, b, e, al, be] = th;
    for (let i = 0; i < this.n; i++) {
      const wi = w[i];
      if (wi === 0) continue;
      const xi = this.x[i];
      const yi = this.y[i];
      const u = a - al * xi;
      const v = b - be * yi;
      const m = Math.max(u, v, e);
      const eu = Math.exp(u - m);
      const ev = Math.exp(v - m);
      const ee = Math.exp(e - m);
      const s = eu + ev + ee;
      const pu = eu / s;
      const pv = ev / s;
      const pe = ee / s;
      const j0 = pu, j1 = pv, j2 = pe, j3 = -pu * xi, j4 = -pv * yi;
      H[0] += wi * (pu - j0 * j0);
      H[6] += wi * (pv - j1 * j1);
      H[12] += wi * (pe - j2 * j2);
      H[18] += wi * (pu * xi * xi - j3 * j3);
      H[24] += wi * (pv * yi * yi - j4 * j4);
      const h01 = -wi * j0 * j1, h02 = -wi * j0 * j2, h03 = wi * (-pu * xi - j0 * j3), h04 = -wi * j0 * j4;
      const h12 = -wi * j1 * j2, h13 = -wi * j1 * j3, h14 = wi * (-pv * yi - j1 * j4);
      const h23 = -wi * j2 * j3, h24 = -wi * j2 * j4, h34 = -wi * j3 * j4;
      H[1] += h01; H[5] += h01;
      H[2] += h02; H[10] += h02;
      H[3] += h03; H[15] += h03;
      H[4] += h04; H[20] += h04;
      H[7] += h12; H[11] += h12;
      H[8] += h13; H[16] += h13;
      H[9] += h14; H[21] += h14;
      H[13] += h23; H[17] += h23;
      H[14] += h24; H[22] += h24;
      H[19] += h34; H[23] += h34;
    }
  }
}

interface Start {
  theta: Float64Array; // centred
  f: number;
}

/** Fits L(N, D) = E + A/N^α + B/D^β to runs (N = all parameters, D = tokens). */
export function fitChinchilla(runs: readonly ScalingRun[], options: FitChinchillaOptions = {}): ChinchillaFit {
  validateRuns(runs, 5, 'fitChinchilla');
  const delta = options.delta ?? 1e-3;
  const gradTol = options.gradTol ?? 1e-9;
  const n = runs.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const t = new Float64Array(n);
  let xm = 0;
  let ym = 0;
  for (let i = 0; i < n; i++) {
    x[i] = Math.log(runs[i].N);
    y[i] = Math.log(runs[i].D);
    t[i] = Math.log(runs[i].loss);
    xm += x[i] / n;
    ym += y[i] / n;
  }
  for (let i = 0; i < n; i++) {
    x[i] -= xm;
    y[i] -= ym;
  }
  const prob = new ChinchillaProblem(x, y, t);
  const centre = (p: ChinchillaLogParams): Float64Array =>
    Float64Array.of(p.a - p.alpha * xm, p.b - p.beta * ym, p.e, p.alpha, p.beta);

  let chosen: Start[];
  let evaluated: number;
  if (options.starts) {
    if (options.starts.length === 0) throw new Error('fitChinchilla: `starts` is empty');
    chosen = options.starts.map((s) => ({ theta: centre(s), f: NaN }));
    evaluated = chosen.length;
  } else {
    const grid = options.grid ?? CHINCHILLA_GRID;
    const all = evaluateGrid(prob, grid, xm, ym, delta);
    evaluated = all.length;
    chosen = selectStarts(all, options.refine ?? 'per-exponent', options.topK ?? 8);
  }

  // Tolerance in centred coordinates that guarantees gradTol in (a, b, e, α, β):
  // g_α = g_α' − x̄·g_a', g_β = g_β' − ȳ·g_b'.
  const centredTol = gradTol / (1 + Math.max(Math.abs(xm), Math.abs(ym)));
  if (chosen.length === 0) throw new Error('fitChinchilla: the objective is not finite at any start; check the runs');
  const results = chosen.map((s) =>
    minimizeHuber(prob, s.theta, { delta, gradTol: centredTol, maxIter: options.maxIter ?? 400 }),
  );
  let best = results[0];
  for (const r of results) if (r.objective < best.objective) best = r;

  const [ac, bc, e, alpha, beta] = best.theta;
  const log: ChinchillaLogParams = { a: ac + alpha * xm, b: bc + beta * ym, e, alpha, beta };
  // Gradient in the paper's coordinates, from the centred one.
  const r = new Float64Array(n);
  const J = new Float64Array(n * 5);
  prob.residuals(best.theta, r, J);
  const g = new Float64Array(5);
  for (let i = 0; i < n; i++) {
    const psi = Math.max(-delta, Math.min(delta, r[i]));
    for (let j = 0; j < 5; j++) g[j] += psi * J[i * 5 + j];
  }
  const gOrig = [g[0], g[1], g[2], g[3] - xm * g[0], g[4] - ym * g[1]];
  const gradNorm = Math.max(...gOrig.map(Math.abs));
  const converged = best.converged && gradNorm <= gradTol;
  const optima = convergedOptima(prob, results, ([qa, qb, qe, qal, qbe]) => [qa + qal * xm, qb + qbe * ym, qe, qal, qbe]);
  // The Hessian in the centred coordinates the fit runs in (a', b' mix a with α, b with β).
  const ident = assessIdentifiability({
    design: chinchillaDesign(runs),
    hessian: huberHessian(prob, best.theta, delta),
    hessianNames: CHINCHILLA_PARAMS.map((q) => q.name),
    optima,
    params: CHINCHILLA_PARAMS,
  });
  return {
    law: chinchillaFromLog(log),
    log,
    objective: best.objective,
    converged,
    reason: converged ? 'gradient' : best.reason === 'gradient' ? 'no-progress' : best.reason,
    gradNorm,
    iterations: best.iterations,
    starts: evaluated,
    refined: results.length,
    minima: countMinima(results.filter((q) => q.converged).map((q) => ({ f: q.objective, theta: q.theta }))),
    runs: n,
    ...ident,
  };
}

/** Objective at every grid start: one log per run and start, exponentials precomputed per (a, α) and (b, β). */
function evaluateGrid(prob: ChinchillaProblem, grid: ChinchillaGrid, xm: number, ym: number, delta: number): Start[] {
  const { n, x, y, t } = prob;
  const nA = grid.a.length * grid.alpha.length;
  const nB = grid.b.length * grid.beta.length;
  const expU = new Float64Array(nA * n);
  const expV = new Float64Array(nB * n);
  const uStart: [number, number][] = [];
  const vStart: [number, number][] = [];
  for (const al of grid.alpha) {
    for (const a of grid.a) {
      const k = uStart.length;
      const ac = a - al * xm;
      for (let i = 0; i < n; i++) expU[k * n + i] = Math.exp(ac - al * x[i]);
      uStart.push([ac, al]);
    }
  }
  for (const be of grid.beta) {
    for (const b of grid.b) {
      const k = vStart.length;
      const bc = b - be * ym;
      for (let i = 0; i < n; i++) expV[k * n + i] = Math.exp(bc - be * y[i]);
      vStart.push([bc, be]);
    }
  }
  const out: Start[] = [];
  for (let ku = 0; ku < nA; ku++) {
    for (let kv = 0; kv < nB; kv++) {
      for (const e of grid.e) {
        const ee = Math.exp(e);
        let f = 0;
        for (let i = 0; i < n; i++) f += huberRho(Math.log(expU[ku * n + i] + expV[kv * n + i] + ee) - t[i], delta);
        out.push({ theta: Float64Array.of(uStart[ku][0], vStart[kv][0], e, uStart[ku][1], vStart[kv][1]), f: Number.isFinite(f) ? f : Infinity });
      }
    }
  }
  return out;
}

function selectStarts(all: Start[], refine: 'per-exponent' | 'all' | number, topK: number): Start[] {
  if (refine === 'all') return all;
  const sorted = [...all].sort((p, q) => p.f - q.f);
  if (typeof refine === 'number') {
    if (!Number.isInteger(refine) || refine < 1) throw new Error(`fitChinchilla: refine must be a positive integer, got ${refine}`);
    return sorted.slice(0, refine);
  }
  // Best start of each (α, β) cell, then the best few overall.
  const cell = new Map<string, Start>();
  for (const s of sorted) {
    const key = `${s.theta[3]},${s.theta[4]}`;
    if (!cell.has(key)) cell.set(key, s);
  }
  const chosen = new Set<Start>(cell.values());
  for (const s of sorted.slice(0, topK)) chosen.add(s);
  return [...chosen].filter((s) => Number.isFinite(s.f));
}

/** Optima that agree in objective (rel 1e-8) and parameters (1e-4) count once. */
export function countMinima(found: readonly { f: number; theta: ArrayLike<number> }[]): number {
  const reps: { f: number; theta: ArrayLike<number> }[] = [];
  for (const q of found) {
    if (!Number.isFinite(q.f)) continue;
    const same = reps.some((r) => {
      if (Math.abs(r.f - q.f) > 1e-8 * Math.max(Math.abs(r.f), 1e-12)) return false;
      for (let j = 0; j < q.theta.length; j++) if (Math.abs(r.theta[j] - q.theta[j]) > 1e-4) return false;
      return true;
    });
    if (!same) reps.push(q);
  }
  return reps.length;
}
