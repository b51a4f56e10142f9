import { describe, expect, it } from 'vitest';
import { choleskySolve } from '../../src/numerics/cholesky.js';
import { huberPsi, huberRho } from '../../src/numerics/huber.js';

describe('choleskySolve', () => {
  it('solves a symmetric positive-definite system (the leading block of a strided matrix)', () => {
    // M = [[4, 2, 0.6], [2, 5, 1], [0.6, 1, 3]], x = [1, -2, 0.5]: b = M x.
    const M = [4, 2, 0.6, 2, 5, 1, 0.6, 1, 3];
    const x = [1, -2, 0.5];
    const b = [0, 1, 2].map((r) => M[r * 3] * x[0] + M[r * 3 + 1] * x[1] + M[r * 3 + 2] * x[2]);
    const s = new Float64Array(3);
    expect(choleskySolve(Float64Array.from(M), 3, 3, b, s)).toBe(true);
    s.forEach((v, i) => expect(v).toBeCloseTo(x[i], 13));
    // The leading 2×2 block of a 3-stride matrix.
    const s2 = new Float64Array(2);
    expect(choleskySolve(Float64Array.from(M), 3, 2, [4 * 1 + 2 * 1, 2 * 1 + 5 * 1], s2)).toBe(true);
    s2.forEach((v) => expect(v).toBeCloseTo(1, 14));
  });

  it('refuses a matrix that is not positive definite, or only barely, with a relative pivot', () => {
    const s = new Float64Array(2);
    expect(choleskySolve(Float64Array.from([1, 2, 2, 1]), 2, 2, [1, 1], s)).toBe(false); // indefinite
    expect(choleskySolve(Float64Array.from([1, 1, 1, 1 + 1e-15]), 2, 2, [1, 1], s)).toBe(true);
    expect(choleskySolve(Float64Array.from([1, 1, 1, 1 + 1e-15]), 2, 2, [1, 1], s, 1e-14)).toBe(false);
    expect(choleskySolve(Float64Array.from([Infinity, 0, 0, 1]), 2, 2, [1, 1], s)).toBe(false);
  });
});

describe('huberPsi', () => {
  it('is the derivative of huberRho: clamp(r, −δ, δ)', () => {
    const d = 1e-3;
    for (const r of [-1, -2e-3, -1e-3, -5e-4, 0, 3e-4, 1e-3, 0.7]) {
      const h = 1e-9;
      expect(huberPsi(r, d)).toBeCloseTo((huberRho(r + h, d) - huberRho(r - h, d)) / (2 * h), 9);
      expect(Math.abs(huberPsi(r, d))).toBeLessThanOrEqual(d);
    }
  });
});
