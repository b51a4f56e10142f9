/**
 * A small character-level language model (Bengio et al. 2003 style): the previous C
 * characters, each embedded (a one-hot product with a V×d table), are concatenated and
 * passed through ReLU layers to the logits of the next character.
 *
 *     x = [E[c₁] ‖ … ‖ E[c_C]] ∈ ℝ^{C·d},  h₁ = relu(xW₁ + b₁),  h_{j+1} = relu(h_jW_{j+1} + b_{j+1}),
 *     logits = h_L·W_out + b_out ∈ ℝ^V,   ℓ = −log softmax(logits)[target]
 *
 * One training example is a window of C + T characters: it predicts its last T characters,
 * each from the C before it; its loss is the mean of those T cross-entropies (nats/char).
 * Every product uses transpose-free gradients (ops.ts), so it trains fast on wasm.
 * Initialisation is seeded (`Rng`), so the same seed gives the same model anywhere.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/index.js';
import { dense, embed, matMul } from '../tfjs/ops.js';
import type { StepMemory } from '../tfjs/memory.js';

/**
 * Bytes one example (`rows` predicted characters, each with C context characters) costs a
 * training step, as float32/int32 values: the one-hot embedding input is the largest tensor
 * (rows·C × V, held as int32 and as float32 for the backward pass); then the logits and
 * their softmax, log-softmax and target one-hot (4 × rows·V), the hidden activations with
 * their gradients (3 × rows·hidden per layer) and the embedded contexts (2 × rows·C·d).
 */
export function charLMStepMemory(c: Pick<ResolvedCharLMConfig, 'vocabSize' | 'context' | 'embedding' | 'hidden' | 'layers'>, rows: number): StepMemory {
  const oneHot = rows * c.context * c.vocabSize * 4;
  return {
    largestTensorPerExample: oneHot,
    largestTensorName: `the one-hot input, ${rows}·${c.context} rows × ${c.vocabSize} values per example`,
    stepPerExample: 2 * oneHot + 4 * (4 * rows * c.vocabSize + 3 * rows * c.hidden * c.layers + 2 * rows * c.context * c.embedding),
  };
}

export interface CharLMConfig {
  /** Vocabulary size V (default 96, the built-in corpus). */
  vocabSize?: number;
  /** Context length C in characters (default 16). */
  context?: number;
  /** Embedding width d (default 24). */
  embedding?: number;
  /** Hidden layer width (default 256). */
  hidden?: number;
  /** Number of hidden layers (default 2). */
  layers?: number;
  /** Initialisation seed (default 0). */
  seed?: number;
}

export type ResolvedCharLMConfig = Required<CharLMConfig>;

let instances = 0;

export class CharLM {
  readonly config: ResolvedCharLMConfig;
  /** Trainable variables, in a fixed order. */
  readonly variables: tf.Variable[];
  /** Stable names of `variables` (`embedding`, `w1`, `b1`, …, `wOut`, `bOut`), for checkpoints. */
  readonly names: string[];
  private readonly table: tf.Variable;
  private readonly layers: { w: tf.Variable; b: tf.Variable }[];
  private readonly out: { w: tf.Variable; b: tf.Variable };

  constructor(config: CharLMConfig = {}) {
    const c: ResolvedCharLMConfig = {
      vocabSize: config.vocabSize ?? 96,
      context: config.context ?? 16,
      embedding: config.embedding ?? 24,
      hidden: config.hidden ?? 256,
      layers: config.layers ?? 2,
      seed: config.seed ?? 0,
    };
    for (const key of ['vocabSize', 'context', 'embedding', 'hidden', 'layers'] as const) {
      if (!Number.isInteger(c[key]) || c[key] < 1) throw new Error(`CharLM: ${key} must be a positive integer, got ${c[key]}`);
    }
    this.config = c;
    const rng = new Rng(c.seed);
    // Unique engine names (variables are global in tfjs), stable role names for checkpoints.
    const prefix = `adomix_charlm_${instances++}`;
    const names: string[] = [];
    const variables: tf.Variable[] = [];
    const make = (role: string, shape: number[], scale: number): tf.Variable => {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(size);
      if (scale > 0) for (let i = 0; i < size; i++) values[i] = rng.normal() * scale;
      const v = tf.variable(tf.tensor(values, shape), true, `${prefix}/${role}`);
      names.push(role);
      variables.push(v);
      return v;
    };
    this.table = make('embedding', [c.vocabSize, c.embedding], 1);
    this.layers = [];
    let width = c.context * c.embedding;
    for (let j = 1; j <= c.layers; j++) {
      // He initialisation for ReLU layers.
      const w = make(`w${j}`, [width, c.hidden], Math.sqrt(2 / width));
      const b = make(`b${j}`, [c.hidden], 0);
      this.layers.push({ w, b });
      width = c.hidden;
    }
    // A small output layer starts the model near the uniform prediction (loss ≈ ln V).
    this.out = { w: make('wOut', [width, c.vocabSize], 0.1 / Math.sqrt(width)), b: make('bOut', [c.vocabSize], 0) };
    this.variables = variables;
    this.names = names;
  }

  /** What one row (one predicted character) costs a training step: see `charLMStepMemory`. */
  stepMemory(rowsPerExample: number): StepMemory {
    return charLMStepMemory(this.config, rowsPerExample);
  }

  /** Number of trainable parameters. */
  get parameterCount(): number {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }

  /** Logits [rows, V] for contexts given as a flat int32 tensor of rows·C character ids. */
  logits(contexts: tf.Tensor1D): tf.Tensor2D {
    const { context, embedding } = this.config;
    const rows = contexts.shape[0] / context;
    if (!Number.isInteger(rows)) throw new Error(`CharLM: ${contexts.shape[0]} context ids is not a multiple of the context length ${context}`);
    let h = tf.reshape(embed(contexts, this.table as unknown as tf.Tensor2D), [rows, context * embedding]) as tf.Tensor2D;
    for (const layer of this.layers) h = tf.relu(dense(h, layer.w as unknown as tf.Tensor2D, layer.b as unknown as tf.Tensor1D));
    return tf.add(matMul(h, this.out.w as unknown as tf.Tensor2D), this.out.b);
  }

  /**
   * Per-example loss [examples]: each example owns `targets.length / examples` consecutive
   * rows; its loss is the mean cross-entropy (nats) of those rows.
   */
  perExampleLoss(contexts: tf.Tensor1D, targets: tf.Tensor1D, examples: number): tf.Tensor1D {
    return tf.tidy(() => {
      const rows = targets.shape[0];
      const perRow = rows / examples;
      if (!Number.isInteger(perRow)) throw new Error(`CharLM: ${rows} targets cannot be split over ${examples} examples`);
      const logp = tf.logSoftmax(this.logits(contexts));
      const picked = tf.sum(tf.mul(logp, tf.oneHot(targets, this.config.vocabSize)), 1);
      return tf.neg(tf.mean(tf.reshape(picked, [examples, perRow]), 1)) as tf.Tensor1D;
    });
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
