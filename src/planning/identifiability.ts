/**
 * Is a fitted joint law determined by its runs? A fit can converge (zero gradient) and
 * still be meaningless: six copies of one run are fitted exactly by a whole family of laws,
 * and the optimiser merely stops at one of them. Three tests, any of which fails the fit:
 *
 * 1. Design (before any optimisation): the runs must be able to separate the parameters.
 *    Every parameter set that gives the same predicted loss at every run has the same
 *    objective, so the number of distinct (N, D) points must be at least the number of
 *    parameters p (the Jacobian has at most that many distinct rows, so a smaller design
 *    leaves a family of optima of dimension at least p − points). The forms add their own
 *    structural minimum; see chinchillaDesign and kaplanDesign.
 * 2. Hessian: at a determined optimum the objective curves up in every direction. With
 *    eigenvalues λ_1 ≤ … ≤ λ_p of the unit-free (Jacobi-scaled) Hessian S, the fit is
 *    unidentifiable when λ_1 ≤ λ_p / MAX_CONDITION or λ_1 ≤ 0: to second order the
 *    standard error of the worst-determined combination of parameters is then √cond
 *    (≥ 1e4) times what each parameter would have on its own; see hessianCheck.
 * 3. Distinct optima: the refinements from different starts that converged. Two of them
 *    whose predicted log losses agree within PREDICTION_TOL at every run fit the data
 *    equally well; if their parameters differ by more than PARAM_TOL (in the fit's
 *    coordinates: logs of the coefficients, and the exponents), the data cannot choose
 *    between them. This catches flat directions that are not quadratic, e.g. a
 *    coefficient drifting to 0, where the Hessian at one stopping point can look fine.
 *
 * Pure: numbers in, a verdict and a reason naming the parameters out.
 */
import type { HuberMinimum, HuberProblem } from '../numerics/minimizeHuber.js';
import { symmetricEigen } from '../numerics/symmetricEigen.js';
import type { ScalingRun } from './scalingRun.js';

/**
 * Largest acceptable condition number of the Jacobi-scaled Hessian at the optimum. The
 * well-posed fits of the tests and the bench sit at 2e2 – 2e4 (Kaplan runs with a single D:
 * up to ~2e6); rank-deficient designs reach 1e12 and beyond, or have λ_min ≤ 0. At 1e8 the
 * worst combination is determined 1e4 times worse than a lone parameter: with loss noise
 * ~1e-3 over ~100 runs (lone precision ~1e-4), that is an uncertainty of order 1.
 */
export const MAX_CONDITION = 1e8;
/**
 * Two optima whose predicted log losses differ by at most this at every run fit the data
 * equally well: a relative loss difference of 1e-5 is far below the precision to which a
 * training loss can be measured (evaluation noise is ~1e-3).
 */
export const PREDICTION_TOL = 1e-5;
/** Parameters (fit coordinates) further apart than this are materially different: 0.1% in a coefficient, 1e-3 in an exponent. */
export const PARAM_TOL = 1e-3;

/**
 * The verdict. `unidentifiable` says why not, naming the parameters the runs do not
 * determine; `condition` is λ_max/λ_min of the objective's Jacobi-scaled Hessian at the
 * optimum, Infinity when it is singular (a parameter without curvature, or λ_min ≤ 0).
 */
export type Identifiability =
  | { identifiable: true; unidentifiable?: undefined; condition: number }
  | { identifiable: false; unidentifiable: string; condition: number };

/**
 * Thrown by an analysis asked to plan (or bound) with a law that its runs do not determine:
 * `${where}: cannot ${action}: ${subject} is not identifiable: ${reason}`.
 */
export class UnidentifiableLawError extends Error {
  constructor(
    readonly where: string,
    readonly action: string,
    readonly subject: string,
    readonly reason: string,
  ) {
    super(`${where}: cannot ${action}: ${subject} is not identifiable: ${reason}`);
    this.name = 'UnidentifiableLawError';
  }
}

/** A parameter as reported: its name and the map from the fit coordinate (e.g. a = log A) to the value shown. */
export interface ParamSpec {
  name: string;
  show: (v: number) => number;
}

/** One converged refinement: parameters in fit coordinates, residuals at the runs, objective. */
export interface Optimum {
  theta: ArrayLike<number>;
  residuals: ArrayLike<number>;
  objective: number;
}

/** The converged refinements as Optimum: residuals at each, θ mapped to the reported coordinates by `toFit`. */
export function convergedOptima(prob: HuberProblem, results: readonly HuberMinimum[], toFit: (theta: Float64Array) => ArrayLike<number>): Optimum[] {
  const r = new Float64Array(prob.n);
  const J = new Float64Array(prob.n * prob.p);
  return results
    .filter((q) => q.converged)
    .map((q) => {
      prob.residuals(q.theta, r, J);
      return { theta: toFit(q.theta), residuals: Float64Array.from(r), objective: q.objective };
    });
}

/** Compact number for messages: 1e8, 2.5e9, 0.34. */
export function short(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/** Distinct values, sorted, counting values within relative 1e-9 (rounding) as one. */
export function distinctValues(values: readonly number[]): number[] {
  const v = [...values].sort((x, y) => x - y);
  const out: number[] = [];
  for (const x of v) if (out.length === 0 || x - out[out.length - 1] > 1e-9 * Math.abs(x)) out.push(x);
  return out;
}

function listed(values: number[]): string {
  return values.length <= 4 ? values.map(short).join(', ') : `${values.slice(0, 3).map(short).join(', ')}, …`;
}

/** Distinct (N, D) points (to 9 significant digits); fewer than p leave a family of equal optima. */
function pointsReason(runs: readonly ScalingRun[], p: number): string | null {
  const keys = new Set(runs.map((r) => `${distinctKey(r.N)}|${distinctKey(r.D)}`));
  if (keys.size >= p) return null;
  return `only ${keys.size} distinct (N, D) point${keys.size === 1 ? '' : 's'} for ${p} parameters`;
}

const distinctKey = (v: number): string => v.toPrecision(9);

/**
 * Chinchilla design: L = E + A/N^α + B/D^β is additive in N and D, so the runs see the
 * N term only through its differences between distinct N: with k distinct N they fix k − 1
 * numbers, A·(N_i^−α − N_1^−α), and two unknowns A, α need k ≥ 3 (with k = 2 a whole
 * curve of (A, α, E) fits equally). The same holds for D with B, β. And at least 5 distinct
 * (N, D) points for the 5 parameters.
 */
export function chinchillaDesign(runs: readonly ScalingRun[]): string | null {
  const reasons: string[] = [];
  const ns = distinctValues(runs.map((r) => r.N));
  const ds = distinctValues(runs.map((r) => r.D));
  if (ns.length < 3) reasons.push(`only ${ns.length} distinct N (${listed(ns)}): A and alpha cannot be determined (the law needs at least 3 distinct N)`);
  if (ds.length < 3) reasons.push(`only ${ds.length} distinct D (${listed(ds)}): B and beta cannot be determined (the law needs at least 3 distinct D)`);
  const pts = pointsReason(runs, 5);
  if (pts) reasons.push(pts);
  return reasons.length ? reasons.join('; ') : null;
}

/**
 * Kaplan design: with one distinct N the law is [C + D_c/D]^α_D with C = (N_c/N)^(α_N/α_D),
 * so N_c and α_N enter only through C and cannot be separated: at least 2 distinct N.
 * One distinct D is not structurally fatal (α_D·log(D_c/D + K·N^−k) is a softplus in log N
 * whose slope, bend and asymptote fix all four parameters), so D has no minimum here; the
 * Hessian test judges whether the runs span enough. And at least 4 distinct (N, D) points.
 */
export function kaplanDesign(runs: readonly ScalingRun[]): string | null {
  const reasons: string[] = [];
  const ns = distinctValues(runs.map((r) => r.N));
  if (ns.length < 2) reasons.push(`only 1 distinct N (${listed(ns)}): Nc and alphaN cannot be determined (the law needs at least 2 distinct N)`);
  const pts = pointsReason(runs, 4);
  if (pts) reasons.push(pts);
  return reasons.length ? reasons.join('; ') : null;
}

/**
 * Test 2 on the Hessian H (p×p): the condition number of S = D^−½·H·D^−½, D = diag H, so
 * that the verdict does not depend on the units of the parameters (log coefficients,
 * exponents). A parameter with D_jj ≤ 1e-15·max D has no curvature at all and is not
 * determined; so are those that the eigenvectors of S with λ ≤ λ_max/MAX_CONDITION (or
 * λ ≤ 0) move, named when P_jj ≥ 0.1 for the projector P onto those eigenvectors.
 */
export function hessianCheck(H: ArrayLike<number>, names: readonly string[]): { condition: number; reason: string | null } {
  const p = names.length;
  const d = names.map((_, j) => H[j * p + j]);
  const dmax = Math.max(...d);
  const live = names.map((_, j) => j).filter((j) => d[j] > 1e-15 * dmax && Number.isFinite(d[j]));
  const flat = names.filter((_, j) => !live.includes(j));
  // S on the parameters that have curvature.
  const q = live.length;
  const S = Array.from({ length: q * q }, (_, k) => {
    const [i, j] = [live[Math.floor(k / q)], live[k % q]];
    return H[i * p + j] / Math.sqrt(d[i] * d[j]);
  });
  const { values, vectors } = q > 0 ? symmetricEigen(S, q) : { values: [], vectors: [] };
  const lmax = values[q - 1];
  const lmin = values[0];
  const condition = flat.length === 0 && values.every(Number.isFinite) && lmin > 0 ? lmax / lmin : Infinity;
  if (condition <= MAX_CONDITION) return { condition, reason: null };
  const weak = vectors.filter((_, k) => !(values[k] > lmax / MAX_CONDITION));
  const undetermined = names.filter((_, j) => flat.includes(names[j]) || (live.includes(j) && weak.reduce((s, v) => s + v[live.indexOf(j)] ** 2, 0) >= 0.1));
  const what: string[] = [];
  if (flat.length > 0) what.push(`no curvature along ${flat.join(', ')}`);
  if (q > 0 && !(lmin > 0)) what.push(`an eigenvalue is ${short(lmin)} ≤ 0`);
  else if (q > 0 && lmax / lmin > MAX_CONDITION) what.push(`condition number ${short(lmax / lmin)}`);
  return {
    condition,
    reason: `the Hessian of the objective is ${condition === Infinity ? 'singular' : 'near-singular'} at the optimum (${what.join('; ')}): ${notDetermined(undetermined)}`,
  };
}

const notDetermined = (names: readonly string[]): string =>
  `parameter${names.length === 1 ? '' : 's'} ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not determined by the data`;

/** Test 3: converged optima that predict the same losses as the best one but differ in parameters. */
export function optimaCheck(optima: readonly Optimum[], params: readonly ParamSpec[]): string | null {
  const ok = optima.filter((o) => Number.isFinite(o.objective));
  if (ok.length < 2) return null;
  const best = ok.reduce((b, o) => (o.objective < b.objective ? o : b));
  const same = ok.filter((o) => {
    for (let i = 0; i < o.residuals.length; i++) if (!(Math.abs(o.residuals[i] - best.residuals[i]) <= PREDICTION_TOL)) return false;
    return true;
  });
  const differ = params
    .map((spec, j) => {
      const vals = same.map((o) => o.theta[j]);
      return { spec, lo: Math.min(...vals), hi: Math.max(...vals) };
    })
    .filter((d) => d.hi - d.lo > PARAM_TOL);
  if (differ.length === 0) return null;
  const fs = same.map((o) => o.objective);
  const fRange = Math.min(...fs) === Math.max(...fs) ? short(fs[0]) : `${short(Math.min(...fs))} – ${short(Math.max(...fs))}`;
  const ranges = differ.map((d) => `${d.spec.name} from ${short(d.spec.show(d.lo))} to ${short(d.spec.show(d.hi))}`).join(', ');
  return (
    `${same.length} of ${ok.length} converged starts reach the same objective ${fRange}, predicting every run's loss ` +
    `within ${short(PREDICTION_TOL)}, with different parameters (${ranges})`
  );
}

/**
 * The verdict: design reasons first, then the Hessian H (in coordinates named by
 * `hessianNames`, which may differ from the reported ones, e.g. centred), then the optima.
 */
export function assessIdentifiability(check: {
  design: string | null;
  hessian: ArrayLike<number>;
  hessianNames: readonly string[];
  optima: readonly Optimum[];
  params: readonly ParamSpec[];
}): Identifiability {
  const hess = hessianCheck(check.hessian, check.hessianNames);
  const reason = check.design ?? hess.reason ?? optimaCheck(check.optima, check.params);
  return reason === null ? { identifiable: true, condition: hess.condition } : { identifiable: false, unidentifiable: reason, condition: hess.condition };
}
