/**
 * Effective data after repetition, from Muennighoff et al. 2023, "Scaling Data-Constrained
 * Language Models" (NeurIPS 2023, arXiv 2305.16264), eq. 5:
 *
 *   D' = U + U · R* · (1 − e^(−R/R*)),   R = D/U − 1 repetitions beyond the first epoch,
 *
 * with U the unique examples, D the examples drawn, and R* ≈ 15.4 their fitted decay
 * constant (R*_D = 15.39): a few epochs are worth almost as much as fresh data, many
 * epochs are worth less and less, and D' never exceeds U·(1 + R*).
 * Below one epoch every example is fresh: D' = D. Its derivative is 1, then e^(−R/R*).
 */

/** The paper's fitted R*_D. */
export const MUENNIGHOFF_R_STAR = 15.4;

/** Effective examples after drawing `n` from a domain of `unique` examples. */
export function effectiveData(n: number, unique: number, rStar: number): number {
  if (!(n > unique)) return n;
  const r = n / unique - 1;
  return unique + unique * rStar * (1 - Math.exp(-r / rStar));
}

/** d effectiveData / dn: 1 within the first epoch, then e^(−R/R*). */
export function effectiveDataSlope(n: number, unique: number, rStar: number): number {
  if (!(n > unique)) return 1;
  return Math.exp(-(n / unique - 1) / rStar);
}
