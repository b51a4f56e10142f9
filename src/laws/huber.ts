/**
 * The Huber loss used by the ADO objective:
 *   H_δ(r) = r²/2            for |r| ≤ δ,
 *            δ·(|r| − δ/2)   beyond,
 * with ψ = H' (the clipped residual) and ψ' ∈ {0, 1}. It is C¹: quadratic near zero,
 * linear (L1-like, robust to outliers) in the tails.
 */

/** H_δ(r). */
export function huber(r: number, delta: number): number {
  const ar = Math.abs(r);
  return ar <= delta ? 0.5 * r * r : delta * (ar - 0.5 * delta);
}

/** ψ(r) = H_δ'(r) = clamp(r, −δ, δ). */
export function huberPsi(r: number, delta: number): number {
  return r > delta ? delta : r < -delta ? -delta : r;
}
