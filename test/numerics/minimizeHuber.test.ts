import { describe, expect, it } from 'vitest';
import { minimizeHuber, type HuberProblem } from '../../src/numerics/minimizeHuber.js';
import { huberRho } from '../../src/numerics/huber.js';

/** Robust straight line r_i = θ0 + θ1·x_i − y_i: no curvature, so the Newton phase differences the gradient. */
function line(x: number[], y: number[]): HuberProblem {
  return {
    n: x.length,
    p: 2,
    residuals(th, r, J) {
      for (let i = 0; i < x.length; i++) {
        r[i] = th[0] + th[1] * x[i] - y[i];
        J[2 * i] = 1;
        J[2 * i + 1] = x[i];
      }
    },
  };
}

describe('minimizeHuber', () => {
  it('huberRho is quadratic inside δ and linear outside, continuous at δ', () => {
    expect(huberRho(0.5e-3, 1e-3)).toBeCloseTo(0.125e-6, 15);
    expect(huberRho(-3e-3, 1e-3)).toBeCloseTo(1e-3 * (3e-3 - 0.5e-3), 15);
    expect(huberRho(1e-3, 1e-3)).toBeCloseTo(0.5e-6, 15);
  });

  it('fits a line exactly through noise-free points and reports convergence', () => {
    const x = [0, 1, 2, 3, 4, 5];
    const y = x.map((v) => 0.3 + 0.02 * v);
    const m = minimizeHuber(line(x, y), [1, -1]);
    expect(m.converged).toBe(true);
    expect(m.reason).toBe('gradient');
    expect(m.theta[0]).toBeCloseTo(0.3, 9);
    expect(m.theta[1]).toBeCloseTo(0.02, 9);
    expect(m.gradNorm).toBeLessThanOrEqual(1e-10);
  });

  it('ignores a gross outlier (robust), unlike least squares', () => {
    const x = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const y = x.map((v) => 0.1 * v);
    y[4] += 5; // outlier
    const m = minimizeHuber(line(x, y), [0, 0]);
    expect(m.converged).toBe(true);
    // The other 8 points are interpolated to within δ-scale.
    expect(m.theta[1]).toBeCloseTo(0.1, 3);
    expect(m.theta[0]).toBeCloseTo(0, 3);
  });

  it('says when it stops early', () => {
    const x = [0, 1, 2, 3, 4, 5];
    const y = x.map((v) => 3 * Math.sin(v));
    const m = minimizeHuber(line(x, y), [100, 100], { maxIter: 1 });
    expect(m.converged).toBe(false);
    expect(m.reason).toBe('max-iterations');
  });

  it('rejects a start of the wrong length', () => {
    expect(() => minimizeHuber(line([0, 1], [0, 1]), [0])).toThrow(/start has 1 parameters, problem has 2/);
  });
});
