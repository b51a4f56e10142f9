import { describe, expect, it } from 'vitest';
import { createSimPolicy, getScenario, simBudget, simulate, staticOracle } from '../../src/sim/index.js';

describe('the over-repeated scenario: a data budget against over-repetition', () => {
  it('uncapped ADO repeats the small curated domain far past 4 epochs; capped at 4 it ends with a lower mean loss', async () => {
    const scenario = getScenario('over-repeated');
    const { steps, batchSize } = scenario;
    const size = scenario.domains[0].size;
    const run = async (budget?: { maxEpochs: number }) => {
      const policy = createSimPolicy('ado', scenario, { steps, batchSize, budget });
      try {
        return simulate(scenario, policy, { steps, seed: 1 });
      } finally {
        await policy.close();
      }
    };
    const free = await run();
    const capped = await run({ maxEpochs: 4 });
    expect(free.counts[0] / size).toBeGreaterThan(10);
    // The cap holds to the planned end (a few batches of sampling noise at most) and is used up.
    expect(capped.counts[0]).toBeLessThanOrEqual(4 * size + 2 * batchSize);
    expect(capped.counts[0]).toBeGreaterThan(4 * size - 2 * batchSize);
    expect(capped.objective).toBeLessThan(free.objective - 0.002);
    // The oracle's static mixture repeats it about 6 times.
    const oracle = staticOracle(scenario, { steps, batchSize });
    expect((oracle.weights[0] * steps * batchSize) / size).toBeGreaterThan(4);
    expect((oracle.weights[0] * steps * batchSize) / size).toBeLessThan(8);
  });

  it('simBudget gives each domain its size (unlimited where Infinity), min(maxEpochs, epochs) and the planned end', () => {
    const s = getScenario('runs-out');
    expect(simBudget(s, 4, 1000)).toEqual({ budget: [160_000, Infinity, Infinity, Infinity], maxEpochs: [1, 4, 4, 4], plannedSteps: 1000 });
  });
});
