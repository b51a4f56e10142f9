import { describe, expect, it } from 'vitest';
import { domainCounts, domainFitData, fitDomains, fitPowerLaw, savitzkyGolay, type DomainHistory } from '../../src/curves/index.js';
import { Rng } from '../../src/random/index.js';

interface Law {
  eps: number;
  beta: number;
  alpha: number;
}
const law = (l: Law, n: number): number => l.eps + l.beta * n ** -l.alpha;

/** Each domain gets a fixed count per step; loss from its law at n = (t+1)·B. */
function fixedHistory(laws: Law[], counts: number[], steps: number): DomainHistory {
  const B = counts.reduce((s, c) => s + c, 0);
  const loss = laws.map(() => new Float64Array(steps + 7)); // spare capacity is allowed
  const count = laws.map(() => new Float64Array(steps + 7));
  for (let t = 0; t < steps; t++) {
    for (let k = 0; k < laws.length; k++) {
      count[k][t] = counts[k];
      loss[k][t] = counts[k] > 0 ? law(laws[k], B * (t + 1)) : NaN;
    }
  }
  return { steps, loss, count };
}

const LAWS: Law[] = [
  { eps: 2.0, beta: 40, alpha: 0.35 },
  { eps: 1.0, beta: 25, alpha: 0.3 },
  { eps: 3.0, beta: 300, alpha: 0.6 },
];

describe('fitDomains', () => {
  it('recovers each domain law from a plain same-step run; n = (t+1)·B', () => {
    const h = fixedHistory(LAWS, [16, 8, 8], 3000);
    const fits = fitDomains(h, { ignoreSteps: 200 });
    expect(fits.map((f) => f.domain)).toEqual([0, 1, 2]);
    for (const f of fits) {
      if (!f.ok) throw new Error(f.reason);
      const l = LAWS[f.domain];
      expect(f.n).toBe(32 * 3000);
      expect(f.fit.points).toBe(280);
      expect(Math.abs(f.fit.epsilon - l.eps) / l.eps).toBeLessThan(1e-3);
      expect(Math.abs(f.fit.alpha - l.alpha) / l.alpha).toBeLessThan(1e-3);
      expect(Math.abs(f.fit.beta - l.beta) / l.beta).toBeLessThan(5e-3);
    }
  });

  it('equals the step-by-step pipeline: impute, smooth everything, drop, subsample, fit', () => {
    const rng = new Rng(11);
    const steps = 1500;
    const h = fixedHistory(LAWS, [20, 12, 0], steps);
    for (let t = 0; t < steps; t++) h.loss[0][t] *= 1 + 0.03 * rng.normal();
    const fits = fitDomains(h, { ignoreSteps: 100, subsample: 7, domains: [0] });
    expect(fits).toHaveLength(1);
    const smooth = savitzkyGolay(h.loss[0].subarray(0, steps));
    const n: number[] = [];
    const loss: number[] = [];
    for (let t = 100; t < steps; t += 7) {
      n.push(32 * (t + 1));
      loss.push(smooth[t]);
    }
    const direct = fitPowerLaw(n, loss);
    const f = fits[0];
    if (!f.ok) throw new Error(f.reason);
    expect(f.fit).toEqual(direct);
    const data = domainFitData(h, 0, { ignoreSteps: 100, subsample: 7 });
    expect(data.n).toEqual(n);
    expect(data.loss).toEqual(loss);
    expect(data.steps[0]).toBe(100);
  });

  it('imputes absent losses: batch mean at the first step, then the previous value', () => {
    // window 1 / order 0 / subsample 1 turns smoothing and subsampling off, exposing the series
    const h: DomainHistory = {
      steps: 5,
      loss: [
        [3, 2.8, NaN, 2.6, 2.5],
        [NaN, 4, NaN, NaN, 3.5],
        [5, NaN, 4.5, 4.4, NaN],
      ],
      count: [
        [24, 10, 0, 12, 16],
        [0, 22, 0, 0, 16],
        [8, 0, 32, 20, 0],
      ],
    };
    const raw = { window: 1, order: 0, subsample: 1, minPoints: 1 };
    expect(domainFitData(h, 1, raw).loss).toEqual([(24 * 3 + 8 * 5) / 32, 4, 4, 4, 3.5]);
    expect(domainFitData(h, 0, raw).loss).toEqual([3, 2.8, 2.8, 2.6, 2.5]);
    expect(domainFitData(h, 2, raw).loss).toEqual([5, 5, 4.5, 4.4, 4.4]);
    // a NaN loss with a positive count is absent too
    const h2: DomainHistory = { steps: 3, loss: [[2, NaN, 1.5]], count: [[4, 4, 4]] };
    expect(domainFitData(h2, 0, raw).loss).toEqual([2, 2, 1.5]);
  });

  it('counts n the same-step way (whole batch) or per domain, from each domain’s firstStep', () => {
    const h: DomainHistory = {
      steps: 4,
      loss: [
        [3, 3, 3, 3],
        [NaN, 2, NaN, 2],
        [9, 9, 4, 4],
      ],
      count: [
        [10, 5, 0, 7],
        [0, 3, 0, 1],
        [2, 2, 6, 6],
      ],
      firstStep: [0, 0, 2],
    };
    // batch totals 12, 10, 6, 14
    expect(Array.from(domainCounts(h))).toEqual([42, 42, 20]);
    expect(Array.from(domainCounts(h, 'same-step', 2))).toEqual([21, 21, 10]);
    expect(Array.from(domainCounts(h, 'per-domain'))).toEqual([22, 4, 12]);
    const raw = { window: 1, order: 0, subsample: 1, minPoints: 1 };
    expect(domainFitData(h, 0, raw).n).toEqual([12, 22, 28, 42]);
    expect(domainFitData(h, 2, raw).n).toEqual([6, 20]);
    expect(domainFitData(h, 2, raw).steps).toEqual([2, 3]);
    expect(domainFitData(h, 2, raw).loss).toEqual([4, 4]);
    // per-domain: domain 1 has n = 0 at step 0, so that point is skipped
    const per = domainFitData(h, 1, { ...raw, countMode: 'per-domain' });
    expect(per.n).toEqual([3, 3, 4]);
    expect(per.steps).toEqual([1, 2, 3]);
    expect(domainFitData(h, 1, { ...raw, countMode: 'per-domain', countScale: 0.5 }).n).toEqual([6, 6, 8]);
  });

  it('per-domain counts change the fit; same-step counts make every domain’s n equal', () => {
    const h = fixedHistory(LAWS, [16, 8, 8], 2000);
    const same = fitDomains(h, { ignoreSteps: 100 });
    const per = fitDomains(h, { ignoreSteps: 100, countMode: 'per-domain' });
    expect(same.map((f) => f.n)).toEqual([64000, 64000, 64000]);
    expect(per.map((f) => f.n)).toEqual([32000, 16000, 16000]);
    const s1 = same[1];
    const p1 = per[1];
    if (!s1.ok || !p1.ok) throw new Error('fit failed');
    // the same curve over n/4: ε and α unchanged, β scaled by 4^−α
    expect(p1.fit.epsilon).toBeCloseTo(s1.fit.epsilon, 6);
    expect(p1.fit.alpha).toBeCloseTo(s1.fit.alpha, 6);
    expect(p1.fit.beta / s1.fit.beta).toBeCloseTo(4 ** -s1.fit.alpha, 5);
  });

  it('a domain joining mid-run is fitted from its firstStep, with n counted from there', () => {
    const steps = 2000;
    const h = fixedHistory(LAWS, [16, 16, 0], steps);
    // domain 2 joins at step 800 and from then on takes 16 of 48 examples per step
    const first = 800;
    for (let t = 0; t < steps; t++) {
      h.loss[2][t] = t < first ? NaN : law(LAWS[2], 48 * (t - first + 1));
      h.count[2][t] = t < first ? 0 : 16;
    }
    h.firstStep = [0, 0, first];
    const fits = fitDomains(h, { ignoreSteps: 100, domains: [2] });
    const f = fits[0];
    if (!f.ok) throw new Error(f.reason);
    expect(f.n).toBe(48 * (steps - first));
    expect(f.fit.points).toBe(110);
    expect(f.fit.alpha).toBeCloseTo(LAWS[2].alpha, 2);
    expect(f.fit.epsilon).toBeCloseTo(LAWS[2].eps, 2);
  });

  it('refuses to fit below minPoints and says why', () => {
    const h = fixedHistory(LAWS, [16, 8, 8], 620);
    const fits = fitDomains(h, { ignoreSteps: 500 });
    for (const f of fits) {
      expect(f.ok).toBe(false);
      if (f.ok) continue;
      expect(f.points).toBe(12);
      expect(f.n).toBe(32 * 620);
      expect(f.reason).toBe('ignoreSteps 500 leaves 12 points, need 20 (620 steps since step 0, every 10th step kept)');
    }
    const short = fitDomains(fixedHistory(LAWS, [16, 8, 8], 150), { domains: [0] })[0];
    expect(short.ok).toBe(false);
    if (!short.ok) expect(short.reason).toBe('15 points to fit, need 20 (150 steps since step 0, every 10th step kept)');
    const ok = fitDomains(fixedHistory(LAWS, [16, 8, 8], 150), { domains: [0], minPoints: 15 })[0];
    expect(ok.ok).toBe(true);
    // per-domain counts: points with n = 0 do not count
    const h2 = fixedHistory(LAWS, [16, 8, 8], 300);
    for (let t = 0; t < 150; t++) h2.count[1][t] = 0;
    const f2 = fitDomains(h2, { countMode: 'per-domain', domains: [1] })[0];
    expect(f2.ok).toBe(false);
    if (!f2.ok) {
      expect(f2.reason).toBe('15 points to fit, need 20 (300 steps since step 0, every 10th step kept, 15 with n = 0 skipped)');
    }
  });

  it('reports a domain that cannot be fitted instead of throwing', () => {
    const h = fixedHistory(LAWS, [16, 8, 8], 300);
    for (let t = 0; t < 300; t++) {
      h.count[2][t] = 0;
      h.loss[2][t] = NaN;
    }
    h.loss[1][40] = -1;
    const fits = fitDomains(h);
    expect(fits[0].ok).toBe(true);
    expect(fits[1]).toMatchObject({ ok: false, reason: 'loss[1][40] = -1 is not a positive finite number (domain 1, step 40)' });
    expect(fits[2]).toMatchObject({ ok: false, reason: 'no observed loss for domain 2 in steps 0..299', n: 24 * 300 });
  });

  it('rejects malformed histories and options with clear errors', () => {
    const h = fixedHistory(LAWS, [16, 8, 8], 100);
    expect(() => fitDomains({ ...h, steps: 200 })).toThrow('fitDomains: history.loss[0] has 107 entries, fewer than steps = 200');
    expect(() => fitDomains({ ...h, count: h.count.slice(0, 2) })).toThrow(
      'fitDomains: history.loss has 3 domains but history.count has 2',
    );
    const bad = fixedHistory(LAWS, [16, 8, 8], 100);
    bad.count[1][7] = -2;
    expect(() => fitDomains(bad)).toThrow('fitDomains: count[1][7] = -2 must be a finite number ≥ 0 (domain 1, step 7)');
    bad.count[1][7] = NaN;
    expect(() => domainCounts(bad)).toThrow('fitDomains: count[1][7] = NaN must be a finite number ≥ 0 (domain 1, step 7)');
    expect(() => fitDomains({ ...h, firstStep: [0, 0, 101] })).toThrow(
      'fitDomains: history.firstStep[2] = 101 must be an integer in [0, 100]',
    );
    expect(() => fitDomains(h, { ignoreSteps: -1 })).toThrow('fitDomains: ignoreSteps must be an integer ≥ 0, got -1');
    expect(() => fitDomains(h, { subsample: 0 })).toThrow('fitDomains: subsample must be an integer ≥ 1, got 0');
    expect(() => fitDomains(h, { countScale: 0 })).toThrow('fitDomains: countScale must be a positive finite number, got 0');
    expect(() => fitDomains(h, { countMode: 'tokens' as never })).toThrow(
      `fitDomains: countMode must be 'same-step' or 'per-domain', got "tokens"`,
    );
    expect(() => fitDomains(h, { domains: [3] })).toThrow('fitDomains: domains[0] = 3 is not a domain index in [0, 3)');
    expect(() => fitDomains(h, { window: 100 })).toThrow('savitzkyGolay: window must be a positive odd integer, got 100');
  });

  it('recovers noisy laws from a mixed-batch run with absent steps', () => {
    const laws: Law[] = [
      { eps: 1.0, beta: 60, alpha: 0.4 },
      { eps: 2.5, beta: 900, alpha: 0.7 },
      { eps: 1.8, beta: 12, alpha: 0.2 },
    ];
    const steps = 12000;
    const rng = new Rng(5);
    const loss = laws.map(() => new Float64Array(steps));
    const count = laws.map(() => new Float64Array(steps));
    for (let t = 0; t < steps; t++) {
      for (let b = 0; b < 4; b++) count[rng.int(3)][t]++; // often absent: 4 examples over 3 domains
      for (let k = 0; k < 3; k++) {
        loss[k][t] = count[k][t] > 0 ? law(laws[k], 4 * (t + 1)) * (1 + 0.01 * rng.normal()) : NaN;
      }
    }
    const fits = fitDomains({ steps, loss, count }, { ignoreSteps: 300 });
    for (const f of fits) {
      if (!f.ok) throw new Error(f.reason);
      const l = laws[f.domain];
      expect(f.fit.converged).toBe(true);
      expect(Math.abs(f.fit.epsilon - l.eps) / l.eps).toBeLessThan(0.02);
      expect(Math.abs(f.fit.alpha - l.alpha) / l.alpha).toBeLessThan(0.05);
    }
  });
});
