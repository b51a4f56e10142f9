/**
 * The learning-curve law L(n) = ε + β·n^(−α), parameterised (a, e, α) with β = exp(a),
 * ε = exp(e) as in the ADO reference (see DESIGN.md).
 *
 * log L is evaluated as logsumexp(a − α·log n, e) so that neither term overflows or
 * underflows, whatever the magnitudes of β and n.
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

/** log L(n) = logsumexp(a − α·log n, e), computed stably. */
export function powerLawLogValue(p: PowerLawParams, n: number): number {
  return logSumExp2(p.a - p.alpha * Math.log(n), p.e);
}

/** log(exp(u) + exp(v)) without overflow. */
export function logSumExp2(u: number, v: number): number {
  return u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
}
