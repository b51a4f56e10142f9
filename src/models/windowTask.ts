/**
 * A `TrainTask` over token readers: each domain's tokens (a `TokenReader`, in memory or on
 * disk) cut into windows for a `TokenModel` (the GPT, the char MLP).
 *
 * Window i of a split covers tokens [i·P, i·P + W), W = model.windowLength, P =
 * model.targetsPerExample: consecutive windows overlap by W − P tokens (the context), so
 * every token after the first W − P is predicted exactly once per epoch, and a split of n
 * tokens holds ⌊(n − W)/P⌋ + 1 windows (`TokenWindows`' count for the char model).
 *
 * Held-out loss: `evalExamples` windows per domain, evenly spaced (window ⌊j·count/n⌋,
 * j < n), the same windows every time, in chunks of `evalBatch`. Every window predicts P
 * tokens, so the mean of the per-window means is the token-weighted mean. The windows' ids
 * are uploaded once and kept on the device when they take at most 64 MiB (K·n·W·4 bytes:
 * 0.26 MiB per domain for GPT-2's W = 1025 and n = 64), so an evaluation reads nothing;
 * beyond that (thousands of domains) each evaluation re-reads them chunk by chunk into one
 * reused buffer instead of holding them all on the device. `residentEval` overrides this.
 */
import * as tf from '@tensorflow/tfjs';
import type { TokenReader } from '../data/index.js';
import { domainOneHot, perDomainSums } from '../tfjs/perDomainLoss.js';
import type { StepMemory } from '../tfjs/memory.js';
import type { TrainTask } from '../tfjs/task.js';
import type { DomainBatch, PerExampleLossFn } from '../tfjs/trainStep.js';
import type { TokenModel } from './tokenModel.js';

export interface WindowDomain {
  name: string;
  train: TokenReader;
  heldOut: TokenReader;
}

export interface WindowLMTaskOptions {
  /** Held-out windows per domain, evenly spaced (default 64; fewer when the split has fewer). */
  evalExamples?: number;
  /** Windows per forward pass while evaluating (default: as many as keep the largest tensor within 256 MiB, at most 256). */
  evalBatch?: number;
  /** Keep the held-out windows on the device (default: when their ids take at most 64 MiB). */
  residentEval?: boolean;
}

/** Held-out ids kept on the device up to this size (bytes). */
export const RESIDENT_EVAL_BYTES = 64 * 1024 ** 2;
/** The default evaluation chunk keeps its largest tensor within this (bytes). */
export const EVAL_CHUNK_BYTES = 256 * 1024 ** 2;

interface EvalChunk {
  /** Index of the chunk's first slot. */
  first: number;
  size: number;
  /** Kept tensors (resident evaluation only). */
  inputs?: tf.Tensor;
  targets?: tf.Tensor;
  oneHot?: tf.Tensor2D;
}

/** Windows of a split of `length` tokens, or an error naming the domain and the sizes. */
function windowCount(length: number, windowLength: number, stride: number, domain: string, split: string): number {
  if (!(length >= windowLength)) {
    throw new Error(`WindowLMTask: domain ${JSON.stringify(domain)}: its ${split} split has ${length} tokens, fewer than one window of ${windowLength} (the model reads ${windowLength} tokens per example)`);
  }
  return Math.floor((length - windowLength) / stride) + 1;
}

export class WindowLMTask implements TrainTask {
  readonly domains: string[];
  readonly trainSizes: number[];
  readonly model: TokenModel;
  private readonly trainReaders: TokenReader[];
  private readonly heldOutReaders: TokenReader[];
  /** The held-out windows: domain and first token of slot j (domain-major). */
  private readonly evalDomain: Int32Array;
  private readonly evalStart: Float64Array;
  private readonly evalCounts: Float64Array;
  private readonly evalChunks: EvalChunk[] = [];
  /** The reused window buffers of training batches and of re-read evaluations. */
  private windows = new Int32Array(0);
  private evalWindows = new Int32Array(0);

  /** The task owns `model`: `dispose()` disposes it. */
  constructor(domains: readonly WindowDomain[], model: TokenModel, options: WindowLMTaskOptions = {}) {
    if (domains.length === 0) throw new Error('WindowLMTask: no domains');
    const W = model.windowLength;
    const P = model.targetsPerExample;
    if (!Number.isInteger(W) || !Number.isInteger(P) || P < 1 || W < P) throw new Error(`WindowLMTask: the model's windowLength ${W} and targetsPerExample ${P} are not positive integers with ${W} ≥ ${P}`);
    const perDomain = options.evalExamples ?? 64;
    if (!Number.isInteger(perDomain) || perDomain < 1) throw new Error(`WindowLMTask: evalExamples must be a positive integer, got ${perDomain}`);
    const evalBatch = options.evalBatch ?? Math.max(1, Math.min(256, Math.floor(EVAL_CHUNK_BYTES / model.stepMemory().largestTensorPerExample)));
    if (!Number.isInteger(evalBatch) || evalBatch < 1) throw new Error(`WindowLMTask: evalBatch must be a positive integer, got ${evalBatch}`);
    const seen = new Set<string>();
    for (const d of domains) {
      if (seen.has(d.name)) throw new Error(`WindowLMTask: domain ${JSON.stringify(d.name)} is given twice`);
      seen.add(d.name);
    }
    this.model = model;
    this.domains = domains.map((d) => d.name);
    this.trainReaders = domains.map((d) => d.train);
    this.heldOutReaders = domains.map((d) => d.heldOut);
    this.trainSizes = domains.map((d) => windowCount(d.train.length, W, P, d.name, 'train'));
    const heldOutSizes = domains.map((d) => windowCount(d.heldOut.length, W, P, d.name, 'held-out'));

    this.evalCounts = Float64Array.from(heldOutSizes, (n) => Math.min(perDomain, n));
    const slots = this.evalCounts.reduce((a, b) => a + b, 0);
    this.evalDomain = new Int32Array(slots);
    this.evalStart = new Float64Array(slots);
    let j = 0;
    heldOutSizes.forEach((count, k) => {
      const n = this.evalCounts[k];
      for (let i = 0; i < n; i++, j++) {
        this.evalDomain[j] = k;
        this.evalStart[j] = Math.floor((i * count) / n) * P;
      }
    });
    const resident = options.residentEval ?? slots * W * 4 <= RESIDENT_EVAL_BYTES;
    for (let first = 0; first < slots; first += evalBatch) {
      const size = Math.min(evalBatch, slots - first);
      const chunk: EvalChunk = { first, size };
      if (resident) {
        // Its own array: the kept tensors may share it (cpu), so it is never reused.
        const ids = new Int32Array(size * W);
        this.readEval(first, size, ids);
        Object.assign(chunk, model.batchTensors(ids, size));
        chunk.oneHot = domainOneHot(this.evalDomain.subarray(first, first + size), domains.length);
      }
      this.evalChunks.push(chunk);
    }
    if (!resident) this.evalWindows = new Int32Array(Math.min(evalBatch, slots) * W);
  }

  get variables(): readonly tf.Variable[] {
    return this.model.variables;
  }

  get variableNames(): readonly string[] {
    return this.model.names;
  }

  batch(domains: Int32Array, examples: Int32Array, size: number): DomainBatch {
    const W = this.model.windowLength;
    const P = this.model.targetsPerExample;
    if (this.windows.length !== size * W) this.windows = new Int32Array(size * W);
    for (let i = 0; i < size; i++) {
      const k = domains[i];
      const start = examples[i] * P;
      this.trainReaders[k].read(start, W, this.windows, i * W);
      this.checkIds(this.windows, i * W, W, k, 'train', start);
    }
    const { inputs, targets } = this.model.batchTensors(this.windows, size);
    return { domains, size, inputs, targets };
  }

  disposeBatch(batch: DomainBatch): void {
    (batch.inputs as tf.Tensor).dispose();
    (batch.targets as tf.Tensor).dispose();
  }

  readonly loss: PerExampleLossFn = (batch) =>
    this.model.perExampleLoss(batch.inputs as tf.Tensor, batch.targets as tf.Tensor, batch.size ?? batch.domains.length);

  stepMemory(): StepMemory {
    return this.model.stepMemory();
  }

  async evaluate(): Promise<Float64Array> {
    const K = this.domains.length;
    let sums: tf.Tensor1D = tf.zeros([K]);
    for (const c of this.evalChunks) {
      let owned: tf.Tensor[] = [];
      let { inputs, targets, oneHot } = c;
      if (inputs === undefined || targets === undefined || oneHot === undefined) {
        this.readEval(c.first, c.size, this.evalWindows);
        ({ inputs, targets } = this.model.batchTensors(this.evalWindows, c.size));
        oneHot = domainOneHot(this.evalDomain.subarray(c.first, c.first + c.size), K);
        owned = [inputs, targets, oneHot];
      }
      const next = tf.tidy(() => tf.add(sums, perDomainSums(this.model.perExampleLoss(inputs!, targets!, c.size), oneHot!)) as tf.Tensor1D);
      // Disposed before the buffer is read into again (a cpu tensor may share it).
      tf.dispose([sums, ...owned]);
      sums = next;
    }
    const host = await sums.data();
    sums.dispose();
    const out = new Float64Array(K);
    for (let k = 0; k < K; k++) out[k] = host[k] / this.evalCounts[k];
    return out;
  }

  dispose(): void {
    for (const c of this.evalChunks) tf.dispose([c.inputs, c.targets, c.oneHot].filter((t) => t !== undefined));
    this.evalChunks.length = 0;
    this.model.dispose();
  }

  /** Reads the held-out windows of slots [first, first + size) into `out`. */
  private readEval(first: number, size: number, out: Int32Array): void {
    const W = this.model.windowLength;
    for (let i = 0; i < size; i++) {
      const k = this.evalDomain[first + i];
      const start = this.evalStart[first + i];
      this.heldOutReaders[k].read(start, W, out, i * W);
      this.checkIds(out, i * W, W, k, 'held-out', start);
    }
  }

  /** Token ids outside the vocabulary would read past the embedding table (silently on wasm). */
  private checkIds(ids: Int32Array, offset: number, count: number, domain: number, split: string, start: number): void {
    const V = this.model.vocabSize;
    for (let i = offset; i < offset + count; i++) {
      const id = ids[i];
      if (!(id >= 0 && id < V)) {
        throw new Error(`WindowLMTask: domain ${JSON.stringify(this.domains[domain])}: ${split} token ${start + i - offset} is ${id}, outside the model's vocabulary 0…${V - 1}`);
      }
    }
  }
}
