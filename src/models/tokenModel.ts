/**
 * What a model must offer to be trained on token windows (`WindowLMTask`): how many tokens
 * one example reads and predicts, how a batch of windows becomes its input tensors, and the
 * per-example loss. The GPT (`gptTokenModel`) and the char MLP (`charLMTokenModel`) do.
 */
import type * as tf from '@tensorflow/tfjs';
import type { StepMemory } from '../tfjs/memory.js';

export interface TokenModel {
  /** Tokens one example reads from the corpus (GPT: T + 1; the char MLP: C + T). */
  readonly windowLength: number;
  /** Tokens each example predicts (GPT: T; MLP: T). */
  readonly targetsPerExample: number;
  readonly vocabSize: number;
  readonly variables: readonly tf.Variable[];
  /** Stable role names of `variables`, for checkpoints. */
  readonly names: readonly string[];
  readonly parameterCount: number;
  /**
   * Input tensors of `size` examples from their windows (flat, size·windowLength tokens,
   * example i at [i·windowLength, (i+1)·windowLength)). The caller disposes them. They may
   * share `windows`' memory (the cpu backend keeps the array it is given): keep `windows`
   * unchanged while they live. They share no other host memory.
   */
  batchTensors(windows: Int32Array, size: number): { inputs: tf.Tensor; targets: tf.Tensor };
  /** Per-example mean loss [size] (nats/token). */
  perExampleLoss(inputs: tf.Tensor, targets: tf.Tensor, size: number): tf.Tensor1D;
  /** What one example costs a training step. */
  stepMemory(): StepMemory;
  dispose(): void;
}
