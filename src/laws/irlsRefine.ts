/**
 * Local refinement of a power-law fit by Huber IRLS around ml-levenberg-marquardt.
 *
 * Each outer pass fixes the IRLS weights w_i = ψ(r_i)/r_i = min(1, δ/|r_i|) and lets
 * Levenberg–Marquardt (analytic Jacobian, box limits) minimise Σ w_i·r_i²; the fixed point
 * satisfies Σ ψ(r_i)·∇r_i = 0, the stationarity of the Huber objective.
 *
 * The library's `weights` option is inconsistent (its step uses 1/w² while its error uses
 * w²), so it is not used: √w_i is folded into the model and the targets instead, with the
 * point index as the library's x.
 *
 * Internal to src/laws.
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import { objectiveValue, type LawData } from './lawObjective.js';

export interface RefineResult {
  theta: [number, number, number];
  f: number;
  iterations: number;
}

export function irlsRefine(
  data: LawData,
  theta0: ArrayLike<number>,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  delta: number,
  passes = 3,
  lmIterations = 6,
): RefineResult {
  const { x, y } = data;
  const N = x.length;
  const index = new Float64Array(N);
  for (let i = 0; i < N; i++) index[i] = i;
  const sw = new Float64Array(N);
  const target = new Float64Array(N);
  let theta: [number, number, number] = [theta0[0], theta0[1], theta0[2]];
  let f = objectiveValue(data, theta, delta);
  let iterations = 0;
  const partials = [0, 0, 0];

  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < N; i++) {
      const r = logLaw(theta[0], theta[1], theta[2], x[i]) - y[i];
      const ar = Math.abs(r);
      sw[i] = ar <= delta ? 1 : Math.sqrt(delta / ar);
      target[i] = sw[i] * y[i];
    }
    const model = (p: number[]) => (i: number) => sw[i] * logLaw(p[0], p[1], p[2], x[i]);
    const jacobian = (p: number[]) => (i: number) => {
      const z = p[0] - p[2] * x[i] - p[1];
      const pz = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      const s = sw[i];
      partials[0] = s * pz;
      partials[1] = s * (1 - pz);
      partials[2] = -s * x[i] * pz;
      return partials;
    };
    const out = levenbergMarquardt({ x: index, y: target }, model, {
      initialValues: theta,
      jacobianFunction: jacobian,
      minValues: lo,
      maxValues: hi,
      maxIterations: lmIterations,
      errorTolerance: 0,
    });
    iterations += out.iterations;
    const next = out.parameterValues;
    if (!next.every(Number.isFinite)) break;
    const fNext = objectiveValue(data, next, delta);
    if (!(fNext <= f)) break; // IRLS descends; anything else is numerical trouble
    const moved = Math.max(...next.map((v, j) => Math.abs(v - theta[j]) / (1 + Math.abs(v))));
    theta = [next[0], next[1], next[2]];
    f = fNext;
    if (moved < 1e-10) break;
  }
  return { theta, f, iterations };
}

/** log(ε + β·n^−α) = logsumexp(a − α·x, e). */
function logLaw(a: number, e: number, alpha: number, x: number): number {
  const u = a - alpha * x;
  return u > e ? u + Math.log1p(Math.exp(e - u)) : e + Math.log1p(Math.exp(u - e));
}
