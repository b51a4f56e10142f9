import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/tfjs/backend.js';
import { domainOneHot, perDomainCounts, perDomainMeans, perDomainSums, perDomainSumsHost } from '../../src/tfjs/perDomainLoss.js';
import { dense, embed, matMul } from '../../src/tfjs/ops.js';
import { Rng } from '../../src/random/index.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu', strict: true });
});

function randomCase(seed: number, B: number, K: number) {
  const rng = new Rng(seed);
  const loss = Float32Array.from({ length: B }, () => rng.next() * 5);
  const domains = Int32Array.from({ length: B }, () => rng.int(K));
  const weights = Float32Array.from({ length: B }, () => 1 + rng.int(16));
  return { loss, domains, weights };
}

describe('per-domain reduction on the device', () => {
  it('equals the host-side computation, with and without example weights', async () => {
    for (const [seed, B, K] of [[1, 32, 4], [2, 257, 7], [3, 5, 9]] as const) {
      const { loss, domains, weights } = randomCase(seed, B, K);
      const oneHot = domainOneHot(domains, K);
      const l = tf.tensor1d(loss);
      const w = tf.tensor1d(weights);
      const plain = await perDomainSums(l, oneHot).data();
      const weighted = await perDomainSums(l, oneHot, w).data();
      const hostPlain = perDomainSumsHost(loss, domains, K);
      const hostWeighted = perDomainSumsHost(loss, domains, K, weights);
      for (let k = 0; k < K; k++) {
        expect(plain[k]).toBeCloseTo(hostPlain[k], 3);
        expect(Math.abs(weighted[k] - hostWeighted[k]) / Math.max(1, hostWeighted[k])).toBeLessThan(1e-6);
      }
      tf.dispose([oneHot, l, w]);
    }
  });

  it('gives NaN means for absent domains and counts per domain', () => {
    const counts = perDomainCounts(Int32Array.from([0, 0, 2]), 3);
    expect(Array.from(counts)).toEqual([2, 0, 1]);
    const tokenCounts = perDomainCounts(Int32Array.from([0, 0, 2]), 3, [5, 7, 3]);
    expect(Array.from(tokenCounts)).toEqual([12, 0, 3]);
    const means = perDomainMeans([4, 0, 3], counts);
    expect(means[0]).toBe(2);
    expect(Number.isNaN(means[1])).toBe(true);
    expect(means[2]).toBe(3);
  });

  it('rejects mismatched shapes', () => {
    const oneHot = domainOneHot(Int32Array.from([0, 1]), 2);
    expect(() => perDomainSums(tf.tensor1d([1, 2, 3]), oneHot)).toThrow(/3 losses but 2 one-hot rows/);
    oneHot.dispose();
  });
});

describe('transpose-free ops', () => {
  it('matMul/dense give the same values and gradients as tf.matMul', async () => {
    const rng = new Rng(11);
    const a = tf.tensor2d(Float32Array.from({ length: 6 * 5 }, () => rng.normal()), [6, 5]);
    const b = tf.tensor2d(Float32Array.from({ length: 5 * 3 }, () => rng.normal()), [5, 3]);
    const bias = tf.tensor1d([0.1, -0.2, 0.3]);
    const f = (mm: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.add(mm(x as tf.Tensor2D, y as tf.Tensor2D), bias)));
    const [ga, gb] = tf.grads(f(matMul))([a, b]);
    const [ra, rb] = tf.grads(f((x, y) => tf.matMul(x, y)))([a, b]);
    const close = async (x: tf.Tensor, y: tf.Tensor) => {
      const xd = await x.data();
      const yd = await y.data();
      xd.forEach((v, i) => expect(v).toBeCloseTo(yd[i], 4));
    };
    await close(ga, ra);
    await close(gb, rb);
    await close(dense(a as tf.Tensor2D, b as tf.Tensor2D, bias), tf.add(tf.matMul(a, b), bias));
  });

  it('embed equals tf.gather in value and in the table gradient', async () => {
    const rng = new Rng(12);
    const table = tf.tensor2d(Float32Array.from({ length: 7 * 3 }, () => rng.normal()), [7, 3]);
    const ids = tf.tensor1d([0, 3, 3, 6, 1, 3], 'int32');
    const target = tf.tensor2d(Float32Array.from({ length: 6 * 3 }, () => rng.normal()), [6, 3]);
    const loss = (lookup: (t: tf.Tensor2D) => tf.Tensor2D) => (t: tf.Tensor) => tf.sum(tf.square(tf.sub(lookup(t as tf.Tensor2D), target)));
    const ours = tf.grad(loss((t) => embed(ids, t)))(table);
    const ref = tf.grad(loss((t) => tf.gather(t, ids) as tf.Tensor2D))(table);
    const od = await ours.data();
    const rd = await ref.data();
    od.forEach((v, i) => expect(v).toBeCloseTo(rd[i], 4));
    const ev = await embed(ids, table as tf.Tensor2D).data();
    const gv = await tf.gather(table, ids).data();
    ev.forEach((v, i) => expect(v).toBeCloseTo(gv[i], 6));
  });
});
