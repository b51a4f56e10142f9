/**
 * The learning-curve law L(n) = ε + β·n^(−α), parameterised (a, e, α) with β = exp(a),
 * ε = exp(e) as in the ADO reference (see DESIGN.md).
 * (The fitter evaluates log L as logsumexp(a − α·log n, e); see lawObjective.ts.)
 */
import type { PowerLawParams } from './types.js';

/** L(n) = ε + β·n^(−α). */
export function powerLawValue(p: PowerLawParams, n: number): number {
  return Math.exp(p.e) + Math.exp(p.a - p.alpha * Math.log(n));
}

/** dL/dn = −α·β·n^(−α−1) = −α·(L(n) − ε)/n. */
export function powerLawSlope(p: PowerLawParams, n: number): number {
  return (-p.alpha * Math.exp(p.a - p.alpha * Math.log(n))) / n;
}
