/**
 * The GPT as a `TokenModel`: a window of T + 1 tokens is one sequence, its first T tokens
 * the inputs and its last T the targets (each position predicts the next token).
 */
import * as tf from '@tensorflow/tfjs';
import type { StepMemory } from '../tfjs/memory.js';
import { GPT } from './gpt.js';
import type { GPTConfig } from './gptConfig.js';
import type { TokenModel } from './tokenModel.js';

export class GPTTokenModel implements TokenModel {
  readonly model: GPT;
  readonly windowLength: number;
  readonly targetsPerExample: number;
  readonly vocabSize: number;

  constructor(config: GPTConfig) {
    this.model = new GPT(config);
    this.targetsPerExample = this.model.config.context;
    this.windowLength = this.targetsPerExample + 1;
    this.vocabSize = this.model.config.vocabSize;
  }

  get variables(): readonly tf.Variable[] {
    return this.model.variables;
  }

  get names(): readonly string[] {
    return this.model.names;
  }

  get parameterCount(): number {
    return this.model.parameterCount;
  }

  /** inputs, targets: [size, T] int32, the windows shifted by one; sliced on the device from one upload. */
  batchTensors(windows: Int32Array, size: number): { inputs: tf.Tensor2D; targets: tf.Tensor2D } {
    const W = this.windowLength;
    const T = this.targetsPerExample;
    const n = size * W;
    if (!Number.isInteger(size) || size < 1 || windows.length < n) throw new Error(`GPT token model: ${windows.length} window tokens cannot hold ${size} windows of ${W}`);
    return tf.tidy(() => {
      const all = tf.tensor2d(windows.length === n ? windows : windows.subarray(0, n), [size, W], 'int32');
      return { inputs: tf.slice(all, [0, 0], [size, T]), targets: tf.slice(all, [0, 1], [size, T]) };
    });
  }

  perExampleLoss(inputs: tf.Tensor, targets: tf.Tensor, size: number): tf.Tensor1D {
    if (inputs.shape[0] !== size) throw new Error(`GPT token model: inputs hold ${inputs.shape[0]} examples, expected ${size}`);
    return this.model.perExampleLoss(inputs as tf.Tensor2D, targets as tf.Tensor2D);
  }

  stepMemory(): StepMemory {
    return this.model.stepMemory();
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** The GPT of `config` as a TokenModel (window T + 1, T targets). */
export function gptTokenModel(config: GPTConfig): GPTTokenModel {
  return new GPTTokenModel(config);
}
