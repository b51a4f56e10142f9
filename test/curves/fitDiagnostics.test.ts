import { describe, expect, it } from 'vitest';
import { domainFitData, fitDiagnostics, fitPowerLaw, fitDomains, powerLawValue, type PowerLawParams } from '../../src/curves/index.js';
import { Rng } from '../../src/random/index.js';

const TRUE: PowerLawParams = { a: Math.log(3), e: Math.log(1.5), alpha: 0.35 };

/** 120 points log-spaced in n ∈ [1e3, 1e6]. */
function grid(N = 120): number[] {
  return Array.from({ length: N }, (_, i) => 1e3 * 1000 ** (i / (N - 1)));
}

function std(v: number[]): number {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
}

describe('fitDiagnostics', () => {
  it('gives R² = 1 and rms 0 on an exact curve, with tiny standard errors and no bound', () => {
    const n = grid();
    const loss = n.map((x) => powerLawValue(TRUE, x));
    const d = fitDiagnostics(n, loss, TRUE);
    expect(d.points).toBe(120);
    expect(d.rms).toBeLessThan(1e-14);
    expect(d.r2).toBeCloseTo(1, 12);
    expect(d.se.alpha).not.toBeNull();
    expect(d.se.alpha!).toBeLessThan(1e-10);
    expect(d.activeBounds).toEqual([]);
  });

  it('R² and rms match a direct computation on a wrong law', () => {
    const n = grid(50);
    const loss = n.map((x) => powerLawValue(TRUE, x));
    const off: PowerLawParams = { ...TRUE, alpha: 0.3 };
    const r = n.map((x, i) => Math.log(powerLawValue(off, x)) - Math.log(loss[i]));
    const y = loss.map(Math.log);
    const my = y.reduce((s, v) => s + v, 0) / y.length;
    const ssr = r.reduce((s, v) => s + v * v, 0);
    const sst = y.reduce((s, v) => s + (v - my) ** 2, 0);
    const d = fitDiagnostics(n, loss, off);
    expect(d.rms).toBeCloseTo(Math.sqrt(ssr / 50), 12);
    expect(d.r2).toBeCloseTo(1 - ssr / sst, 12);
    expect(d.r2!).toBeLessThan(0.99);
  });

  it('predicts the spread of α, ε and a over noisy replicas within 30 % (Monte Carlo, 200 refits)', () => {
    const n = grid();
    const clean = n.map((x) => powerLawValue(TRUE, x));
    // Log-space noise below Huber's δ = 1e-3, so the fit is least squares.
    const sigma = 3e-4;
    const rng = new Rng(7);
    const alphas: number[] = [];
    const eps: number[] = [];
    const as: number[] = [];
    const predicted = { alpha: [] as number[], epsilon: [] as number[], a: [] as number[] };
    for (let rep = 0; rep < 200; rep++) {
      const loss = clean.map((l) => l * Math.exp(sigma * rng.normal()));
      const fit = fitPowerLaw(n, loss);
      const d = fitDiagnostics(n, loss, fit.params);
      alphas.push(fit.alpha);
      eps.push(fit.epsilon);
      as.push(fit.params.a);
      predicted.alpha.push(d.se.alpha!);
      predicted.epsilon.push(d.se.epsilon!);
      predicted.a.push(d.se.a!);
    }
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    for (const [name, spread, se] of [
      ['alpha', std(alphas), mean(predicted.alpha)],
      ['epsilon', std(eps), mean(predicted.epsilon)],
      ['a', std(as), mean(predicted.a)],
    ] as const) {
      const ratio = se / spread;
      expect(ratio, `${name}: predicted SE ${se} against spread ${spread}`).toBeGreaterThan(0.7);
      expect(ratio, `${name}: predicted SE ${se} against spread ${spread}`).toBeLessThan(1.3);
    }
    // The spread is real, not a rounding artefact.
    expect(std(alphas)).toBeGreaterThan(1e-4);
  });

  it('flags α at its auto lower limit 0 when a falling law is forced flat, and drops its SE', () => {
    const n = grid(60);
    // A rising curve: the best law within 0 ≤ α ≤ 2 is flat (α = 0).
    const loss = n.map((x) => 2 + 0.1 * Math.log(x));
    const fit = fitPowerLaw(n, loss);
    const d = fitDiagnostics(n, loss, fit.params);
    expect(fit.alpha).toBe(0);
    expect(d.activeBounds.find((b) => b.param === 'alpha')).toEqual({ param: 'alpha', side: 'lower', value: 0, kind: 'limit' });
    expect(d.se.alpha).toBeNull();
  });

  it('flags the reference penalty kink e = 0.5 when the floor sits below ε = 1.65', () => {
    const low: PowerLawParams = { a: Math.log(20), e: Math.log(1.2), alpha: 0.3 };
    const n = grid(80);
    const loss = n.map((x) => powerLawValue(low, x));
    const fit = fitPowerLaw(n, loss, { preset: 'reference' });
    const d = fitDiagnostics(n, loss, fit.params, { preset: 'reference' });
    expect(fit.params.e).toBeCloseTo(0.5, 6);
    expect(d.activeBounds).toContainEqual({ param: 'e', side: 'lower', value: 0.5, kind: 'penalty' });
    expect(d.se.e).toBeNull();
    expect(d.se.alpha).not.toBeNull();
    // Under `auto` the same law is free.
    expect(fitDiagnostics(n, loss, low).activeBounds).toEqual([]);
  });

  it('flags every bound and a negative R² when the whole curve lies below the reference floor', () => {
    const below: PowerLawParams = { a: Math.log(2), e: Math.log(0.8), alpha: 0.3 };
    const n = grid(80);
    const loss = n.map((x) => powerLawValue(below, x));
    const fit = fitPowerLaw(n, loss, { preset: 'reference' });
    const d = fitDiagnostics(n, loss, fit.params, { preset: 'reference' });
    expect(d.activeBounds.map((b) => `${b.param} ${b.side} ${b.kind}`).sort()).toEqual(['a lower limit', 'alpha lower penalty', 'e lower penalty']);
    expect(d.r2!).toBeLessThan(-10);
    expect(d.rms!).toBeGreaterThan(0.5);
  });

  it('gives no standard errors when the points cannot determine them', () => {
    const n = [1000, 2000];
    const loss = [2, 1.9];
    const d = fitDiagnostics(n, loss, { a: 1, e: 0, alpha: 0.5 });
    expect(d.se).toEqual({ a: null, e: null, alpha: null, epsilon: null });
    const flat = fitDiagnostics([1, 2, 3, 4], [2, 2, 2, 2], { a: -80, e: Math.log(2), alpha: 0.5 });
    expect(flat.r2).toBeNull();
    // A noisy plateau fitted with β ≈ e^−80: the points barely see a, so its SE is enormous.
    const noisy = fitDiagnostics([1, 2, 3, 4, 5], [2, 2.01, 1.99, 2, 2.005], { a: -80, e: Math.log(2), alpha: 0.5 });
    expect(noisy.se.a!).toBeGreaterThan(1e20);
  });

  it('rejects points that are not positive', () => {
    expect(() => fitDiagnostics([1, 0], [1, 1], TRUE)).toThrow(/point 1 needs n > 0/);
    expect(() => fitDiagnostics([1], [1, 2], TRUE)).toThrow(/1 points but loss has 2/);
  });

  it('comes with every fitDomains fit', () => {
    const T = 3000;
    const loss = [Float64Array.from({ length: T }, (_, t) => powerLawValue(TRUE, (t + 1) * 32))];
    const count = [new Float64Array(T).fill(32)];
    const history = { steps: T, loss, count };
    const [f] = fitDomains(history, { ignoreSteps: 500 });
    expect(f.ok).toBe(true);
    if (!f.ok) return;
    const data = domainFitData(history, 0, { ignoreSteps: 500 });
    expect(f.diagnostics).toEqual(fitDiagnostics(data.n, data.loss, f.fit.params));
    expect(f.diagnostics.points).toBe(250);
    expect(f.diagnostics.r2!).toBeGreaterThan(0.999);
  });
});
