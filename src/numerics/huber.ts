/**
 * The Huber loss, the robust objective of every fit in adomix (ADO's learning curves and the
 * planning laws): quadratic near zero, linear in the tails, so outlying points pull with a
 * bounded force (Huber 1964; the Chinchilla fits and the ADO reference both use δ = 1e-3 on
 * log-loss residuals).
 *
 *   ρ_δ(r) = r²/2            for |r| ≤ δ
 *          = δ·(|r| − δ/2)   otherwise
 *   ψ_δ(r) = ρ'(r) = clamp(r, −δ, δ)
 */

/** ρ_δ(r). */
export function huberRho(r: number, delta: number): number {
  const a = r < 0 ? -r : r;
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

/** ψ_δ(r) = dρ/dr. */
export function huberPsi(r: number, delta: number): number {
  return r > delta ? delta : r < -delta ? -delta : r;
}
