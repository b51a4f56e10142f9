import { describe, expect, it } from 'vitest';
import { powerLawSlope, powerLawValue } from '../../src/curves/index.js';

describe('powerLawValue / powerLawSlope', () => {
  const p = { a: Math.log(30), e: Math.log(2), alpha: 0.3 };

  it('L(n) = ε + β·n^−α with β = exp(a), ε = exp(e)', () => {
    expect(powerLawValue(p, 1)).toBeCloseTo(32, 12);
    expect(powerLawValue(p, 1000)).toBeCloseTo(2 + 30 * 1000 ** -0.3, 12);
    expect(powerLawValue({ a: 0, e: 0, alpha: 0.5 }, 4)).toBeCloseTo(1.5, 14);
  });

  it('dL/dn = −α·(L − ε)/n, matching a central difference', () => {
    for (const n of [10, 1e3, 1e6]) {
      const slope = powerLawSlope(p, n);
      expect(slope).toBeCloseTo((-0.3 * (powerLawValue(p, n) - 2)) / n, 14);
      const h = n * 1e-5;
      const fd = (powerLawValue(p, n + h) - powerLawValue(p, n - h)) / (2 * h);
      expect(Math.abs(slope - fd) / Math.abs(slope)).toBeLessThan(1e-7);
    }
    expect(powerLawSlope({ a: 1, e: 0, alpha: 0 }, 100)).toBe(-0);
  });

  it('stays finite for extreme n and β', () => {
    const q = { a: 40, e: Math.log(1.5), alpha: 2 };
    expect(powerLawValue(q, 1e12)).toBeCloseTo(1.5 + Math.exp(40) * 1e-24, 12);
    expect(Number.isFinite(powerLawSlope(q, 1e12))).toBe(true);
  });
});
