/**
 * The GPT's size (`GPTConfig`), its checks, its parameter count and what one example costs
 * a training step (`gptStepMemory`).
 */
import { MAX_SEED } from '../random/index.js';
import type { StepMemory } from '../tfjs/memory.js';

export interface GPTConfig {
  /** Vocabulary size V (256 for bytes, 50257 for GPT-2's BPE). */
  vocabSize: number;
  /** Context length T: positions per sequence (the learned position table has T rows). */
  context: number;
  /** Transformer blocks L. */
  layers: number;
  /** Attention heads H; must divide `width`. */
  heads: number;
  /** Model width d. */
  width: number;
  /** Initialisation seed (default 0): the same seed gives the same weights on any machine. */
  seed?: number;
  /** No dropout: the only accepted values are 0 and 'none' (the default). */
  dropout?: 0 | 'none';
}

export type ResolvedGPTConfig = Required<Omit<GPTConfig, 'dropout'>>;

/** Checks a config and fills its defaults; errors name the field and the value. */
export function resolveGPTConfig(config: GPTConfig): ResolvedGPTConfig {
  const c: ResolvedGPTConfig = {
    vocabSize: config.vocabSize,
    context: config.context,
    layers: config.layers,
    heads: config.heads,
    width: config.width,
    seed: config.seed ?? 0,
  };
  for (const key of ['vocabSize', 'context', 'layers', 'heads', 'width'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) throw new Error(`GPT: ${key} must be a positive integer, got ${c[key]}`);
  }
  if (c.width % c.heads !== 0) throw new Error(`GPT: width ${c.width} is not a multiple of heads ${c.heads}`);
  if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed > MAX_SEED) throw new Error(`GPT: seed must be an integer in 0…${MAX_SEED}, got ${c.seed}`);
  if (config.dropout !== undefined && config.dropout !== 0 && config.dropout !== 'none') {
    throw new Error(`GPT: dropout is not implemented (0 or 'none' only), got ${JSON.stringify(config.dropout)}`);
  }
  return c;
}

/**
 * Trainable parameters: V·d (tokens, also the tied head) + T·d (positions)
 * + L·(12d² + 13d) (per block: W_qkv 3d², W_o d², W_fc 4d², W_proj 4d², their biases
 * 3d + d + 4d + d, two LayerNorms 4d) + 2d (the final LayerNorm).
 */
export function gptParameterCount(c: Pick<ResolvedGPTConfig, 'vocabSize' | 'context' | 'layers' | 'width'>): number {
  const d = c.width;
  return c.vocabSize * d + c.context * d + c.layers * (12 * d * d + 13 * d) + 2 * d;
}

/**
 * Bytes one example (T tokens) costs a training step, float32, counted from the ops of
 * gpt.ts, attention.ts, gptLayers.ts and crossEntropy.ts:
 * - the head: logits, softmax, p·dℓ, the scattered dℓ and dlogits: 5·T·V;
 * - attention, per block: scores, masked scores, probabilities and four [H,T,T] tensors
 *   of their gradient: 7·H·T·T;
 * - activations, per block: 130·T·d, the forward pass's 62 tensors of [T,d] (LayerNorms
 *   2 × 4, attention 14, MLP 38 of which GELU 28, residuals 2) and up to 68 more at the
 *   backward pass's peak (measured on cpu, whose live buffers a test can count);
 * - embeddings and the final LayerNorm, forward and backward: 12·T·d.
 * The largest single tensor is the [T,V] logits (or the [H,T,T] scores, or the [T,4d]
 * MLP activations, whichever is larger). Weights, their gradients (and the slices and
 * pads of W_qkv's) and optimiser state do not grow with the batch and are not counted.
 */
export function gptStepMemory(c: Pick<ResolvedGPTConfig, 'vocabSize' | 'context' | 'layers' | 'heads' | 'width'>): StepMemory {
  const { vocabSize: V, context: T, layers: L, heads: H, width: d } = c;
  const candidates: [number, string][] = [
    [T * V, `the logits, ${T} positions × ${V} vocabulary entries per example`],
    [H * T * T, `the attention scores, ${H} heads × ${T} × ${T} positions per example`],
    [T * 4 * d, `the MLP activations, ${T} positions × ${4 * d} per example`],
  ];
  const [largest, name] = candidates.reduce((a, b) => (b[0] > a[0] ? b : a));
  return {
    largestTensorPerExample: 4 * largest,
    largestTensorName: name,
    stepPerExample: 4 * (5 * T * V + L * (7 * H * T * T + 130 * T * d) + 12 * T * d),
  };
}
