/**
 * Solves M·s = b for a small symmetric positive-definite matrix by Cholesky, M = L·Lᵀ: the
 * Newton and Gauss–Newton steps of every fitter (ADO's curves: 3 parameters; the planning
 * laws: 4–5). The k×k matrix is the leading block of `m`, row-major with row stride `stride`;
 * it is overwritten by L (lower triangle). Forward substitution L·z = b, then back
 * substitution Lᵀ·s = z.
 *
 * Returns false when a pivot is not above `relativePivot`·|M_jj| (and above 0) or is
 * infinite: M is not numerically positive definite, and the caller damps more. No allocation.
 */
export function choleskySolve(m: Float64Array, stride: number, k: number, b: ArrayLike<number>, s: Float64Array, relativePivot = 0): boolean {
  for (let r = 0; r < k; r++) {
    for (let c = 0; c <= r; c++) {
      let sum = m[r * stride + c];
      for (let t = 0; t < c; t++) sum -= m[r * stride + t] * m[c * stride + t];
      if (r === c) {
        if (!(sum > relativePivot * Math.max(Math.abs(m[r * stride + r]), 1e-300)) || sum === Infinity) return false;
        m[r * stride + r] = Math.sqrt(sum);
      } else {
        m[r * stride + c] = sum / m[c * stride + c];
      }
    }
  }
  for (let r = 0; r < k; r++) {
    let sum = b[r];
    for (let t = 0; t < r; t++) sum -= m[r * stride + t] * s[t];
    s[r] = sum / m[r * stride + r];
  }
  for (let r = k - 1; r >= 0; r--) {
    let sum = s[r];
    for (let t = r + 1; t < k; t++) sum -= m[t * stride + r] * s[t];
    s[r] = sum / m[r * stride + r];
  }
  return true;
}
