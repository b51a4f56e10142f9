import { describe, expect, it } from 'vitest';
import { createPolicy } from '../../src/mixing/index.js';
import { CAPACITY_GRID, calibrateCurves, calibratedScenario, parseScenarioSpec, simulate, trainingNoise, TrueCurves, type StaticRunCurves, type TrainingStep } from '../../src/sim/index.js';

/** Held-out curves of a static run in a scenario's true world, every 100 steps. */
function runIn(curves: TrueCurves, weights: number[], batchSize: number, steps: number): StaticRunCurves {
  const evals = [];
  for (let t = 99; t < steps; t += 100) {
    const N = batchSize * (t + 1);
    // A static run's recent shares are its mixture (the capacity term, where there is one).
    evals.push({ step: t, loss: Array.from(curves.loss(weights.map((w) => w * N), undefined, weights)) });
  }
  return { weights, batchSize, evals };
}

describe('calibrateCurves', () => {
  const truth = [
    { epsilon: 1.2, beta: 15, alpha: 0.3, transfer: 0.4 },
    { epsilon: 0.6, beta: 8, alpha: 0.55, transfer: 0 },
    { epsilon: 2.1, beta: 30, alpha: 0.2, transfer: 0.85 },
  ];
  const names = ['prose', 'code', 'json'];
  const prior = [0.6, 0.3, 0.1];
  const spec = calibratedScenario('truth', names, prior, truth.map((t) => ({ ...t, rmse: 0 })), { steps: 1500, batchSize: 32 });
  const world = new TrueCurves(parseScenarioSpec(spec));

  it('recovers the curves and the transfer from a natural and a balanced run', () => {
    const fitted = calibrateCurves([runIn(world, prior, 32, 1500), runIn(world, [1 / 3, 1 / 3, 1 / 3], 32, 1500)]);
    fitted.forEach((f, k) => {
      expect(f.alpha).toBeCloseTo(truth[k].alpha, 10);
      expect(f.transfer).toBeCloseTo(truth[k].transfer, 10);
      expect(f.epsilon).toBeCloseTo(truth[k].epsilon, 6);
      expect(f.beta).toBeCloseTo(truth[k].beta, 5);
      expect(f.rmse).toBeLessThan(1e-7); // the grid's α = 0.01·30 is 0.3 to the last bit or two
    });
  });

  it('the calibrated scenario is a valid simulator world: transfer c_k into k from every other domain, the prior, the budget', () => {
    const s = parseScenarioSpec(spec);
    expect(s.transfer[0]).toEqual([1, 0.4, 0.4]);
    expect(s.transfer[2]).toEqual([0.85, 0.85, 1]);
    s.domains.forEach((d, k) => expect(d.prior).toBeCloseTo(prior[k], 15));
    expect([s.steps, s.batchSize]).toEqual([1500, 32]);
  });

  it('says what is wrong with its input', () => {
    const ok = runIn(world, prior, 32, 1500);
    expect(() => calibrateCurves([])).toThrow('calibrateCurves: no runs');
    expect(() => calibrateCurves([ok, { ...ok, weights: [0.5, 0.5] }])).toThrow('calibrateCurves: runs[1] has 2 weights, runs[0] has 3');
    expect(() => calibrateCurves([ok], { fromStep: 1400 })).toThrow('calibrateCurves: 1 evaluations from step 1400 on; need at least 3');
    const bad = { ...ok, evals: ok.evals.map((e, i) => (i === 2 ? { step: e.step, loss: [e.loss[0], NaN, e.loss[2]] } : e)) };
    expect(() => calibrateCurves([bad])).toThrow('calibrateCurves: domain 1: a held-out loss is NaN');
  });
});

describe('calibrateCurves with a capacity term', () => {
  const truth = [
    { epsilon: 1.2, beta: 15, alpha: 0.3, transfer: 0, capacity: 0.3 },
    { epsilon: 0.6, beta: 8, alpha: 0.55, transfer: 0, capacity: 0 },
    { epsilon: 2.1, beta: 30, alpha: 0.2, transfer: 0.5, capacity: 0.15 },
  ];
  const names = ['prose', 'code', 'json'];
  const prior = [0.6, 0.3, 0.1];
  const spec = calibratedScenario('truth', names, prior, truth.map((t) => ({ ...t, rmse: 0 })), { steps: 1500, batchSize: 32, noise: [0.5, 0.6, 0.7] });
  const world = new TrueCurves(parseScenarioSpec(spec));
  const runs = [runIn(world, prior, 32, 1500), runIn(world, [1 / 3, 1 / 3, 1 / 3], 32, 1500)];

  it('recovers σ (on its grid) with the curve from a natural and a balanced run', () => {
    calibrateCurves(runs, { capacities: CAPACITY_GRID }).forEach((f, k) => {
      expect(f.capacity).toBeCloseTo(truth[k].capacity, 12);
      expect(f.alpha).toBeCloseTo(truth[k].alpha, 10);
      expect(f.transfer).toBeCloseTo(truth[k].transfer, 10);
      expect(f.rmse).toBeLessThan(1e-7);
    });
  });

  it('without the grid it cannot: the count-only fit leaves a residual where σ > 0', () => {
    const fitted = calibrateCurves(runs);
    expect(fitted[0].rmse).toBeGreaterThan(1e-3);
    expect(fitted[1].rmse).toBeLessThan(1e-7);
  });

  it('carries σ and the noise into the scenario', () => {
    const s = parseScenarioSpec(spec);
    expect(s.domains.map((d) => d.capacity)).toEqual([0.3, 0, 0.15]);
    expect(s.domains.map((d) => d.noise)).toEqual([0.5, 0.6, 0.7]);
  });
});

describe('trainingNoise', () => {
  it("measures the simulator's per-example noise from a run's training losses", () => {
    const scenario = parseScenarioSpec({
      name: 'noisy',
      steps: 3000,
      batchSize: 32,
      domains: [
        { name: 'a', epsilon: 1, beta: 10, alpha: 0.3, noise: 0.3 },
        { name: 'b', epsilon: 2, beta: 20, alpha: 0.4, noise: 0.8 },
        { name: 'c', epsilon: 1, beta: 5, alpha: 0.2, noise: 0.5 },
      ],
    });
    const steps: TrainingStep[] = [];
    const policy = createPolicy({ kind: 'static', domains: ['a', 'b', 'c'], weights: [0.5, 0.3, 0.2] });
    simulate(scenario, policy, { seed: 7, onStep: (s) => steps.push({ loss: Float64Array.from(s.loss), count: Float64Array.from(s.count) }) });
    const noise = trainingNoise(steps);
    [0.3, 0.8, 0.5].forEach((x, k) => expect(noise[k] / x, scenario.domains[k].name).toBeGreaterThan(0.93));
    [0.3, 0.8, 0.5].forEach((x, k) => expect(noise[k] / x, scenario.domains[k].name).toBeLessThan(1.07));
  });

  it('gives NaN for a domain seen fewer times than its window, and refuses no steps', () => {
    const steps = [1, 2, 3, 4, 5].map((t) => ({ loss: [2, t < 3 ? 1 : NaN], count: [3, t < 3 ? 1 : 0] }));
    expect(Array.from(trainingNoise(steps, 3))).toEqual([0, NaN]); // a constant loss has no noise
    expect(() => trainingNoise(steps, 4)).toThrow('trainingNoise: window must be an odd integer ≥ 3, got 4');
    expect(() => trainingNoise([])).toThrow('trainingNoise: no steps');
  });
});
