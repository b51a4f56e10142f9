import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/tfjs/backend.js';
import { expectClose, normal, values } from '../helpers/tensors.js';
import { batchMatMul, embed, gatherRows, matMulTransposeB } from '../../src/tfjs/ops.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu', strict: true });
});


describe('transpose-free products and the scatter embedding (cpu)', () => {
  it('gatherRows looks rows up and sums the gradient of repeated ids: dE[v] = Σ_{ids_i = v} dY_i', () => {
    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const ids = tf.tensor1d([2, 0, 2, 2], 'int32');
    expect(values(gatherRows(table, ids))).toEqual([5, 6, 1, 2, 5, 6, 5, 6]);
    const dy = tf.tensor2d([[1, 10], [2, 20], [3, 30], [4, 40]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, ids), dy)))(table);
    // Row 0 from slot 1, row 1 from none, row 2 from slots 0, 2 and 3.
    expect(values(g)).toEqual([2, 20, 0, 0, 8, 80]);
    // The same gradient as the one-hot product of `embed`.
    const big = normal([40, 5], 1) as tf.Tensor2D;
    const manyIds = tf.tensor1d(Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 40), 'int32');
    const w = normal([64, 5], 2);
    const viaScatter = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, manyIds), w)))(big);
    const viaOneHot = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embed(manyIds, t as tf.Tensor2D), w)))(big);
    expectClose(viaScatter, viaOneHot);
  });

  it('matMulTransposeB is a·bᵀ with the gradients of tf.matMul(a, b, false, true)', () => {
    const a = normal([7, 4], 3);
    const b = normal([9, 4], 4);
    const dy = normal([7, 9], 5);
    expectClose(matMulTransposeB(a as tf.Tensor2D, b as tf.Tensor2D), tf.matMul(a, b, false, true));
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMulTransposeB(x as tf.Tensor2D, y as tf.Tensor2D), dy)))([a, b]);
    const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, false, true), dy)))([a, b]);
    expectClose(ours[0], ref[0]);
    expectClose(ours[1], ref[1]);
  });

  it('batchMatMul is the batched product with tf.matMul’s gradients', () => {
    const a = normal([3, 5, 4], 6);
    const b = normal([3, 4, 2], 7);
    const dy = normal([3, 5, 2], 8);
    expectClose(batchMatMul(a as tf.Tensor3D, b as tf.Tensor3D), tf.matMul(a, b));
    const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(batchMatMul(x as tf.Tensor3D, y as tf.Tensor3D), dy)))([a, b]);
    const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), dy)))([a, b]);
    expectClose(ours[0], ref[0]);
    expectClose(ours[1], ref[1]);
  });
});
