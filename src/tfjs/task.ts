/**
 * What the ready training loop trains: a `TrainTask` knows its domains, how many training
 * examples each has, how to turn drawn (domain, example) slots into a batch, the per-example
 * loss, its trainable variables, and how to measure held-out loss. The built-in one is
 * `CharLMTask` (src/models).
 */
import type * as tf from '@tensorflow/tfjs';
import type { DomainBatch, PerExampleLossFn } from './trainStep.js';
import type { StepMemory } from './memory.js';

export interface TrainTask {
  /** Domain names, in order. */
  readonly domains: readonly string[];
  /** Training examples per domain (the natural mixture is their share). */
  readonly trainSizes: readonly number[];
  /** Trainable variables, in a fixed order. */
  readonly variables: readonly tf.Variable[];
  /** Stable names of `variables` for checkpoints (same order). */
  readonly variableNames: readonly string[];
  /** Builds the batch of slots `0 … size−1`: slot i is example `examples[i]` of domain `domains[i]`. */
  batch(domains: Int32Array, examples: Int32Array, size: number): DomainBatch;
  /** Frees a batch's tensors. */
  disposeBatch(batch: DomainBatch): void;
  /** Per-example loss of a batch. */
  readonly loss: PerExampleLossFn;
  /** Held-out mean loss of every domain (one value per domain). */
  evaluate(): Promise<Float64Array>;
  /** What one example costs a training step, so a batch too large is refused up front (optional). */
  stepMemory?(): StepMemory;
  dispose(): void;
}
