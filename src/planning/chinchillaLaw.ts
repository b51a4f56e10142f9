/**
 * The Chinchilla joint law (Hoffmann et al. 2022, "Training Compute-Optimal Large
 * Language Models", Approach 3):
 *
 *   L(N, D) = E + A/N^α + B/D^β
 *
 * N counts all parameters, D training tokens. The fit works in log space with
 * A = e^a, B = e^b, E = e^e, so that log L = LSE(a − α·log N, b − β·log D, e).
 */

export interface ChinchillaLaw {
  /** Irreducible loss E (nats per token). */
  E: number;
  /** Parameter-term coefficient A. */
  A: number;
  /** Data-term coefficient B. */
  B: number;
  /** Parameter exponent α. */
  alpha: number;
  /** Data exponent β. */
  beta: number;
}

/** The same law in the fit's log parameterisation: A = e^a, B = e^b, E = e^e. */
export interface ChinchillaLogParams {
  a: number;
  b: number;
  e: number;
  alpha: number;
  beta: number;
}

export function chinchillaLoss(law: ChinchillaLaw, N: number, D: number): number {
  return law.E + law.A / Math.pow(N, law.alpha) + law.B / Math.pow(D, law.beta);
}

export function chinchillaFromLog(p: ChinchillaLogParams): ChinchillaLaw {
  return { E: Math.exp(p.e), A: Math.exp(p.a), B: Math.exp(p.b), alpha: p.alpha, beta: p.beta };
}

export function chinchillaToLog(law: ChinchillaLaw): ChinchillaLogParams {
  return { a: Math.log(law.A), b: Math.log(law.B), e: Math.log(law.E), alpha: law.alpha, beta: law.beta };
}

/** Throws unless every parameter is finite and E, A, B are positive. */
export function validateChinchillaLaw(law: ChinchillaLaw, where = 'chinchilla law'): void {
  for (const k of ['E', 'A', 'B', 'alpha', 'beta'] as const) {
    const v = law[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: ${k} must be a finite number, got ${String(v)}`);
  }
  for (const k of ['E', 'A', 'B'] as const) {
    if (!(law[k] > 0)) throw new Error(`${where}: ${k} must be positive, got ${law[k]}`);
  }
}
