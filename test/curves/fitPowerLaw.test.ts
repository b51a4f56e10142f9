import { describe, expect, it } from 'vitest';
import { powerLawValue, fitPowerLaw, type PowerLawParams } from '../../src/curves/index.js';
import { Rng } from '../../src/random/index.js';

/** Σ Huber_δ(log L̂(n_i) − log ℓ_i), written out independently of the library. */
function huberObjective(n: number[], loss: number[], p: PowerLawParams, delta = 1e-3): number {
  let f = 0;
  for (let i = 0; i < n.length; i++) {
    const u = p.a - p.alpha * Math.log(n[i]);
    const logL = Math.max(u, p.e) + Math.log1p(Math.exp(-Math.abs(u - p.e)));
    const r = logL - Math.log(loss[i]);
    f += Math.abs(r) <= delta ? 0.5 * r * r : delta * (Math.abs(r) - delta / 2);
  }
  return f;
}

/** The reference's unscaled linear penalties. */
function referencePenalty(p: PowerLawParams): number {
  return (
    Math.max(0, p.alpha - 0.8) + Math.max(0, 0.001 - p.alpha) + Math.max(0, p.a - 6.5) + Math.max(0, 0.5 - p.e)
  );
}

/** n spread evenly from n0 in steps of `step`; loss from the law, times (1 + noise·z). */
function curve(eps: number, beta: number, alpha: number, N: number, opts: { n0?: number; step?: number; noise?: number; seed?: number } = {}) {
  const { n0 = 1000, step = 1000, noise = 0, seed = 1 } = opts;
  const rng = new Rng(seed);
  const n: number[] = [];
  const loss: number[] = [];
  for (let i = 0; i < N; i++) {
    const ni = n0 + i * step;
    n.push(ni);
    loss.push((eps + beta * ni ** -alpha) * (1 + noise * (noise > 0 ? rng.normal() : 0)));
  }
  return { n, loss };
}

/**
 * Dense brute force: a 21³ grid over the box, then 9 times a 21³ grid over a box shrunk
 * around the best point so far (±3 cells, kept inside the original box).
 */
function bruteForce(f: (t: number[]) => number, lo: number[], hi: number[]): { value: number; theta: number[] } {
  const G = 21;
  let blo = [...lo];
  let bhi = [...hi];
  let best = { value: Infinity, theta: [0, 0, 0] };
  for (let level = 0; level < 10; level++) {
    const t = [0, 0, 0];
    for (let i = 0; i < G; i++) {
      t[0] = blo[0] + ((bhi[0] - blo[0]) * i) / (G - 1);
      for (let j = 0; j < G; j++) {
        t[1] = blo[1] + ((bhi[1] - blo[1]) * j) / (G - 1);
        for (let k = 0; k < G; k++) {
          t[2] = blo[2] + ((bhi[2] - blo[2]) * k) / (G - 1);
          const v = f(t);
          if (v < best.value) best = { value: v, theta: [...t] };
        }
      }
    }
    const nlo = [0, 0, 0];
    const nhi = [0, 0, 0];
    for (let d = 0; d < 3; d++) {
      const cell = (bhi[d] - blo[d]) / (G - 1);
      nlo[d] = Math.max(lo[d], best.theta[d] - 3 * cell);
      nhi[d] = Math.min(hi[d], best.theta[d] + 3 * cell);
    }
    blo = nlo;
    bhi = nhi;
  }
  return best;
}

const asParams = (t: number[]): PowerLawParams => ({ a: t[0], e: t[1], alpha: t[2] });

describe('fitPowerLaw: recovery of known laws', () => {
  it('recovers noise-free laws exactly (auto), including ε = 1.0', () => {
    for (const [eps, beta, alpha] of [
      [2, 30, 0.3],
      [1.0, 30, 0.3],
      [3.5, 500, 0.75],
      [1.2, 8, 0.1],
    ]) {
      const { n, loss } = curve(eps, beta, alpha, 200);
      const fit = fitPowerLaw(n, loss);
      expect(fit.converged).toBe(true);
      expect(fit.points).toBe(200);
      expect(Math.abs(fit.epsilon - eps) / eps).toBeLessThan(1e-8);
      expect(Math.abs(fit.beta - beta) / beta).toBeLessThan(1e-8);
      expect(Math.abs(fit.alpha - alpha) / alpha).toBeLessThan(1e-8);
      expect(fit.objective).toBeLessThan(1e-20);
      expect(fit.epsilon).toBe(Math.exp(fit.params.e));
      expect(fit.beta).toBe(Math.exp(fit.params.a));
      expect(fit.alpha).toBe(fit.params.alpha);
    }
  });

  it('reference preset: a curve sinking toward 1.0 is pinned at its bound e = 0.5', () => {
    const { n, loss } = curve(1.0, 30, 0.3, 200);
    const fit = fitPowerLaw(n, loss, { preset: 'reference' });
    expect(fit.params.e).toBe(0.5);
    expect(fit.epsilon).toBeCloseTo(Math.exp(0.5), 14);
    expect(fit.converged).toBe(true);
    expect(fit.alpha).toBeGreaterThan(0.3); // wrong exponent: the reference's known weakness
    // inside the other penalties' range, so the objective is the Huber sum alone
    expect(referencePenalty(fit.params)).toBe(0);
    expect(fit.objective).toBeCloseTo(huberObjective(n, loss, fit.params), 15);
    // ... while auto recovers ε = 1.0
    const auto = fitPowerLaw(n, loss, { preset: 'auto' });
    expect(auto.epsilon).toBeCloseTo(1.0, 9);
  });

  it('reference preset reproduces noise-free laws inside its bounds', () => {
    const { n, loss } = curve(2.5, 200, 0.5, 150);
    const fit = fitPowerLaw(n, loss, { preset: 'reference' });
    expect(fit.epsilon).toBeCloseTo(2.5, 9);
    expect(fit.beta / 200).toBeCloseTo(1, 8);
    expect(fit.alpha).toBeCloseTo(0.5, 9);
  });

  it('recovers noisy laws to within a few per cent', () => {
    const cases: [number, number, number][] = [
      [1.0, 40, 0.35],
      [2.2, 300, 0.6],
      [3.0, 15, 0.2],
    ];
    for (const [eps, beta, alpha] of cases) {
      const { n, loss } = curve(eps, beta, alpha, 2000, { n0: 500, step: 500, noise: 0.003, seed: 7 });
      const fit = fitPowerLaw(n, loss);
      expect(fit.converged).toBe(true);
      expect(Math.abs(fit.epsilon - eps) / eps).toBeLessThan(0.02);
      expect(Math.abs(fit.alpha - alpha) / alpha).toBeLessThan(0.03);
      expect(Math.abs(fit.beta - beta) / beta).toBeLessThan(0.1);
      expect(fit.objective).toBeCloseTo(huberObjective(n, loss, fit.params), 12);
    }
  });

  it('honours delta', () => {
    const { n, loss } = curve(2, 30, 0.3, 100, { noise: 0.02, seed: 3 });
    const f1 = fitPowerLaw(n, loss, { delta: 1e-3 });
    const f2 = fitPowerLaw(n, loss, { delta: 0.1 });
    expect(f1.objective).toBeCloseTo(huberObjective(n, loss, f1.params, 1e-3), 14);
    expect(f2.objective).toBeCloseTo(huberObjective(n, loss, f2.params, 0.1), 14);
    expect(f1.params.alpha).not.toBe(f2.params.alpha);
  });
});

describe('fitPowerLaw: global optimum (never worse than a dense brute-force search)', () => {
  it('auto: noisy small data set, over a box inside the auto bounds', () => {
    for (const seed of [1, 2, 3]) {
      const { n, loss } = curve(1.4, 20, 0.45, 30, { n0: 200, step: 400, noise: 0.02, seed });
      const fit = fitPowerLaw(n, loss);
      // N < 40: the auto ceiling of ε is the smallest loss itself
      const eHi = Math.log(Math.min(...loss));
      expect(fit.params.e).toBeLessThanOrEqual(eHi);
      expect(fit.alpha).toBeGreaterThanOrEqual(0);
      expect(fit.alpha).toBeLessThanOrEqual(2);
      const brute = bruteForce((t) => huberObjective(n, loss, asParams(t)), [-3, eHi - 4, 0], [12, eHi, 2]);
      expect(fit.objective).toBeLessThanOrEqual(brute.value * (1 + 1e-9) + 1e-15);
      expect(fit.objective).toBeCloseTo(huberObjective(n, loss, fit.params), 15);
    }
  });

  it('reference: penalised objective, the search box reaching beyond every bound', () => {
    for (const seed of [4, 5]) {
      const { n, loss } = curve(1.1, 25, 0.4, 30, { n0: 200, step: 400, noise: 0.02, seed });
      const fit = fitPowerLaw(n, loss, { preset: 'reference' });
      const pen = (t: number[]): number => huberObjective(n, loss, asParams(t)) + referencePenalty(asParams(t));
      const brute = bruteForce(pen, [-2, -1, -0.3], [9, 2, 1.5]);
      expect(fit.objective).toBeLessThanOrEqual(brute.value * (1 + 1e-9) + 1e-15);
      expect(fit.objective).toBeCloseTo(pen([fit.params.a, fit.params.e, fit.params.alpha]), 15);
    }
  });

  it('reference: finds the optimum beyond the e ≥ 0.5 kink once the Huber gradient there exceeds 1', () => {
    // ε = 0.6 (far below exp(0.5)); with δ = 0.05 and 200 points |∂f/∂e| at e = 0.5 exceeds
    // the penalty slope 1, so the penalised optimum lies at e < 0.5.
    const { n, loss } = curve(0.6, 30, 0.3, 200);
    const fit = fitPowerLaw(n, loss, { preset: 'reference', delta: 0.05 });
    expect(fit.params.e).toBeLessThan(0.45);
    expect(fit.converged).toBe(true);
    const pen = (t: number[]): number =>
      huberObjective(n, loss, asParams(t), 0.05) + referencePenalty(asParams(t));
    const theta = [fit.params.a, fit.params.e, fit.params.alpha];
    expect(fit.objective).toBeCloseTo(pen(theta), 14);
    expect(fit.objective).toBeGreaterThan(huberObjective(n, loss, fit.params, 0.05)); // penalty included
    // a local minimum: no coordinate move lowers the penalised objective
    for (let d = 0; d < 3; d++) {
      for (const h of [1e-4, -1e-4]) {
        const t = [...theta];
        t[d] += h;
        expect(pen(t)).toBeGreaterThanOrEqual(fit.objective - 1e-12);
      }
    }
    const brute = bruteForce(pen, [3, -1, 0.2], [9, 1.5, 1.2]);
    expect(fit.objective).toBeLessThanOrEqual(brute.value * (1 + 1e-9) + 1e-15);
  });
});

describe('fitPowerLaw: robustness and input errors', () => {
  it('returns finite parameters on degenerate data (flat, two levels)', () => {
    for (const loss of [new Array(10).fill(2.5), [3, 3, 3, 3, 3, 2, 2, 2, 2, 2]]) {
      const n = loss.map((_, i) => 100 * (i + 1));
      for (const preset of ['auto', 'reference'] as const) {
        const fit = fitPowerLaw(n, loss, { preset });
        for (const v of [fit.params.a, fit.params.e, fit.params.alpha, fit.epsilon, fit.beta, fit.objective]) {
          expect(Number.isFinite(v)).toBe(true);
        }
      }
    }
  });

  it('accepts typed arrays and unsorted n', () => {
    const { n, loss } = curve(2, 30, 0.3, 50);
    const order = n.map((_, i) => (i * 17) % 50);
    const fit = fitPowerLaw(
      Float64Array.from(order.map((i) => n[i])),
      Float64Array.from(order.map((i) => loss[i])),
    );
    expect(fit.epsilon).toBeCloseTo(2, 8);
  });

  it('rejects bad input naming the index and value', () => {
    expect(() => fitPowerLaw([1, 2, 3], [1, NaN, 1])).toThrow('fitPowerLaw: loss[1] = NaN must be a positive finite number');
    expect(() => fitPowerLaw([1, 2, 3], [1, 2, 0])).toThrow('fitPowerLaw: loss[2] = 0 must be a positive finite number');
    expect(() => fitPowerLaw([1, 2, 3], [1, -2, 1])).toThrow('fitPowerLaw: loss[1] = -2 must be a positive finite number');
    expect(() => fitPowerLaw([1, 0, 3], [1, 2, 1])).toThrow('fitPowerLaw: n[1] = 0 must be a positive finite number');
    expect(() => fitPowerLaw([1, 2, Infinity], [1, 2, 1])).toThrow('fitPowerLaw: n[2] = Infinity must be a positive finite number');
    expect(() => fitPowerLaw([1, 2, 3], [1, 2])).toThrow('fitPowerLaw: n has 3 values but loss has 2; they must match');
    expect(() => fitPowerLaw([], [])).toThrow('fitPowerLaw: needs at least 1 point, got none');
    expect(() => fitPowerLaw([1, 2, 3], [3, 2, 1], { preset: 'ref' as never })).toThrow(
      `fitPowerLaw: preset must be 'auto' or 'reference', got "ref"`,
    );
    expect(() => fitPowerLaw([1, 2, 3], [3, 2, 1], { delta: 0 })).toThrow('fitPowerLaw: delta must be a positive finite number, got 0');
  });

  describe('fewer points than parameters (the reference fits its first law on one point)', () => {
    it('reference, 1 point: e and α held at the first grid start in the free box (0.5, 0.001); a fits the point exactly', () => {
      const n = 32_000;
      const fit = fitPowerLaw([n], [3], { preset: 'reference' });
      expect(fit.params.e).toBe(0.5);
      expect(fit.params.alpha).toBe(0.001);
      expect(fit.params.a).toBeCloseTo(0.001 * Math.log(n) + Math.log(3 - Math.exp(0.5)), 14);
      expect(powerLawValue(fit.params, n)).toBeCloseTo(3, 12);
      expect(fit.objective).toBeCloseTo(0, 20); // on the point, inside every penalty's flat part
      expect(fit).toMatchObject({ points: 1, converged: true, iterations: 0 });
    });

    it('reference, 2 points: ε held at e^0.5, the line through both points in log(ℓ − ε)', () => {
      const law = { a: 2, e: 0.5, alpha: 0.3 };
      const n = [10_000, 20_000];
      const fit = fitPowerLaw(n, n.map((x) => powerLawValue(law, x)), { preset: 'reference' });
      expect(fit.params.e).toBe(0.5);
      expect(fit.params.alpha).toBeCloseTo(0.3, 12);
      expect(fit.params.a).toBeCloseTo(2, 12);
    });

    it('a point below the held ε is the law\'s floor; auto holds the first start in its own box', () => {
      const below = fitPowerLaw([1000], [1.2], { preset: 'reference' }); // 1.2 < e^0.5 = 1.65
      expect(below.params).toEqual({ a: -200, e: 0.5, alpha: 0.001 });
      const auto = fitPowerLaw([1000, 5000], [3, 2.5]);
      expect(auto.params.e).toBe(-2); // inside auto's e ≤ log(min loss)
      expect(powerLawValue(auto.params, 1000)).toBeCloseTo(3, 12);
      expect(powerLawValue(auto.params, 5000)).toBeCloseTo(2.5, 12);
    });
  });
});
