/**
 * Eigenvalues and eigenvectors of a small symmetric matrix (p ≤ ~10) by cyclic Jacobi
 * rotations: each rotation zeroes one off-diagonal entry A_pq with
 *
 *   θ = (A_qq − A_pp) / (2·A_pq),  t = sign(θ) / (|θ| + √(θ² + 1)),  c = 1/√(1 + t²),  s = t·c
 *
 * and sweeps repeat until the off-diagonal mass is below rounding. Jacobi is accurate for
 * tiny eigenvalues relative to the matrix (what a conditioning test needs) and needs no
 * library. Internal to the fitters (src/planning, src/curves).
 */

export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: number[];
  /** vectors[k] is the unit eigenvector of values[k]. */
  vectors: number[][];
}

/** Eigen-decomposition of the symmetric p×p matrix m (row-major; only its upper triangle is read). */
export function symmetricEigen(m: ArrayLike<number>, p: number): SymmetricEigen {
  if (m.length !== p * p) throw new Error(`symmetricEigen: expected ${p * p} entries, got ${m.length}`);
  const a = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (j >= i ? m[i * p + j] : m[j * p + i])));
  const v: number[][] = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < p; i++) {
      diag += a[i][i] * a[i][i];
      for (let j = i + 1; j < p; j++) off += a[i][j] * a[i][j];
    }
    if (!(off > 1e-30 * diag) || !Number.isFinite(off)) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        if (a[i][j] === 0) continue;
        const theta = (a[j][j] - a[i][i]) / (2 * a[i][j]);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const aki = a[k][i];
          const akj = a[k][j];
          a[k][i] = c * aki - s * akj;
          a[k][j] = s * aki + c * akj;
        }
        for (let k = 0; k < p; k++) {
          const aik = a[i][k];
          const ajk = a[j][k];
          a[i][k] = c * aik - s * ajk;
          a[j][k] = s * aik + c * ajk;
        }
        for (let k = 0; k < p; k++) {
          const vki = v[k][i];
          const vkj = v[k][j];
          v[k][i] = c * vki - s * vkj;
          v[k][j] = s * vki + c * vkj;
        }
      }
    }
  }
  const order = Array.from({ length: p }, (_, k) => k).sort((x, y) => a[x][x] - a[y][y]);
  return { values: order.map((k) => a[k][k]), vectors: order.map((k) => v.map((row) => row[k])) };
}
