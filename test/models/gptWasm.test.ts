/**
 * The GPT on the wasm backend computes what it computes on cpu, up to float32 rounding:
 * each custom op's value and gradient, the model's losses and gradient, and a few Adam
 * steps through WindowLMTask. Everything is computed on wasm first, then on cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArrayTokenReader } from '../../src/data/index.js';
import { Rng } from '../../src/random/index.js';
import { Adam } from '../../src/tfjs/adam.js';
import { selectBackend } from '../../src/tfjs/backend.js';
import { batchMatMul, gatherRows, matMulTransposeB } from '../../src/tfjs/ops.js';
import { DomainTrainStep } from '../../src/tfjs/trainStep.js';
import { gelu, GPT, gptTokenModel, layerNorm, tokenCrossEntropy, WindowLMTask } from '../../src/models/index.js';

type Results = Record<string, number[]>;
const CONFIG = { vocabSize: 24, context: 8, layers: 2, heads: 2, width: 16, seed: 5 };

/** Each op's value and the gradient of Σ w ⊙ op(x) w.r.t. each input, on the active backend. */
function opResults(): Results {
  return tf.tidy(() => {
    const r = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed);
    const out: Results = {};
    const check = (name: string, f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed: number): void => {
      const value = f(...inputs);
      const w = r(value.shape, seed);
      out[name] = Array.from(value.dataSync());
      tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), w)))(inputs).forEach((g, i) => (out[`${name} d${i}`] = Array.from(g.dataSync())));
    };
    const ids = tf.tensor1d([3, 1, 3, 0, 4, 4, 4], 'int32');
    check('gatherRows', (t) => gatherRows(t as tf.Tensor2D, ids), [r([5, 3], 1)], 11);
    check('matMulTransposeB', (a, b) => matMulTransposeB(a as tf.Tensor2D, b as tf.Tensor2D), [r([6, 4], 2), r([9, 4], 3)], 12);
    check('batchMatMul', (a, b) => batchMatMul(a as tf.Tensor3D, b as tf.Tensor3D), [r([3, 5, 4], 4), r([3, 4, 2], 5)], 13);
    const targets = tf.tensor1d([0, 9, 3, 3, 7, 1], 'int32');
    check('tokenCrossEntropy', (z) => tokenCrossEntropy(z as tf.Tensor2D, targets), [tf.mul(r([6, 10], 6), 3)], 14);
    check('gelu', (x) => gelu(x), [tf.mul(r([4, 6], 7), 2)], 15);
    check('layerNorm', (x, g, b) => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D), [r([4, 6], 8), r([6], 9), r([6], 10)], 16);
    return out;
  });
}

/** The tiny GPT's per-example losses and gradient, the causal check, and 5 training steps. */
async function modelResults(): Promise<Results> {
  const out: Results = {};
  const m = new GPT(CONFIG);
  const rng = new Rng(3);
  const tokens = (n: number): number[] => Array.from({ length: n }, () => rng.int(24));
  const x = tf.tensor2d(tokens(32), [4, 8], 'int32');
  const y = tf.tensor2d(tokens(32), [4, 8], 'int32');
  out.losses = Array.from(m.perExampleLoss(x, y).dataSync());
  const { value, grads } = tf.variableGrads(() => tf.mean(m.perExampleLoss(x, y)) as tf.Scalar, m.variables);
  m.variables.forEach((v, i) => (out[`grad ${m.names[i]}`] = Array.from(grads[v.name].dataSync())));
  tf.dispose([value, grads]);
  // Causality, bit for bit on this backend too: token 5 changed, positions 0…4 unchanged.
  const base = tokens(8);
  const changed = [...base];
  changed[5] = (changed[5] + 1) % 24;
  const before = m.logits(tf.tensor2d([base], [1, 8], 'int32')).dataSync().slice(0, 5 * 24);
  const after = m.logits(tf.tensor2d([changed], [1, 8], 'int32')).dataSync().slice(0, 5 * 24);
  out.causalDifferences = [Array.from(before).filter((v, i) => v !== after[i]).length];
  tf.dispose([x, y]);
  m.dispose();

  const text = (seed: number): ArrayTokenReader => {
    const r = new Rng(seed);
    return new ArrayTokenReader(Int32Array.from({ length: 400 }, () => r.int(24)));
  };
  const task = new WindowLMTask([{ name: 'a', train: text(1), heldOut: text(2) }, { name: 'b', train: text(3), heldOut: text(4) }], gptTokenModel(CONFIG), { evalExamples: 4 });
  const optimizer = new Adam({ learningRate: 1e-2 });
  const step = new DomainTrainStep({ numDomains: 2, optimizer, loss: task.loss, varList: [...task.variables] });
  out.trainLoss = [];
  for (let s = 0; s < 5; s++) {
    const batch = task.batch(Int32Array.from([0, 1, 0, 1]), Int32Array.from([0, 3, 5, 8]), 4);
    out.trainLoss.push((await step.run(batch)).meanLoss);
    task.disposeBatch(batch);
  }
  out.heldOut = Array.from(await task.evaluate());
  optimizer.dispose();
  task.dispose();
  return out;
}

const results: Record<'wasm' | 'cpu', Results> = { wasm: {}, cpu: {} };

beforeAll(async () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    await selectBackend({ backend, strict: true });
    results[backend] = { ...opResults(), ...(await modelResults()) };
  }
});

/** max |a − b| over the entries, relative to the largest |b| (or 1). */
function maxRelativeDifference(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  const scale = Math.max(1, ...b.map(Math.abs));
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0) / scale;
}

describe('GPT on wasm vs cpu', () => {
  it('each custom op gives the same value and gradients on both', () => {
    const names = Object.keys(results.cpu).filter((k) => /^(gatherRows|matMulTransposeB|batchMatMul|tokenCrossEntropy|gelu|layerNorm)/.test(k));
    expect(names.length).toBe(16);
    for (const k of names) expect(maxRelativeDifference(results.wasm[k], results.cpu[k]), k).toBeLessThan(1e-5);
  });

  it('the same model gives the same losses and gradient, and is causal bit for bit on wasm too', () => {
    const { wasm, cpu } = results;
    expect(maxRelativeDifference(wasm.losses, cpu.losses)).toBeLessThan(1e-5);
    for (const k of Object.keys(cpu).filter((n) => n.startsWith('grad '))) {
      const scale = Math.max(...cpu[k].map(Math.abs));
      expect(scale, k).toBeGreaterThan(0);
      expect(wasm[k].reduce((m, v, i) => Math.max(m, Math.abs(v - cpu[k][i])), 0) / scale, k).toBeLessThan(1e-4);
    }
    expect(wasm.causalDifferences).toEqual([0]);
    expect(cpu.causalDifferences).toEqual([0]);
  });

  it('five Adam steps on one batch through WindowLMTask give close losses on both', () => {
    const { wasm, cpu } = results;
    expect(cpu.trainLoss[4]).toBeLessThan(cpu.trainLoss[0]);
    expect(maxRelativeDifference(wasm.trainLoss, cpu.trainLoss)).toBeLessThan(1e-3);
    expect(maxRelativeDifference(wasm.heldOut, cpu.heldOut)).toBeLessThan(1e-3);
  });
});
