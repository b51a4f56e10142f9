import { describe, expect, it } from 'vitest';
import { distinctValues, hessianCheck, optimaCheck, short, type ParamSpec } from '../../src/planning/identifiability.js';
import { KaplanCentredProblem } from '../../src/planning/kaplanCentred.js';
import { huberHessian, type HuberProblem } from '../../src/numerics/minimizeHuber.js';
import { symmetricEigen } from '../../src/numerics/symmetricEigen.js';

const PARAMS: ParamSpec[] = [
  { name: 'A', show: Math.exp },
  { name: 'alpha', show: (v) => v },
];

describe('symmetricEigen', () => {
  it('diagonalises a symmetric matrix: A v = λ v, ascending, orthonormal', () => {
    const m = [4, 1, -2, 1, 2, 0, -2, 0, 3];
    const { values, vectors } = symmetricEigen(m, 3);
    expect(values[0]).toBeLessThan(values[1]);
    expect(values[1]).toBeLessThan(values[2]);
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(9, 12); // trace
    for (const [k, v] of vectors.entries()) {
      for (let i = 0; i < 3; i++) {
        const av = m[i * 3] * v[0] + m[i * 3 + 1] * v[1] + m[i * 3 + 2] * v[2];
        expect(av).toBeCloseTo(values[k] * v[i], 12);
      }
      expect(v[0] ** 2 + v[1] ** 2 + v[2] ** 2).toBeCloseTo(1, 12);
    }
    expect(symmetricEigen([2, 1, 1, 2], 2).values.map((v) => Number(v.toFixed(12)))).toEqual([1, 3]);
  });
});

describe('hessianCheck', () => {
  it('is unit-free: a diagonal Hessian is perfectly conditioned whatever its scales', () => {
    expect(hessianCheck([1e6, 0, 0, 1e-6], ['A', 'alpha'])).toEqual({ condition: 1, reason: null });
  });

  it('names the parameters of a nearly collinear pair', () => {
    const c = 1 - 1e-10;
    const r = hessianCheck([1, c, c, 1], ['A', 'alpha']);
    expect(r.condition).toBeCloseTo(2e10, -6);
    expect(r.reason).toBe('the Hessian of the objective is near-singular at the optimum (condition number 2e10): parameters A, alpha are not determined by the data');
  });

  it('a parameter without curvature, or an indefinite Hessian, is singular', () => {
    expect(hessianCheck([2, 0, 0, 0], ['A', 'alpha']).reason).toBe(
      'the Hessian of the objective is singular at the optimum (no curvature along alpha): parameter alpha is not determined by the data',
    );
    const r = hessianCheck([1, 2, 2, 1], ['A', 'alpha']);
    expect(r.condition).toBe(Infinity);
    expect(r.reason).toBe('the Hessian of the objective is singular at the optimum (an eigenvalue is -1 ≤ 0): parameters A, alpha are not determined by the data');
  });
});

describe('optimaCheck', () => {
  const res = [0.01, -0.02, 0.005];
  it('flags optima that predict the same losses with different parameters, with their ranges', () => {
    const optima = [
      { theta: [Math.log(400), 0.3], residuals: res, objective: 1.2e-5 },
      { theta: [Math.log(900), 0.7], residuals: res.map((r) => r + 2e-6), objective: 1.2e-5 },
      { theta: [Math.log(50), 0.1], residuals: res.map((r) => r - 3e-6), objective: 1.2e-5 },
      { theta: [Math.log(5), 2], residuals: res.map((r) => r + 0.01), objective: 3e-4 },
    ];
    expect(optimaCheck(optima, PARAMS)).toBe(
      '3 of 4 converged starts reach the same objective 1.2e-5, predicting every run\'s loss within 1e-5, with different parameters (A from 50 to 900, alpha from 0.1 to 0.7)',
    );
  });

  it('passes optima that agree, and distinct optima that predict differently', () => {
    const same = [
      { theta: [6, 0.3], residuals: res, objective: 1e-5 },
      { theta: [6 + 1e-7, 0.3 - 1e-7], residuals: res, objective: 1e-5 },
    ];
    expect(optimaCheck(same, PARAMS)).toBeNull();
    const apart = [same[0], { theta: [3, 0.9], residuals: res.map((r) => r + 1e-3), objective: 2e-5 }];
    expect(optimaCheck(apart, PARAMS)).toBeNull();
    expect(optimaCheck([same[0]], PARAMS)).toBeNull();
  });
});

describe('helpers', () => {
  it('distinctValues merges values equal to rounding; short prints compact numbers', () => {
    expect(distinctValues([1e8, 2e9, 1e8 * (1 + 1e-12), 4e8])).toEqual([1e8, 4e8, 2e9]);
    expect([1e8, 2.5e9, 0.34, 1.2e-5, 370, Infinity].map(short)).toEqual(['1e8', '2.5e9', '0.34', '1.2e-5', '370', 'Infinity']);
  });
});

describe('KaplanCentredProblem', () => {
  it('its analytic Hessian matches central differences of the gradient', () => {
    const x = Float64Array.from([12, 14, 16, 18, 20, 23]); // log N
    const y = Float64Array.from(x, (v, i) => v + 1 + 0.5 * i); // log D
    const t = Float64Array.from(x, (v, i) => 1.2 - 0.04 * v + 0.01 * i); // log loss
    const prob = new KaplanCentredProblem(x, y, t);
    const theta = prob.centre([31, 30, 0.076, 0.103]);
    // δ = 10 puts every residual inside δ, so both the J Jᵀ and the ψ·∇²r terms count.
    const exact = huberHessian(prob, theta, 10);
    const numeric: HuberProblem = { n: prob.n, p: prob.p, residuals: (th, r, J) => prob.residuals(th, r, J) };
    const diff = huberHessian(numeric, theta, 10);
    const scale = Math.max(...exact.map(Math.abs));
    for (let k = 0; k < 16; k++) expect(Math.abs(exact[k] - diff[k]) / scale).toBeLessThan(1e-7);
  });
});
