/**
 * The character MLP (`CharLM`) as a `TokenModel`: a window of C + T tokens predicts its last
 * T tokens, each from the C before it, laid out exactly as `TokenWindows.fill` lays out the
 * built-in task's examples (`fillWindow`), so `WindowLMTask` over this model computes the
 * same numbers as `CharLMTask`.
 *
 * The layout is applied on the device: the windows are uploaded once and two gathers pick
 * the context and target ids, with index tensors made once per batch size by `fillWindow`
 * over the positions 0 … size·(C+T) − 1. The returned tensors therefore share no host
 * buffer that this model reuses (on cpu a tensor keeps the array it was made from).
 */
import * as tf from '@tensorflow/tfjs';
import { fillWindow } from '../data/index.js';
import type { StepMemory } from '../tfjs/memory.js';
import { CharLM, type CharLMConfig } from './charLM.js';
import type { TokenModel } from './tokenModel.js';

export class CharLMTokenModel implements TokenModel {
  readonly model: CharLM;
  readonly windowLength: number;
  readonly targetsPerExample: number;
  readonly vocabSize: number;
  /** Gather indices by batch size (a run sees a few sizes: the batch, the evaluation chunks). */
  private readonly layouts = new Map<number, { ctx: tf.Tensor1D; tgt: tf.Tensor1D }>();

  constructor(config: CharLMConfig, targetsPerExample: number) {
    if (!Number.isInteger(targetsPerExample) || targetsPerExample < 1) throw new Error(`char LM token model: targetsPerExample must be a positive integer, got ${targetsPerExample}`);
    this.model = new CharLM(config);
    this.targetsPerExample = targetsPerExample;
    this.windowLength = this.model.config.context + targetsPerExample;
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

  /** inputs: size·T·C context ids, targets: size·T ids (both 1-D int32, CharLM's form). */
  batchTensors(windows: Int32Array, size: number): { inputs: tf.Tensor1D; targets: tf.Tensor1D } {
    const n = size * this.windowLength;
    if (!Number.isInteger(size) || size < 1 || windows.length < n) throw new Error(`char LM token model: ${windows.length} window tokens cannot hold ${size} windows of ${this.windowLength}`);
    const layout = this.layout(size);
    return tf.tidy(() => {
      const all = tf.tensor1d(windows.length === n ? windows : windows.subarray(0, n), 'int32');
      return { inputs: tf.gather(all, layout.ctx), targets: tf.gather(all, layout.tgt) };
    });
  }

  perExampleLoss(inputs: tf.Tensor, targets: tf.Tensor, size: number): tf.Tensor1D {
    return this.model.perExampleLoss(inputs as tf.Tensor1D, targets as tf.Tensor1D, size);
  }

  stepMemory(): StepMemory {
    return this.model.stepMemory(this.targetsPerExample);
  }

  dispose(): void {
    for (const l of this.layouts.values()) tf.dispose([l.ctx, l.tgt]);
    this.layouts.clear();
    this.model.dispose();
  }

  private layout(size: number): { ctx: tf.Tensor1D; tgt: tf.Tensor1D } {
    let l = this.layouts.get(size);
    if (l !== undefined) return l;
    const C = this.model.config.context;
    const T = this.targetsPerExample;
    const W = this.windowLength;
    const positions = Int32Array.from({ length: size * W }, (_, i) => i);
    const ctx = new Int32Array(size * T * C);
    const tgt = new Int32Array(size * T);
    for (let i = 0; i < size; i++) fillWindow(positions, i * W, C, T, i, ctx, tgt);
    l = { ctx: tf.tensor1d(ctx, 'int32'), tgt: tf.tensor1d(tgt, 'int32') };
    this.layouts.set(size, l);
    return l;
  }
}

/** The char MLP of `config`, predicting `targetsPerExample` tokens per window, as a TokenModel. */
export function charLMTokenModel(config: CharLMConfig, targetsPerExample: number): CharLMTokenModel {
  return new CharLMTokenModel(config, targetsPerExample);
}
