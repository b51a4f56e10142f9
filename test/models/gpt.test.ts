import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { countTransformerParams } from '../../src/planning/index.js';
import { selectBackend } from '../../src/tfjs/backend.js';
import { backendMemoryLimits, checkBatchFits } from '../../src/tfjs/memory.js';
import { GPT, gptStepMemory, type GPTConfig } from '../../src/models/index.js';
import { values } from '../helpers/tensors.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu', strict: true });
});

const TINY: GPTConfig = { vocabSize: 16, context: 8, layers: 2, heads: 2, width: 8, seed: 7 };
const models: GPT[] = [];
afterEach(() => {
  for (const m of models.splice(0)) m.dispose();
});
const gpt = (config: GPTConfig = TINY): GPT => {
  const m = new GPT(config);
  models.push(m);
  return m;
};

const ids = (rows: number[][]): tf.Tensor2D => tf.tensor2d(rows, [rows.length, rows[0].length], 'int32');
const weight = (m: GPT, role: string): tf.Variable => m.variables[m.names.indexOf(role)];

describe('GPT: shapes, names and size (cpu)', () => {
  it('gives logits [B, T, V], per-position losses [B, T] and per-example losses [B]', () => {
    const m = gpt();
    const x = ids([[1, 2, 3, 4, 5, 6, 7, 8], [0, 0, 0, 0, 15, 15, 15, 15], [9, 1, 9, 1, 9, 1, 9, 1]]);
    const y = ids([[2, 3, 4, 5, 6, 7, 8, 9], [0, 0, 0, 15, 15, 15, 15, 0], [1, 9, 1, 9, 1, 9, 1, 9]]);
    expect(m.logits(x).shape).toEqual([3, 8, 16]);
    const perToken = m.tokenLosses(x, y);
    expect(perToken.shape).toEqual([3, 8]);
    const perExample = m.perExampleLoss(x, y);
    expect(perExample.shape).toEqual([3]);
    // The per-example loss is the mean of its positions; at initialisation all are near ln V.
    const tok = values(perToken);
    values(perExample).forEach((l, b) => expect(l).toBeCloseTo(tok.slice(b * 8, b * 8 + 8).reduce((a, c) => a + c, 0) / 8, 6));
    for (const l of tok) expect(Math.abs(l - Math.log(16))).toBeLessThan(0.3);
    // Shorter sequences use the first positions of the tables.
    expect(m.logits(ids([[1, 2, 3]])).shape).toEqual([1, 3, 16]);
  });

  it('names its variables with GPT-2’s checkpoint names and counts parameters like paramCount', () => {
    const m = gpt();
    const block = (i: number) => ['ln_1/g', 'ln_1/b', 'attn/c_attn/w', 'attn/c_attn/b', 'attn/c_proj/w', 'attn/c_proj/b', 'ln_2/g', 'ln_2/b', 'mlp/c_fc/w', 'mlp/c_fc/b', 'mlp/c_proj/w', 'mlp/c_proj/b'].map((r) => `h${i}/${r}`);
    expect(m.names).toEqual(['wte', 'wpe', ...block(0), ...block(1), 'ln_f/g', 'ln_f/b']);
    expect(weight(m, 'h1/attn/c_attn/w').shape).toEqual([8, 24]);
    expect(weight(m, 'h0/mlp/c_proj/w').shape).toEqual([32, 8]);
    // Engine names are unique: two models coexist.
    const other = gpt();
    expect(new Set([...m.variables, ...other.variables].map((v) => v.name)).size).toBe(2 * m.variables.length);
    const sizes = m.variables.reduce((n, v) => n + v.size, 0);
    const expected = countTransformerParams({ layers: 2, dModel: 8, heads: 2, vocab: 16, context: 8, tiedEmbeddings: true }).total;
    expect(m.parameterCount).toBe(sizes);
    expect(m.parameterCount).toBe(expected);
    expect(m.parameterCount).toBe(16 * 8 + 8 * 8 + 2 * (12 * 64 + 13 * 8) + 2 * 8);
  });

  it('refuses bad configs and inputs, naming the field', () => {
    expect(() => new GPT({ ...TINY, width: 10, heads: 4 })).toThrow('GPT: width 10 is not a multiple of heads 4');
    expect(() => new GPT({ ...TINY, layers: 0 })).toThrow('GPT: layers must be a positive integer, got 0');
    expect(() => new GPT({ ...TINY, seed: -1 })).toThrow('GPT: seed must be an integer in 0…4294967295, got -1');
    expect(() => new GPT({ ...TINY, dropout: 0.1 as unknown as 0 })).toThrow("GPT: dropout is not implemented (0 or 'none' only), got 0.1");
    const m = gpt();
    expect(() => m.logits(ids([[1, 2, 3, 4, 5, 6, 7, 8, 9]]))).toThrow('GPT: 9 positions per sequence, the model has 1…8');
    expect(() => m.logits(tf.tensor2d([[1, 2]]))).toThrow('GPT: token ids must be int32, got float32');
    expect(() => m.tokenLosses(ids([[1, 2]]), ids([[1, 2, 3]]))).toThrow('GPT: targets have shape [1,3], the inputs [1,2]');
  });
});

describe('GPT: causality, the tied head, initialisation, seeds (cpu)', () => {
  it('is causal: changing a token changes no logits before it, bit for bit', () => {
    const m = gpt();
    const base = [3, 1, 4, 1, 5, 9, 2, 6];
    const before = values(m.logits(ids([base])));
    for (const p of [0, 3, 7]) {
      const changed = [...base];
      changed[p] = (changed[p] + 7) % 16;
      const after = values(m.logits(ids([changed])));
      const V = 16;
      expect(after.slice(0, p * V)).toEqual(before.slice(0, p * V));
      expect(after.slice(p * V, (p + 1) * V)).not.toEqual(before.slice(p * V, (p + 1) * V));
    }
  });

  it('ties the head to the token table: no head variable, and the head’s gradient reaches every table row', () => {
    const m = gpt();
    const d = m.config.width;
    // Only the token table has a vocabulary-sized dimension.
    expect(m.variables.filter((v) => v.shape.includes(16)).map((v) => m.names[m.variables.indexOf(v)])).toEqual(['wte']);
    // Inputs use tokens 0…3 only: rows 4…15 of dE come from the head alone, and equal
    // (1/N)·Σ_i (softmax(z_i)_v − [t_i = v])·h_i with h the final hidden states.
    const x = ids([[0, 1, 2, 3, 0, 1, 2, 3], [3, 2, 1, 0, 3, 2, 1, 0]]);
    const y = ids([[1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11, 12, 13, 14, 15, 0]]);
    const wte = weight(m, 'wte');
    const { grads } = tf.variableGrads(() => tf.mean(m.tokenLosses(x, y)) as tf.Scalar, [wte]);
    const dE = values(grads[wte.name]);
    const h = m.hidden(x);
    const p = tf.softmax(tf.matMul(h, wte, false, true));
    const headGrad = values(tf.div(tf.matMul(tf.sub(p, tf.cast(tf.oneHot(tf.reshape(y, [16]), 16), 'float32')), h, true, false), 16));
    for (let v = 4; v < 16; v++) {
      const row = dE.slice(v * d, (v + 1) * d);
      expect(row.some((e) => e !== 0)).toBe(true);
      row.forEach((e, j) => expect(Math.abs(e - headGrad[v * d + j])).toBeLessThan(1e-6));
    }
  });

  it('initialises like GPT-2: N(0, 0.02²) weights, N(0, (0.02/√(2L))²) residual projections, zero biases, unit gains', () => {
    const m = gpt({ vocabSize: 256, context: 64, layers: 2, heads: 2, width: 64, seed: 3 });
    const stats = (role: string) => {
      const v = values(weight(m, role));
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      return { mean, std, n: v.length };
    };
    const residual = 0.02 / Math.sqrt(4);
    const expectations: [string, number][] = [['wte', 0.02], ['wpe', 0.02], ['h0/attn/c_attn/w', 0.02], ['h1/mlp/c_fc/w', 0.02], ['h0/attn/c_proj/w', residual], ['h1/attn/c_proj/w', residual], ['h0/mlp/c_proj/w', residual], ['h1/mlp/c_proj/w', residual]];
    for (const [role, std] of expectations) {
      const s = stats(role);
      // Sample std of n normals: relative standard error 1/√(2n) (≤ 0.9 % here); allow 5 %.
      expect(Math.abs(s.std / std - 1), role).toBeLessThan(0.05);
      expect(Math.abs(s.mean), role).toBeLessThan((4 * std) / Math.sqrt(s.n));
    }
    for (const role of m.names) {
      if (/\/b$/.test(role)) expect(values(weight(m, role)).every((x) => x === 0), role).toBe(true);
      if (/ln_\w+\/g$/.test(role)) expect(values(weight(m, role)).every((x) => x === 1), role).toBe(true);
    }
  });

  it('is deterministic: the same seed gives the same weights and losses bit for bit, pinned to known values', () => {
    const a = gpt();
    const b = gpt();
    a.variables.forEach((v, i) => expect(values(v)).toEqual(values(b.variables[i])));
    // The seeded stream is the same on every machine: these are seed 7's first draws.
    expect(values(a.variables[0]).slice(0, 3)).toEqual([-0.028321722522377968, -0.017101522535085678, -0.002223997376859188]);
    expect(values(weight(a, 'h1/mlp/c_proj/w')).slice(0, 2)).toEqual([-0.013911605812609196, -0.007908704690635204]);
    const x = ids([[0, 5, 10, 15, 4, 9, 14, 3], [8, 13, 2, 7, 12, 1, 6, 11]]);
    expect(values(a.perExampleLoss(x, x))).toEqual(values(b.perExampleLoss(x, x)));
    expect(values(a.perExampleLoss(x, x))).toEqual([2.6691298484802246, 2.682616949081421]);
    const c = gpt({ ...TINY, seed: 8 });
    expect(values(c.variables[0])).not.toEqual(values(a.variables[0]));
  });
});

describe('GPT: what a step costs (cpu)', () => {
  it('states the bytes per example of its largest tensor and of its step', () => {
    const m = gptStepMemory({ vocabSize: 50257, context: 1024, layers: 12, heads: 12, width: 768 });
    expect(m.largestTensorPerExample).toBe(4 * 1024 * 50257);
    expect(m.largestTensorName).toBe('the logits, 1024 positions × 50257 vocabulary entries per example');
    expect(m.stepPerExample).toBe(4 * (5 * 1024 * 50257 + 12 * (7 * 12 * 1024 * 1024 + 130 * 1024 * 768) + 12 * 1024 * 768));
    // Long contexts with a small vocabulary: the attention scores are the largest.
    expect(gptStepMemory({ vocabSize: 256, context: 2048, layers: 1, heads: 8, width: 64 }).largestTensorName).toBe('the attention scores, 8 heads × 2048 × 2048 positions per example');
    // GPT-2 small's logits alone do not fit wasm past 10 sequences.
    expect(() => checkBatchFits(11, m, backendMemoryLimits('wasm'))).toThrow(/batch size 11 does not fit the wasm backend: its largest tensor \(the logits, 1024 positions × 50257 vocabulary entries per example\) needs/);
  });

  it('bounds the bytes a real training step allocates, closely', () => {
    // Counts the cpu backend's live buffers by watching its data store. tf.memory().numBytes
    // cannot say: it counts a reshape or a clone again although they share their input's buffer.
    const store = (tf.backend() as unknown as { data: { set(id: object, v: { values?: ArrayBufferView }): void; get(id: object): { values?: ArrayBufferView }; has(id: object): boolean; delete(id: object): boolean } }).data;
    const { set, delete: del } = store;
    let live = 0;
    let peak = 0;
    const bytesOf = (id: object): number => (store.has(id) ? (store.get(id).values?.byteLength ?? 0) : 0);
    store.set = function (id, v) {
      live += (v.values?.byteLength ?? 0) - bytesOf(id);
      peak = Math.max(peak, live);
      return set.call(this, id, v);
    };
    store.delete = function (id) {
      live -= bytesOf(id);
      return del.call(this, id);
    };
    try {
      for (const [layers, B, V, T] of [[2, 8, 64, 16], [4, 8, 64, 16], [2, 8, 512, 16], [2, 4, 64, 64]]) {
        const config = { vocabSize: V, context: T, layers, heads: 2, width: 16, seed: 1 };
        const m = gpt(config);
        const x = tf.tensor2d(Int32Array.from({ length: B * T }, (_, i) => (i * 11) % V), [B, T], 'int32');
        const start = live;
        peak = live;
        const { value, grads } = tf.variableGrads(() => tf.mean(m.perExampleLoss(x, x)) as tf.Scalar, m.variables);
        tf.dispose([value, grads, x]);
        const measured = peak - start;
        const estimate = B * gptStepMemory(config).stepPerExample;
        // An upper bound within 10 %, once the tensors that do not grow with the batch (the
        // weights' gradients, W_qkv's slices and their pads: at most 4 per weight) are added.
        expect(measured, JSON.stringify(config)).toBeLessThanOrEqual(estimate + 16 * m.parameterCount);
        expect(measured, JSON.stringify(config)).toBeGreaterThan(0.9 * estimate);
      }
    } finally {
      store.set = set;
      store.delete = del;
    }
  });
});
