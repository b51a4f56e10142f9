import { describe, expect, it } from 'vitest';
import { effectiveData, effectiveDataSlope, MUENNIGHOFF_R_STAR } from '../../src/sim/effectiveData.js';
import { TrueCurves } from '../../src/sim/TrueCurves.js';
import { parseScenarioSpec } from '../../src/sim/scenarioSpec.js';

describe('effectiveData (Muennighoff et al. 2023)', () => {
  it('counts fresh data fully and repeated data less', () => {
    expect(effectiveData(500, 1000, 15.4)).toBe(500);
    expect(effectiveData(1000, 1000, 15.4)).toBe(1000);
    expect(effectiveData(5000, Infinity, 15.4)).toBe(5000);
    // 4 epochs: R = 3 → D' = U + U·R*·(1 − e^(−3/R*)) ≈ 3.71·U (almost as good as fresh).
    const d4 = effectiveData(4000, 1000, 15.4);
    expect(d4).toBeCloseTo(1000 + 1000 * 15.4 * (1 - Math.exp(-3 / 15.4)), 9);
    expect(d4 / 4000).toBeGreaterThan(0.92);
    // Many epochs saturate at U·(1 + R*).
    expect(effectiveData(1e9, 1000, 15.4)).toBeCloseTo(1000 * (1 + 15.4), 6);
    expect(MUENNIGHOFF_R_STAR).toBe(15.4);
  });

  it('has the derivative it claims', () => {
    for (const n of [200, 999, 1500, 8000, 40000]) {
      const h = 1e-3;
      const fd = (effectiveData(n + h, 1000, 15.4) - effectiveData(n - h, 1000, 15.4)) / (2 * h);
      expect(effectiveDataSlope(n, 1000, 15.4)).toBeCloseTo(fd, 6);
    }
  });
});

describe('TrueCurves', () => {
  const scenario = parseScenarioSpec({
    name: 't',
    offset: 50,
    domains: [
      { name: 'a', epsilon: 2, beta: 20, alpha: 0.3 },
      { name: 'b', epsilon: 1, beta: 10, alpha: 0.5, size: 2000 },
      { name: 'c', epsilon: 3, beta: 0, alpha: 0.2 },
    ],
    transfer: [{ from: 'b', to: 'a', weight: 0.5 }],
  });
  const curves = new TrueCurves(scenario);

  it('evaluates L = ε + β(m + n0)^(−α) with transfer and repetition', () => {
    const n = [1000, 6000, 300];
    const L = curves.loss(n);
    const effB = effectiveData(6000, 2000, 15.4);
    expect(L[0]).toBeCloseTo(2 + 20 * Math.pow(1000 + 0.5 * effB + 50, -0.3), 12);
    expect(L[1]).toBeCloseTo(1 + 10 * Math.pow(effB + 50, -0.5), 12);
    expect(L[2]).toBe(3); // nothing to learn
    expect(curves.objective(n)).toBeCloseTo((L[0] + L[1] + L[2]) / 3, 12);
  });

  it('has an exact gradient (finite differences)', () => {
    const n = [1000, 6000, 300];
    const g = new Float64Array(3);
    const f = curves.gradient(n, g);
    expect(f).toBeCloseTo(curves.objective(n), 12);
    for (let j = 0; j < 3; j++) {
      const h = 1e-2;
      const up = [...n];
      const dn = [...n];
      up[j] += h;
      dn[j] -= h;
      const fd = (curves.objective(up) - curves.objective(dn)) / (2 * h);
      expect(g[j]).toBeCloseTo(fd, 9);
      expect(g[j]).toBeLessThanOrEqual(0);
    }
    expect(g[2]).toBe(0);
  });
});
