/** Small tensor helpers shared by the tfjs and model tests. */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** A seeded N(0, std²) tensor. */
export const normal = (shape: number[], seed: number, std = 1): tf.Tensor => tf.randomNormal(shape, 0, std, 'float32', seed);

/** A tensor's values as a plain array. */
export const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

/** Same shape, and every value within `tolerance`·(1 + |expected|). */
export function expectClose(actual: tf.Tensor, expected: tf.Tensor, tolerance = 1e-5): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = values(actual);
  const e = values(expected);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - e[i])).toBeLessThanOrEqual(tolerance * (1 + Math.abs(e[i])));
}
