import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { StaticPolicy } from '../../src/mixing/index.js';
import { Adam, cosineSchedule } from '../../src/tfjs/adam.js';
import { selectBackend } from '../../src/tfjs/backend.js';
import { DomainTrainStep, sparseCrossEntropy } from '../../src/tfjs/trainStep.js';
import { Rng } from '../../src/random/index.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu', strict: true });
});

function batch(seed: number, B: number, K: number, F = 5, V = 3) {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: B * F }, () => rng.normal());
  const y = Int32Array.from({ length: B }, () => rng.int(V));
  const domains = Int32Array.from({ length: B }, () => rng.int(K));
  return { x, y, domains, F, V };
}

describe('DomainTrainStep with a tf.LayersModel (the model form)', () => {
  it('reports per-domain mean losses equal to a host-side computation, and trains', async () => {
    const { x, y, domains, F, V } = batch(1, 24, 3);
    domains[0] = 0;
    for (let i = 0; i < 24; i++) if (domains[i] === 2) domains[i] = 1; // domain 2 absent
    const model = tf.sequential({ layers: [tf.layers.dense({ units: V, inputShape: [F], kernelInitializer: 'glorotNormal' })] });
    const xs = tf.tensor2d(x, [24, F]);
    const ys = tf.tensor1d(y, 'int32');
    // Host reference with the weights before the step.
    const logits = (await (model.apply(xs) as tf.Tensor).data()) as Float32Array;
    const per = Array.from({ length: 24 }, (_, i) => {
      const row = Array.from(logits.subarray(i * V, i * V + V));
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
      return lse - row[y[i]];
    });
    const policy = StaticPolicy.balanced(['a', 'b', 'c']);
    const step = new DomainTrainStep({ numDomains: 3, optimizer: tf.train.sgd(0.5), model, policy });
    const r = await step.run({ domains, xs, ys });
    for (let k = 0; k < 2; k++) {
      const own = per.filter((_, i) => domains[i] === k);
      expect(r.count[k]).toBe(own.length);
      expect(r.loss[k]).toBeCloseTo(own.reduce((a, b) => a + b, 0) / own.length, 5);
    }
    expect(r.count[2]).toBe(0);
    expect(Number.isNaN(r.loss[2])).toBe(true);
    expect(r.meanLoss).toBeCloseTo(per.reduce((a, b) => a + b, 0) / 24, 5);
    expect(r.step).toBe(0);
    expect(Array.from(r.nextWeights!)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(step.step).toBe(1);
    // The step moved the weights: the same batch now has a lower loss.
    let after = r.meanLoss;
    for (let i = 0; i < 20; i++) after = (await step.run({ domains, xs, ys })).meanLoss;
    expect(after).toBeLessThan(r.meanLoss);
    tf.dispose([xs, ys]);
  });

  it('token-weighted means with exampleWeights', async () => {
    const { x, y, domains, F, V } = batch(2, 6, 2);
    domains.set([0, 0, 0, 1, 1, 1]);
    const w = tf.variable(tf.zeros([F, V]));
    const xs = tf.tensor2d(x, [6, F]);
    const ys = tf.tensor1d(y, 'int32');
    const step = new DomainTrainStep({
      numDomains: 2,
      optimizer: new Adam(),
      loss: (b) => sparseCrossEntropy(tf.matMul(b.xs as tf.Tensor2D, w), b.ys!),
      varList: [w],
    });
    const tokens = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const r = await step.run({ domains, xs, ys, exampleWeights: tokens });
    // Zero weights: every example's loss is ln 3, so every weighted mean is ln 3; counts sum tokens.
    expect(Array.from(r.count)).toEqual([6, 15]);
    expect(r.loss[0]).toBeCloseTo(Math.log(3), 5);
    expect(r.loss[1]).toBeCloseTo(Math.log(3), 5);
    tf.dispose([xs, ys, w]);
  });

  it('names the problem in bad calls', async () => {
    const w = tf.variable(tf.zeros([2, 2]));
    const step = new DomainTrainStep({ numDomains: 2, optimizer: new Adam(), loss: () => tf.zeros([3]) as tf.Tensor1D, varList: [w] });
    await expect(step.run({ domains: Int32Array.from([0, 5]) })).rejects.toThrow(/train step 0: example 1 has domain 5, outside 0…1/);
    await expect(step.run({ domains: Int32Array.from([0, 1]) })).rejects.toThrow(/returned shape \[3\], expected \[2\]/);
    expect(() => new DomainTrainStep({ numDomains: 2, optimizer: new Adam() })).toThrow(/give a per-example `loss` function or a `model`/);
    expect(() => new DomainTrainStep({ numDomains: 3, optimizer: new Adam(), loss: () => tf.zeros([1]) as tf.Tensor1D, policy: StaticPolicy.balanced(['a', 'b']) })).toThrow(
      /the policy has 2 domains, numDomains is 3/,
    );
    w.dispose();
  });
});

describe('Adam', () => {
  it('matches a host-side Adam and restores its state exactly', async () => {
    const v = tf.variable(tf.tensor1d([1, -2, 3]), true, 'adam_test_v');
    const opt = new Adam({ learningRate: 0.1 });
    const g = [0.5, -1, 2];
    const m = [0, 0, 0];
    const s = [0, 0, 0];
    const host = [1, -2, 3];
    for (let t = 1; t <= 3; t++) {
      opt.applyGradients({ adam_test_v: tf.tensor1d(g) });
      const lr = (0.1 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      for (let i = 0; i < 3; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        s[i] = 0.999 * s[i] + 0.001 * g[i] * g[i];
        host[i] -= (lr * m[i]) / (Math.sqrt(s[i]) + 1e-8);
      }
    }
    const got = await v.data();
    host.forEach((h, i) => expect(got[i]).toBeCloseTo(h, 5));
    const saved = opt.getWeights();
    const copy = new Adam({ learningRate: 0.1 });
    copy.setWeights(saved);
    expect(copy.iterations).toBe(3);
    const before = Array.from(await v.data());
    opt.applyGradients({ adam_test_v: tf.tensor1d(g) });
    const a = Array.from(await v.data());
    v.assign(tf.tensor1d(before));
    copy.applyGradients({ adam_test_v: tf.tensor1d(g) });
    expect(Array.from(await v.data())).toEqual(a);
    expect(() => new Adam({ beta1: 1 })).toThrow(/beta1 must be in \[0, 1\), got 1/);
  });

  it('cosine schedule: warm-up, decay to the floor', () => {
    const f = cosineSchedule(1, 100, { warmup: 10, floor: 0.1 });
    expect(f(5)).toBeCloseTo(0.5, 12);
    expect(f(10)).toBeCloseTo(1, 12);
    expect(f(55)).toBeCloseTo(0.55, 12);
    expect(f(100)).toBeCloseTo(0.1, 12);
    expect(f(1000)).toBeCloseTo(0.1, 12);
  });
});
