/**
 * Fits Kaplan et al.'s joint law L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D to runs with the
 * same robust objective as the Chinchilla fit, so the two forms compare like for like:
 *
 *   min over θ = (log N_c, log D_c, α_N, α_D) of Σ_i Huber_δ(log L̂(N_i, D_i) − log L_i),  δ = 1e-3
 *
 * With k = α_N/α_D, u = k·(log N_c − log N), v = log D_c − log D, s = LSE(u, v) and softmax
 * weights p_u, p_v, the residual r = α_D·s − log L has
 *   ∂r/∂log N_c = α_N·p_u,  ∂r/∂log D_c = α_D·p_v,  ∂r/∂α_N = p_u·(log N_c − log N),
 *   ∂r/∂α_D = s − p_u·u.
 * Starts: every point of KAPLAN_GRID is evaluated, the best of each (α_N, α_D) cell and the
 * best few overall are refined (IRLS, then Newton; see minimizeHuber.ts). As with the
 * Chinchilla fit, `converged` is the optimiser's verdict and `identifiable` whether the
 * runs determine the law (identifiability.ts).
 */
import type { KaplanLaw } from './kaplanLaw.js';
import { countMinima } from './fitChinchilla.js';
import { assessIdentifiability, convergedOptima, kaplanDesign, type Identifiability, type ParamSpec } from './identifiability.js';
import { KaplanCentredProblem } from './kaplanCentred.js';
import { huberHessian, minimizeHuber, type HuberProblem, type StopReason } from '../numerics/minimizeHuber.js';
import { huberRho } from '../numerics/huber.js';
import { validateRuns, type ScalingRun } from './scalingRun.js';

export interface KaplanGrid {
  logNc: readonly number[];
  logDc: readonly number[];
  alphaN: readonly number[];
  alphaD: readonly number[];
}

/** 8·8·5·5 = 1,600 starts around Kaplan's values (log N_c ≈ 31.8, log D_c ≈ 30.5). */
export const KAPLAN_GRID: KaplanGrid = Object.freeze({
  logNc: [10, 15, 20, 25, 30, 35, 40, 45],
  logDc: [10, 15, 20, 25, 30, 35, 40, 45],
  alphaN: [0.05, 0.1, 0.2, 0.35, 0.5],
  alphaD: [0.05, 0.1, 0.2, 0.35, 0.5],
});

export interface FitKaplanOptions {
  delta?: number;
  grid?: KaplanGrid;
  /** Explicit starts (skip the grid). */
  starts?: readonly KaplanLaw[];
  /** Extra best-overall starts refined besides each (α_N, α_D) cell's best. Default 8. */
  topK?: number;
  /** Converged when ‖∇f‖∞ in (log N_c, log D_c, α_N, α_D) ≤ gradTol. Default 1e-9. */
  gradTol?: number;
  maxIter?: number;
}

export interface KaplanFitCore {
  law: KaplanLaw;
  objective: number;
  converged: boolean;
  reason: StopReason;
  gradNorm: number;
  iterations: number;
  starts: number;
  refined: number;
  minima: number;
  runs: number;
}

/** A fit and whether the runs determine it (see identifiability.ts); `converged` is the optimiser's verdict only. */
export type KaplanFit = KaplanFitCore & Identifiability;

/** The reported parameters in the fit's coordinate order (log N_c, log D_c, α_N, α_D). */
export const KAPLAN_PARAMS: readonly ParamSpec[] = Object.freeze([
  { name: 'Nc', show: Math.exp },
  { name: 'Dc', show: Math.exp },
  { name: 'alphaN', show: (v: number) => v },
  { name: 'alphaD', show: (v: number) => v },
]);

class KaplanProblem implements HuberProblem {
  readonly n: number;
  readonly p = 4;
  constructor(
    readonly x: Float64Array,
    readonly y: Float64Array,
    readonly t: Float64Array,
  ) {
    this.n = x.length;
  }

  residuals(th: Float64Array, r: Float64Array, J: Float64Array): void {
    const [cN, cD, aN, aD] = th;
    if (!(aD > 0)) {
      r.fill(NaN);
      return;
    }
    const k = aN / aD;
    for (let i = 0; i < this.n; i++) {
      const dn = cN - this.x[i];
      const u = k * dn;
      const v = cD - this.y[i];
      const m = Math.max(u, v);
      const eu = Math.exp(u - m);
      const ev = Math.exp(v - m);
      const sum = eu + ev;
      const s = m + Math.log(sum);
      const pu = eu / sum;
      const pv = ev / sum;
      r[i] = aD * s - this.t[i];
      const o = i * 4;
      J[o] = aN * pu;
      J[o + 1] = aD * pv;
      J[o + 2] = pu * dn;
      J[o + 3] = s - pu * u;
    }
  }
}

function logLossAt(th: ArrayLike<number>, x: number, y: number): number {
  const [cN, cD, aN, aD] = [th[0], th[1], th[2], th[3]];
  const u = (aN / aD) * (cN - x);
  const v = cD - y;
  const m = Math.max(u, v);
  return aD * (m + Math.log(Math.exp(u - m) + Math.exp(v - m)));
}

/** Fits L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D to runs (N = non-embedding parameters). */
export function fitKaplan(runs: readonly ScalingRun[], options: FitKaplanOptions = {}): KaplanFit {
  validateRuns(runs, 4, 'fitKaplan');
  const delta = options.delta ?? 1e-3;
  const gradTol = options.gradTol ?? 1e-9;
  const n = runs.length;
  const x = Float64Array.from(runs, (r) => Math.log(r.N));
  const y = Float64Array.from(runs, (r) => Math.log(r.D));
  const t = Float64Array.from(runs, (r) => Math.log(r.loss));
  const prob = new KaplanProblem(x, y, t);

  let chosen: Float64Array[];
  let evaluated: number;
  if (options.starts) {
    if (options.starts.length === 0) throw new Error('fitKaplan: `starts` is empty');
    chosen = options.starts.map((s) => Float64Array.of(Math.log(s.Nc), Math.log(s.Dc), s.alphaN, s.alphaD));
    evaluated = chosen.length;
  } else {
    const grid = options.grid ?? KAPLAN_GRID;
    const all: { theta: Float64Array; f: number }[] = [];
    for (const aN of grid.alphaN) {
      for (const aD of grid.alphaD) {
        for (const cN of grid.logNc) {
          for (const cD of grid.logDc) {
            const th = Float64Array.of(cN, cD, aN, aD);
            let f = 0;
            for (let i = 0; i < n; i++) f += huberRho(logLossAt(th, x[i], y[i]) - t[i], delta);
            all.push({ theta: th, f: Number.isFinite(f) ? f : Infinity });
          }
        }
      }
    }
    evaluated = all.length;
    all.sort((p, q) => p.f - q.f);
    const cell = new Map<string, { theta: Float64Array; f: number }>();
    for (const s of all) {
      const key = `${s.theta[2]},${s.theta[3]}`;
      if (!cell.has(key)) cell.set(key, s);
    }
    const set = new Set(cell.values());
    for (const s of all.slice(0, options.topK ?? 8)) set.add(s);
    chosen = [...set].filter((s) => Number.isFinite(s.f)).map((s) => s.theta);
  }
  if (chosen.length === 0) throw new Error('fitKaplan: the objective is not finite at any start; check the runs');
  const results = chosen.map((th) => minimizeHuber(prob, th, { delta, gradTol, maxIter: options.maxIter ?? 400 }));
  let best = results[0];
  for (const r of results) if (r.objective < best.objective) best = r;
  const [cN, cD, alphaN, alphaD] = best.theta;
  const optima = convergedOptima(prob, results, (q) => q);
  // The Hessian in centred coordinates (see kaplanCentred.ts): in θ it is ill-conditioned even for good runs.
  const centred = new KaplanCentredProblem(x, y, t);
  const ident = assessIdentifiability({
    design: kaplanDesign(runs),
    hessian: huberHessian(centred, centred.centre(best.theta), delta),
    hessianNames: KAPLAN_PARAMS.map((q) => q.name),
    optima,
    params: KAPLAN_PARAMS,
  });
  return {
    law: { Nc: Math.exp(cN), Dc: Math.exp(cD), alphaN, alphaD },
    objective: best.objective,
    converged: best.converged,
    reason: best.reason,
    gradNorm: best.gradNorm,
    iterations: best.iterations,
    starts: evaluated,
    refined: results.length,
    minima: countMinima(results.filter((q) => q.converged).map((q) => ({ f: q.objective, theta: q.theta }))),
    runs: n,
    ...ident,
  };
}
