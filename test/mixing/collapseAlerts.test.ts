import { describe, expect, it } from 'vitest';
import { AdoPolicy, lawElasticity, normalizedEntropy, restorePolicy, type StepObservation } from '../../src/mixing/index.js';
import { fixedLawRunner } from './helpers.js';

// a and b fall steeply; c's law still falls (elasticity ≈ α = 0.3, ε ≪ β n^−α: 28.7 % per e-fold at n = 1984) but its slope is
// tiny, so ρ_c sits at δ_min at every refit.
const LAWS: [number, number, number][] = [
  [Math.log(10), 0, 0.5],
  [Math.log(10), 0, 0.5],
  [Math.log(0.01), -10, 0.3],
];

function step(t: number): StepObservation {
  return { step: t, loss: [2, 2, 2], count: [20, 20, 24] };
}

/** Without a capacity term (σ = 0), so that a domain of small credit sits at δ_min. */
function policy(over: Record<string, unknown> = {}) {
  return new AdoPolicy({ domains: ['a', 'b', 'c'], startStep: 10, refitInterval: 10, ignoreSteps: 0, lag: 0, capacity: 0, refitRunner: fixedLawRunner(LAWS).runner, ...over });
}

describe('collapse alerts', () => {
  it('normalizedEntropy and lawElasticity follow their formulas', () => {
    expect(normalizedEntropy([0.5, 0.5, 0], [true, true, false])).toBeCloseTo(1, 14);
    const w = [0.7, 0.2, 0.1];
    expect(normalizedEntropy(w, [true, true, true])).toBeCloseTo(-w.reduce((s, x) => s + x * Math.log(x), 0) / Math.log(3), 14);
    expect(normalizedEntropy([1], [true])).toBe(1);
    // α·β n^−α / (ε + β n^−α) with β = 2, ε = 1, n = 100, α = 0.5: 0.5·0.2/1.2
    expect(lawElasticity(Math.log(2), 0, 0.5, 100)).toBeCloseTo(0.1 / 1.2, 14);
    expect(lawElasticity(0, 0, 0.5, 0)).toBe(0);
  });

  it('raises one pinned alert after 3 refits at δ_min while the law falls', () => {
    const p = policy();
    for (let t = 0; t < 30; t++) p.observe(step(t));
    expect(p.alerts()).toEqual([]);
    p.observe(step(30));
    expect(p.alerts()).toHaveLength(1);
    const a = p.alerts()[0];
    expect(a).toMatchObject({ step: 30, kind: 'pinned', domain: 'c' });
    expect(a.message).toBe('domain "c" pinned at δ_min 0.01 for 3 refits while its loss still falls (28.7 % per e-fold of n, minFall 0.01)');
    expect(p.lastRefit!.alerts).toEqual([a]);
    for (let t = 31; t <= 80; t++) p.observe(step(t));
    expect(p.alertCount).toBe(1);
    expect(p.lastRefit!.alerts).toBeUndefined();
  });

  it('does not alert when the pinned law is flat (falls by less than minFall)', () => {
    const p = policy({ collapseAlerts: { minFall: 0.5 } });
    for (let t = 0; t <= 60; t++) p.observe(step(t));
    expect(p.alertCount).toBe(0);
    expect(p.settings.collapseAlerts).toEqual({ pinnedRefits: 3, minEntropy: 0.5, minFall: 0.5 });
  });

  it('raises an entropy alert once when the mixture falls below minEntropy', () => {
    const p = policy({ collapseAlerts: { minEntropy: 0.99, pinnedRefits: 100 } });
    for (let t = 0; t <= 60; t++) p.observe(step(t));
    const alerts = p.alerts();
    expect(alerts.map((x) => x.kind)).toEqual(['entropy']);
    expect(alerts[0].message).toMatch(/^mixture entropy 0\.\d{3} of ln K below minEntropy 0\.99$/);
    expect(policy({ collapseAlerts: 'off' }).settings.collapseAlerts).toBe('off');
  });

  it('alerts never change the weights', () => {
    const on = policy({ collapseAlerts: { minEntropy: 1 } });
    const off = policy({ collapseAlerts: 'off' });
    for (let t = 0; t <= 60; t++) expect(Array.from(on.observe(step(t)))).toEqual(Array.from(off.observe(step(t))));
    expect(on.alertCount).toBe(2);
    expect(off.alertCount).toBe(0);
  });

  it('a resumed run raises the same alerts, byte for byte', () => {
    const whole = policy({ collapseAlerts: { minEntropy: 0.99 } });
    for (let t = 0; t <= 90; t++) whole.observe(step(t));
    const first = policy({ collapseAlerts: { minEntropy: 0.99 } });
    for (let t = 0; t <= 25; t++) first.observe(step(t));
    const snap = JSON.parse(JSON.stringify(first.snapshot()));
    expect(snap.collapse.streak).toEqual([0, 0, 2]);
    const resumed = restorePolicy(snap, { refitRunner: fixedLawRunner(LAWS).runner }) as AdoPolicy;
    for (let t = 26; t <= 90; t++) resumed.observe(step(t));
    expect(JSON.stringify(resumed.alerts())).toBe(JSON.stringify(whole.alerts()));
    expect(JSON.stringify(resumed.snapshot().collapse)).toBe(JSON.stringify(whole.snapshot().collapse));
    expect(whole.alertCount).toBe(2);
  });

  it('a snapshot with a bad tracker state is refused, naming the field', () => {
    const snap = policy().snapshot();
    expect(() => restorePolicy({ ...snap, collapse: { ...snap.collapse!, streak: [0, 0] } })).toThrow(/field "collapse\.streak" must be an array of 3 integers ≥ 0/);
  });
});
