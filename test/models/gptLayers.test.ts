import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/tfjs/backend.js';
import { expectClose, normal, values } from '../helpers/tensors.js';
import { causalMaskBias, gelu, layerNorm, MASKED_SCORE, tokenCrossEntropy } from '../../src/models/index.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu', strict: true });
});


/** −log softmax(z)[t] by tfjs's own ops, the reference. */
const referenceCrossEntropy = (z: tf.Tensor, t: tf.Tensor1D): tf.Tensor =>
  tf.neg(tf.sum(tf.mul(tf.logSoftmax(z), tf.cast(tf.oneHot(t, z.shape[1]!), 'float32')), 1));

describe('GPT pieces (cpu)', () => {
  it('tokenCrossEntropy equals −log softmax(z)[t], and its gradient is softmax(z) − onehot(t)', () => {
    const z = normal([6, 10], 1, 3);
    const t = tf.tensor1d([0, 9, 3, 3, 7, 1], 'int32');
    expectClose(tokenCrossEntropy(z as tf.Tensor2D, t), referenceCrossEntropy(z, t));
    const w = normal([6], 2);
    const ours = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tokenCrossEntropy(x as tf.Tensor2D, t), w)))(z);
    const ref = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(referenceCrossEntropy(x, t), w)))(z);
    expectClose(ours, ref);
    // Each row of the gradient sums to zero (softmax sums to 1, the one-hot to 1).
    for (const s of values(tf.sum(ours, 1))) expect(Math.abs(s)).toBeLessThan(1e-6);
  });

  it('tokenCrossEntropy stays finite where the target’s probability underflows float32', () => {
    // p_t = e^−400 is 0 in float32, so −log p_t would be inf; lse − z_t is exact.
    const z = tf.tensor2d([[0, 200, -200], [1, 2, 3]]);
    const loss = values(tokenCrossEntropy(z, tf.tensor1d([2, 2], 'int32')));
    expect(loss[0]).toBe(400);
    expect(loss[1]).toBeCloseTo(Math.log(Math.exp(-2) + Math.exp(-1) + 1), 6);
    expect(() => tokenCrossEntropy(z, tf.tensor1d([0], 'int32'))).toThrow('tokenCrossEntropy: 2 rows of logits but 1 targets');
  });

  it('gelu is GPT-2’s ½x(1 + tanh(√(2/π)(x + 0.044715x³))) with the same gradient', () => {
    const x = normal([5, 7], 3, 2);
    const reference = (v: tf.Tensor): tf.Tensor => tf.mul(tf.mul(v, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(v, tf.mul(0.044715, tf.pow(v, 3)))))));
    expectClose(gelu(x), reference(x));
    const w = normal([5, 7], 4);
    expectClose(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(gelu(v), w)))(x), tf.grad((v: tf.Tensor) => tf.sum(tf.mul(reference(v), w)))(x));
    const [zero, big, small] = values(gelu(tf.tensor1d([0, 10, -10])));
    expect([zero, big]).toEqual([0, 10]);
    expect(Math.abs(small)).toBeLessThan(1e-30);
  });

  it('layerNorm normalises each row to mean 0, variance 1 before its gain and bias', () => {
    const x = tf.tensor2d([[1, 2, 3, 4], [10, 10, 10, 14]]);
    const y = values(layerNorm(x, tf.ones([4]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D));
    // Row 1: mean 2.5, variance 1.25; row 2: mean 11, variance 3.
    const r1 = [-1.5, -0.5, 0.5, 1.5].map((v) => v / Math.sqrt(1.25 + 1e-5));
    const r2 = [-1, -1, -1, 3].map((v) => v / Math.sqrt(3 + 1e-5));
    [...r1, ...r2].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5));
    const g = values(layerNorm(x, tf.tensor1d([2, 2, 2, 2]), tf.tensor1d([1, 1, 1, 1])));
    g.forEach((v, i) => expect(v).toBeCloseTo(2 * [...r1, ...r2][i] + 1, 5));
  });

  it('causalMaskBias hides the future: 0 on and below the diagonal, MASKED_SCORE above', () => {
    const m = values(causalMaskBias(3));
    const M = MASKED_SCORE;
    expect(m).toEqual([0, Math.fround(M), Math.fround(M), 0, 0, Math.fround(M), 0, 0, 0]);
  });
});
