import { describe, expect, it } from 'vitest';
import { getScenario } from '../../src/sim/scenarios.js';
import { parseScenarioSpec } from '../../src/sim/scenarioSpec.js';
import { projectCappedSimplex, scheduleOracle, staticOracle } from '../../src/sim/oracle.js';
import { TrueCurves } from '../../src/sim/TrueCurves.js';

const sum = (a: ArrayLike<number>): number => Array.from(a).reduce((x, y) => x + y, 0);

describe('projectCappedSimplex', () => {
  it('projects onto the capped simplex', () => {
    const out = projectCappedSimplex([0.9, 0.5, -0.2], [1, 1, 1], new Float64Array(3));
    expect(Array.from(out).map((x) => +x.toFixed(12))).toEqual([0.7, 0.3, 0]);
    const capped = projectCappedSimplex([0.9, 0.5, 0.1], [0.2, 1, 1], new Float64Array(3));
    expect(capped[0]).toBeCloseTo(0.2, 12);
    expect(sum(capped)).toBeCloseTo(1, 12);
    expect(capped[1] - capped[2]).toBeCloseTo(0.4, 12);
  });
});

describe('staticOracle', () => {
  it('gives the balanced mixture when every domain is the same', () => {
    const o = staticOracle(getScenario('equal'));
    for (const w of o.weights) expect(w).toBeCloseTo(0.25, 9);
  });

  it('gives a pure-noise domain nothing', () => {
    const s = getScenario('noise-domain');
    const o = staticOracle(s);
    expect(o.weights[s.domains.findIndex((d) => d.name === 'random')]).toBe(0);
    expect(sum(o.weights)).toBeCloseTo(1, 12);
  });

  it('satisfies the KKT conditions: equal marginal gains where w > 0, no better gain where w = 0', () => {
    for (const name of ['slow-steady', 'transfer', 'low-epsilon', 'pile22', 'repeated']) {
      const s = getScenario(name);
      const o = staticOracle(s);
      const N = s.steps * s.batchSize;
      const g = new Float64Array(s.domains.length);
      new TrueCurves(s).gradient(o.counts, g);
      const active = Array.from(g).filter((_, k) => o.weights[k] > 1e-9);
      const lambda = Math.min(...active);
      for (let k = 0; k < g.length; k++) {
        if (o.weights[k] > 1e-9) expect(Math.abs(g[k] - lambda) * N).toBeLessThan(1e-6);
        else expect(g[k]).toBeGreaterThanOrEqual(lambda - 1e-12);
      }
      expect(o.converged).toBe(true);
    }
  });

  it('is never worse than a dense grid search (3 domains with transfer and repetition)', () => {
    const s = parseScenarioSpec({
      name: 'grid',
      steps: 1000,
      batchSize: 100,
      domains: [
        { name: 'a', epsilon: 2, beta: 20, alpha: 0.3, size: 5000 },
        { name: 'b', epsilon: 1, beta: 12, alpha: 0.45 },
        { name: 'c', epsilon: 2.5, beta: 30, alpha: 0.2 },
      ],
      transfer: [{ from: 'c', to: 'a', weight: 0.6 }],
    });
    const o = staticOracle(s);
    const curves = new TrueCurves(s);
    const N = 1000 * 100;
    let best = Infinity;
    const step = 0.0025;
    for (let a = 0; a <= 1 + 1e-9; a += step) {
      for (let b = 0; a + b <= 1 + 1e-9; b += step) {
        const c = Math.max(0, 1 - a - b);
        best = Math.min(best, curves.objective([a * N, b * N, c * N]));
      }
    }
    expect(o.objective).toBeLessThanOrEqual(best + 1e-12);
    expect(best - o.objective).toBeLessThan(1e-4);
  });

  it('respects finite data', () => {
    const s = getScenario('runs-out');
    const o = staticOracle(s);
    expect(o.weights[0]).toBeLessThanOrEqual(160_000 / (s.steps * s.batchSize) + 1e-12);
    expect(o.counts[0]).toBeLessThanOrEqual(160_000 + 1e-6);
  });

  it('refuses a budget larger than the data', () => {
    const s = parseScenarioSpec({
      name: 'tiny',
      steps: 100,
      batchSize: 10,
      domains: [
        { name: 'a', epsilon: 2, beta: 20, alpha: 0.3, size: 300, epochs: 1 },
        { name: 'b', epsilon: 2, beta: 20, alpha: 0.3, size: 300, epochs: 2 },
      ],
    });
    expect(() => staticOracle(s)).toThrow(
      'scenario "tiny": the budget of 1000 examples (100 steps × 10) exceeds the data available (900 examples)',
    );
  });
});

describe('scheduleOracle', () => {
  it('reaches the static optimum at the end and stays below the static oracle mixture all along', () => {
    for (const name of ['slow-steady', 'transfer', 'runs-out']) {
      const s = getScenario(name);
      const st = staticOracle(s);
      const sc = scheduleOracle(s);
      expect(sc.trajectory.length).toBe(s.steps);
      expect(sc.objective).toBeGreaterThanOrEqual(st.objective - 1e-9);
      expect((sc.objective - st.objective) / st.objective).toBeLessThan(1e-4);
      // Anytime: at every checkpoint the greedy schedule beats the final static mixture run so far.
      const curves = new TrueCurves(s);
      for (const t of [100, 1000, 2500, 4000]) {
        const n = Array.from(st.weights, (w) => w * (t + 1) * s.batchSize);
        expect(sc.trajectory[t]).toBeLessThanOrEqual(curves.objective(n) + 1e-9);
      }
      // Shares of each step sum to 1.
      for (const t of [0, 10, s.steps - 1]) {
        let tot = 0;
        for (let k = 0; k < s.domains.length; k++) tot += sc.shares[t * s.domains.length + k];
        expect(tot).toBeCloseTo(1, 9);
      }
    }
  });
});
