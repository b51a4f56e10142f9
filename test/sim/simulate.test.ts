import { describe, expect, it } from 'vitest';
import type { MixturePolicy, StepObservation } from '../../src/mixing/policy.js';
import { Rng } from '../../src/random/index.js';
import { BatchDrawer } from '../../src/sim/drawBatch.js';
import { getScenario } from '../../src/sim/scenarios.js';
import { parseScenarioSpec } from '../../src/sim/scenarioSpec.js';
import { simulate } from '../../src/sim/simulate.js';
import { TrueCurves } from '../../src/sim/TrueCurves.js';

/** A tiny fixed-mixture policy that records what the simulator tells it. */
class FakePolicy implements MixturePolicy {
  readonly kind = 'fake';
  observed: StepObservation[] = [];
  exhausted: number[] = [];
  private w: Float64Array;
  constructor(readonly domains: string[], w: number[]) {
    this.w = Float64Array.from(w);
  }
  weights(): Float64Array {
    return this.w.slice();
  }
  observe(obs: StepObservation): Float64Array {
    this.observed.push({ step: obs.step, loss: Array.from(obs.loss), count: Array.from(obs.count), evalLoss: obs.evalLoss && Array.from(obs.evalLoss) });
    return this.weights();
  }
  addDomain(): void {
    throw new Error('not used');
  }
  markExhausted(domain: string | number): void {
    const k = typeof domain === 'number' ? domain : this.domains.indexOf(domain);
    this.exhausted.push(k);
    this.w[k] = 0;
    const s = this.w.reduce((a, b) => a + b, 0);
    for (let j = 0; j < this.w.length; j++) this.w[j] /= s;
  }
  snapshot() {
    return { kind: 'fake', version: 1, step: -1, domains: this.domains };
  }
  async close(): Promise<void> {}
}

const names = (s: { domains: { name: string }[] }): string[] => s.domains.map((d) => d.name);

describe('BatchDrawer', () => {
  it('draws full batches whose shares match the weights, deterministically', () => {
    const d = new BatchDrawer(3);
    const out = new Float64Array(3);
    const tot = new Float64Array(3);
    const rng = new Rng(7);
    for (let t = 0; t < 2000; t++) {
      expect(d.draw(rng, [0.5, 0.3, 0.2], 100, [Infinity, Infinity, Infinity], out)).toBe(100);
      for (let k = 0; k < 3; k++) tot[k] += out[k];
    }
    expect(tot[0] / 200000).toBeCloseTo(0.5, 2);
    expect(tot[1] / 200000).toBeCloseTo(0.3, 2);
    expect(tot[2] / 200000).toBeCloseTo(0.2, 2);
    const a = new Float64Array(3);
    const b = new Float64Array(3);
    new BatchDrawer(3).draw(new Rng(3), [0.2, 0.3, 0.5], 64, [Infinity, Infinity, Infinity], a);
    new BatchDrawer(3).draw(new Rng(3), [0.2, 0.3, 0.5], 64, [Infinity, Infinity, Infinity], b);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('never takes more than a domain has left and refills the batch from the others', () => {
    const d = new BatchDrawer(3);
    const out = new Float64Array(3);
    expect(d.draw(new Rng(1), [0.9, 0.1, 0], 100, [5, Infinity, 0], out)).toBe(100);
    expect(out[0]).toBe(5);
    expect(out[1]).toBe(95);
    expect(out[2]).toBe(0);
    // Everything nearly gone: a short batch.
    expect(d.draw(new Rng(1), [0.5, 0.5, 0], 100, [3, 4, 0], out)).toBe(7);
  });
});

describe('simulate', () => {
  it('is deterministic for a seed and realises the policy mixture', () => {
    const s = getScenario('equal');
    const run = (seed: number) => simulate(s, new FakePolicy(names(s), [0.55, 0.25, 0.15, 0.05]), { steps: 400, seed });
    const a = run(5);
    const b = run(5);
    const c = run(6);
    expect(Array.from(a.counts)).toEqual(Array.from(b.counts));
    expect(a.objective).toBe(b.objective);
    expect(Array.from(a.counts)).not.toEqual(Array.from(c.counts));
    const total = 400 * s.batchSize;
    expect(a.counts.reduce((x, y) => x + y, 0)).toBe(total);
    expect(a.counts[0] / total).toBeCloseTo(0.55, 2);
    expect(a.steps).toBe(400);
    // The objective is the mean true loss at the final counts.
    expect(a.objective).toBeCloseTo(new TrueCurves(s).objective(a.counts), 12);
    expect(a.trajectory[399]).toBe(a.objective);
  });

  it('reports noisy losses centred on the true loss before the update, NaN when absent, and true held-out losses', () => {
    const s = parseScenarioSpec({
      name: 'n',
      batchSize: 50,
      noise: 0.5,
      evalEvery: 10,
      domains: [
        { name: 'a', epsilon: 2, beta: 0, alpha: 0.3 },
        { name: 'b', epsilon: 3, beta: 0, alpha: 0.3 },
        { name: 'never', epsilon: 1, beta: 5, alpha: 0.3 },
      ],
    });
    const p = new FakePolicy(names(s), [0.5, 0.5, 0]);
    simulate(s, p, { steps: 2000, seed: 1 });
    const meanA = p.observed.reduce((acc, o) => acc + o.loss[0], 0) / p.observed.length;
    expect(meanA).toBeCloseTo(2, 2); // unbiased multiplicative noise
    expect(p.observed.every((o) => Number.isNaN(o.loss[2]) && o.count[2] === 0)).toBe(true);
    const evals = p.observed.filter((o) => o.evalLoss);
    expect(evals.length).toBe(200);
    expect(evals[0].step).toBe(9);
    expect(evals[0].evalLoss).toEqual([2, 3, 1 + 5 * Math.pow(100, -0.3)]);
  });

  it('stops drawing an exhausted domain and tells the policy', () => {
    const s = getScenario('runs-out');
    const p = new FakePolicy(names(s), s.domains.map((d) => d.prior));
    const r = simulate(s, p, { seed: 2 });
    expect(r.counts[0]).toBe(160_000);
    expect(p.exhausted).toEqual([0]);
    const at = r.exhaustedAt[0]!;
    // The natural mix uses the scarce domain up about halfway through the budget.
    expect(at).toBeGreaterThan(0.45 * s.steps);
    expect(at).toBeLessThan(0.55 * s.steps);
    expect(p.observed.slice(at + 1).every((o) => o.count[0] === 0)).toBe(true);
    expect(r.exhaustedAt.slice(1)).toEqual([null, null, null]);
    expect(r.stoppedEarly).toBe(false);
  });

  it('stops early when every domain runs out', () => {
    const s = parseScenarioSpec({
      name: 'short',
      batchSize: 10,
      domains: [
        { name: 'a', epsilon: 2, beta: 20, alpha: 0.3, size: 100, epochs: 1 },
        { name: 'b', epsilon: 2, beta: 20, alpha: 0.3, size: 55, epochs: 1 },
      ],
    });
    const p = new FakePolicy(names(s), [0.5, 0.5]);
    const r = simulate(s, p, { steps: 100, seed: 0 });
    expect(r.stoppedEarly).toBe(true);
    expect(r.steps).toBe(16);
    expect(Array.from(r.counts)).toEqual([100, 55]);
    expect(p.exhausted.length).toBe(1); // the last domain is never marked: a mixture needs one
  });

  it('rejects a policy over other domains', () => {
    const s = getScenario('equal');
    expect(() => simulate(s, new FakePolicy(['x', 'y'], [0.5, 0.5]))).toThrow(
      `simulate: the policy's domains [x, y] differ from scenario "equal"'s [a, b, c, d]`,
    );
  });
});
