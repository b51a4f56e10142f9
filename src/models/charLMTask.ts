/**
 * The built-in task: the character-level `CharLM` on token arrays (one per domain, with a
 * held-out split), examples being `TokenWindows`, as a `TrainTask` for the training loop.
 */
import * as tf from '@tensorflow/tfjs';
import { TokenWindows, type TextDomain } from '../data/index.js';
import { domainOneHot, perDomainSums } from '../tfjs/perDomainLoss.js';
import type { StepMemory } from '../tfjs/memory.js';
import type { TrainTask } from '../tfjs/task.js';
import type { DomainBatch, PerExampleLossFn } from '../tfjs/trainStep.js';
import { CharLM, type CharLMConfig } from './charLM.js';

export interface CharLMTaskOptions {
  model?: CharLMConfig;
  /** Characters predicted per example, T (default 16). */
  targetsPerExample?: number;
  /** Held-out examples per domain used by `evaluate` (default 64), evenly spaced over the split. */
  evalExamples?: number;
  /** Examples per forward pass while evaluating (default 256). */
  evalBatch?: number;
}

/** The built-in task: a character-level LM over several text domains. */
export class CharLMTask implements TrainTask {
  readonly domains: string[];
  readonly trainSizes: number[];
  readonly model: CharLM;
  readonly targetsPerExample: number;
  private readonly train: TokenWindows[];
  private readonly evalChunks: { contexts: tf.Tensor1D; targets: tf.Tensor1D; oneHot: tf.Tensor2D; examples: number }[] = [];
  private readonly evalCounts: Float64Array;
  private ctx = new Int32Array(0);
  private tgt = new Int32Array(0);

  constructor(domains: readonly TextDomain[], options: CharLMTaskOptions = {}) {
    if (domains.length === 0) throw new Error('CharLMTask: no domains');
    this.model = new CharLM(options.model);
    const C = this.model.config.context;
    const T = (this.targetsPerExample = options.targetsPerExample ?? 16);
    if (!Number.isInteger(T) || T < 1) throw new Error(`CharLMTask: targetsPerExample must be a positive integer, got ${T}`);
    this.domains = domains.map((d) => d.name);
    this.train = domains.map((d) => new TokenWindows(d.train, C, T));
    this.trainSizes = this.train.map((w) => w.count);
    const perDomain = options.evalExamples ?? 64;
    const evalBatch = options.evalBatch ?? 256;
    // Fixed held-out examples, evenly spaced; uploaded once and kept on the device.
    const slots: { domain: number; index: number; windows: TokenWindows }[] = [];
    this.evalCounts = new Float64Array(domains.length);
    domains.forEach((d, k) => {
      const windows = new TokenWindows(d.heldOut, C, T);
      const n = Math.min(perDomain, windows.count);
      for (let i = 0; i < n; i++) slots.push({ domain: k, index: Math.floor((i * windows.count) / n), windows });
      this.evalCounts[k] = n;
    });
    for (let start = 0; start < slots.length; start += evalBatch) {
      const chunk = slots.slice(start, start + evalBatch);
      const ctx = new Int32Array(chunk.length * T * C);
      const tgt = new Int32Array(chunk.length * T);
      chunk.forEach((s, i) => s.windows.fill(s.index, i, ctx, tgt));
      this.evalChunks.push({
        contexts: tf.tensor1d(ctx, 'int32'),
        targets: tf.tensor1d(tgt, 'int32'),
        oneHot: domainOneHot(Int32Array.from(chunk, (s) => s.domain), domains.length),
        examples: chunk.length,
      });
    }
  }

  get variables(): tf.Variable[] {
    return this.model.variables;
  }

  get variableNames(): string[] {
    return this.model.names;
  }

  batch(domains: Int32Array, examples: Int32Array, size: number): DomainBatch {
    const C = this.model.config.context;
    const T = this.targetsPerExample;
    if (this.ctx.length !== size * T * C) {
      this.ctx = new Int32Array(size * T * C);
      this.tgt = new Int32Array(size * T);
    }
    for (let i = 0; i < size; i++) this.train[domains[i]].fill(examples[i], i, this.ctx, this.tgt);
    return {
      domains,
      size,
      contexts: tf.tensor1d(this.ctx, 'int32'),
      targets: tf.tensor1d(this.tgt, 'int32'),
    };
  }

  disposeBatch(batch: DomainBatch): void {
    (batch.contexts as tf.Tensor).dispose();
    (batch.targets as tf.Tensor).dispose();
  }

  stepMemory(): StepMemory {
    return this.model.stepMemory(this.targetsPerExample);
  }

  readonly loss: PerExampleLossFn = (batch) =>
    this.model.perExampleLoss(batch.contexts as tf.Tensor1D, batch.targets as tf.Tensor1D, batch.size ?? batch.domains.length);

  async evaluate(): Promise<Float64Array> {
    const K = this.domains.length;
    const sums = tf.tidy(() => {
      let acc: tf.Tensor1D = tf.zeros([K]);
      for (const c of this.evalChunks) acc = tf.add(acc, perDomainSums(this.model.perExampleLoss(c.contexts, c.targets, c.examples), c.oneHot));
      return acc;
    });
    const host = await sums.data();
    sums.dispose();
    const out = new Float64Array(K);
    for (let k = 0; k < K; k++) out[k] = this.evalCounts[k] > 0 ? host[k] / this.evalCounts[k] : NaN;
    return out;
  }

  dispose(): void {
    for (const c of this.evalChunks) tf.dispose([c.contexts, c.targets, c.oneHot]);
    this.model.dispose();
  }
}
