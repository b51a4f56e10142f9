/**
 * The simulator's capacity term: L_k gains σ_k·ln(1/(K·r_k)) for the model's recent share r_k
 * (src/sim/types.ts), the mechanism that made ADO lose to balanced on real text, kept as the
 * `real-text-capacity` scenario so it cannot come back unseen.
 */
import { describe, expect, it } from 'vitest';
import { createSimPolicy, getScenario, parseScenarioSpec, simulate, staticOracle, TrueCurves } from '../../src/sim/index.js';
import { createPolicy } from '../../src/mixing/index.js';
import { adoScheduleSettings } from '../../src/train/trainConfig.js';

/** Domains with nothing left to learn from data (β = 0), so only the capacity term moves. */
const capacityOnly = (sigma: number[], memory = 50) =>
  parseScenarioSpec(
    {
      name: 'capacity-only',
      steps: 400,
      batchSize: 64,
      noise: 0,
      capacityMemory: memory,
      domains: sigma.map((capacity, k) => ({ name: `d${k}`, epsilon: 1 + k, beta: 0, alpha: 0.3, capacity })),
    },
    'test',
  );

describe('TrueCurves capacity term', () => {
  it('adds σ·ln(1/(K·r)) to the loss: 0 at an even split, σ·ln 2 at half of it', () => {
    const s = capacityOnly([0.3, 0.5]);
    const c = new TrueCurves(s);
    const n = [100, 100];
    expect(Array.from(c.loss(n, undefined, [0.5, 0.5]))).toEqual([1, 2]);
    const l = c.loss(n, undefined, [0.25, 0.75]);
    expect(l[0]).toBeCloseTo(1 + 0.3 * Math.log(2), 14);
    expect(l[1]).toBeCloseTo(2 - 0.5 * Math.log(1.5), 14);
    expect(c.objective(n, [0.25, 0.75])).toBeCloseTo((l[0] + l[1]) / 2, 14);
    // Without shares (an even split) the term is 0, as in every scenario without capacity.
    expect(Array.from(c.loss(n))).toEqual([1, 2]);
  });

  it('its gradient matches a central difference', () => {
    const c = new TrueCurves(capacityOnly([0.3, 0.5, 0.2]));
    const r = [0.2, 0.5, 0.3];
    const g = c.capacityGradient(r, new Float64Array(3));
    for (let k = 0; k < 3; k++) {
      const up = r.slice();
      const down = r.slice();
      up[k] += 1e-6;
      down[k] -= 1e-6;
      expect(g[k]).toBeCloseTo((c.objective([1, 1, 1], up) - c.objective([1, 1, 1], down)) / 2e-6, 6);
    }
  });

  it('scenarios without capacity are unchanged by it: capacity 0 everywhere', () => {
    for (const d of getScenario('real-text').domains) expect(d.capacity).toBe(0);
    expect(new TrueCurves(getScenario('pile22')).hasCapacity).toBe(false);
  });
});

describe('static oracle with capacity', () => {
  it('puts w ∝ σ where only capacity matters (the optimum of Σ σ_k·ln(1/w_k) on the simplex)', () => {
    const sigma = [0.1, 0.3, 0.6];
    const o = staticOracle(capacityOnly(sigma));
    sigma.forEach((x, k) => expect(o.weights[k]).toBeCloseTo(x, 6)); // Σσ = 1
    // Its objective is the loss a static run settles at: ε plus the capacity level at r = w.
    const expected = sigma.reduce((s, x, k) => s + 1 + k + x * Math.log(1 / (3 * o.weights[k])), 0) / 3;
    expect(o.objective).toBeCloseTo(expected, 9);
  });
});

describe('simulate with capacity', () => {
  it('tracks the recent share: a static run settles at its level, the true loss follows the batches drawn', () => {
    const s = capacityOnly([0.4, 0.4], 20);
    const w = [0.8, 0.2];
    const r = simulate(s, createPolicy({ kind: 'static', domains: s.domains.map((d) => d.name), weights: w }), { seed: 3 });
    // After 400 steps with memory 20 the recent shares are the drawn shares, ≈ w (64-example batches).
    expect(r.finalLoss[0]).toBeCloseTo(1 + 0.4 * Math.log(1 / (2 * 0.8)), 1);
    expect(r.finalLoss[1]).toBeCloseTo(2 + 0.4 * Math.log(1 / (2 * 0.2)), 1);
    expect(r.objective).toBeGreaterThan(1.5); // the even split (1.5) is the optimum here
    expect(simulate(s, createSimPolicy('balanced', s), { seed: 3 }).objective).toBeCloseTo(1.5, 2);
  });

  it('rejects a negative capacity and a non-integer memory, naming the field', () => {
    expect(() => parseScenarioSpec({ name: 'x', domains: [{ name: 'a', epsilon: 1, beta: 1, alpha: 0.3, capacity: -1 }] }, 'spec.json')).toThrow(
      /spec\.json: domains\[0\]\.capacity: must be ≥ 0/,
    );
    expect(() =>
      parseScenarioSpec({ name: 'x', capacityMemory: 2.5, domains: [{ name: 'a', epsilon: 1, beta: 1, alpha: 0.3 }] }, 'spec.json'),
    ).toThrow(/spec\.json: capacityMemory: must be a positive integer/);
  });
});

describe('scenario real-text-capacity (the real-text failure)', () => {
  const scenario = getScenario('real-text-capacity');
  const schedule = adoScheduleSettings(scenario.steps, {});
  const run = (policy: string, ado = {}) =>
    [0, 1, 2].map((seed) => simulate(scenario, createSimPolicy(policy, scenario, { ado: { ...schedule, ...ado } }), { seed }).objective);
  const balanced = run('balanced');
  const natural = run('natural');

  it('balanced is within 1 % of the oracle, natural far behind', () => {
    const oracle = staticOracle(scenario).objective;
    balanced.forEach((b) => expect(b).toBeLessThan(oracle * 1.01));
    natural.forEach((x, seed) => expect(x).toBeGreaterThan(balanced[seed] + 0.2));
  });

  it('ADO on same-step slopes alone (σ = 0) loses to balanced on every seed, as it did on the real corpus', () => {
    run('ado', { capacity: 0 }).forEach((x, seed) => expect(x, `seed ${seed}`).toBeGreaterThan(balanced[seed] + 0.005));
  });

  it('ADO with its default capacity term (σ = 0.2) beats balanced on every seed', () => {
    run('ado').forEach((x, seed) => expect(x, `seed ${seed}`).toBeLessThan(balanced[seed]));
  });
});
