/**
 * Kaplan et al.'s joint law (2020, "Scaling Laws for Neural Language Models", eq. 1.5):
 *
 *   L(N, D) = [ (N_c/N)^(α_N/α_D) + D_c/D ]^α_D
 *
 * N counts non-embedding parameters (≈ 12·n_layer·d_model²), D tokens. The published joint
 * fit: α_N = 0.076, α_D = 0.103, N_c = 6.4e13, D_c = 1.8e13, giving L(1e9, 1e10) ≈ 2.420.
 * There is no irreducible term: the loss tends to 0 as N, D → ∞.
 */

export interface KaplanLaw {
  /** N_c, in (non-embedding) parameters. */
  Nc: number;
  /** D_c, in tokens. */
  Dc: number;
  alphaN: number;
  alphaD: number;
}

/** log L = α_D · LSE((α_N/α_D)·(log N_c − log N), log D_c − log D), overflow-free. */
export function kaplanLogLoss(law: KaplanLaw, N: number, D: number): number {
  const u = (law.alphaN / law.alphaD) * (Math.log(law.Nc) - Math.log(N));
  const v = Math.log(law.Dc) - Math.log(D);
  const m = Math.max(u, v);
  return law.alphaD * (m + Math.log(Math.exp(u - m) + Math.exp(v - m)));
}

export function kaplanLoss(law: KaplanLaw, N: number, D: number): number {
  return Math.exp(kaplanLogLoss(law, N, D));
}

/** Throws unless N_c, D_c, α_N, α_D are positive finite numbers. */
export function validateKaplanLaw(law: KaplanLaw, where = 'kaplan law'): void {
  for (const k of ['Nc', 'Dc', 'alphaN', 'alphaD'] as const) {
    const v = law[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new Error(`${where}: ${k} must be a positive number, got ${String(v)}`);
    }
  }
}
