/**
 * The training-step hook: one optimiser step on a multi-domain batch that also returns
 * each domain's mean loss and count, and (with a policy) reports them to the policy and
 * returns the mixture for the next batch. Call it from your own loop:
 *
 *     const step = new DomainTrainStep({ numDomains: 3, optimizer, loss, policy });
 *     for (...) {
 *       const w = policy.weights();              // draw the batch with w
 *       const r = await step.run({ domains, ...tensors });
 *       // r.loss[k], r.count[k]; r.nextWeights === policy.weights()
 *     }
 *
 * The per-example losses are reduced per domain on the device (perDomainLoss.ts); the
 * step reads back K numbers once and nothing else, so it adds a single small device→host
 * transfer to the step.
 */
import * as tf from '@tensorflow/tfjs';
import type { MixturePolicy } from '../mixing/policy.js';
import { domainOneHot, perDomainCounts, perDomainMeans, perDomainSums } from './perDomainLoss.js';

/** A batch: tensors for the model plus the domain of each example. */
export interface DomainBatch {
  /** Domain index of each example (length ≥ the batch size B). */
  domains: Int32Array;
  /** Batch size B (default `domains.length`). */
  size?: number;
  /** Model inputs, for the `model` form of the step. */
  xs?: tf.Tensor | tf.Tensor[];
  /** Integer labels for the `model` form: [B] (or [B, T], averaged over T). */
  ys?: tf.Tensor;
  /**
   * Optional weight of each example (e.g. its token count): the optimised loss and the
   * per-domain means become weighted means, and counts sum the weights.
   */
  exampleWeights?: Float32Array;
  /** Anything else a loss function needs. */
  [extra: string]: unknown;
}

/** Per-example loss [B] of a batch (recorded on the gradient tape). */
export type PerExampleLossFn = (batch: DomainBatch) => tf.Tensor1D;

/** What applies gradients: a tf.Optimizer or adomix's `Adam`. */
export interface GradientApplier {
  applyGradients(grads: tf.NamedTensorMap): void;
}

/** Anything with `apply(xs)` returning logits: a tf.LayersModel, or your own. */
export interface LogitsModel {
  apply(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] | unknown;
  trainableWeights?: { read(): tf.Tensor }[];
}

export interface TrainStepOptions {
  numDomains: number;
  optimizer: GradientApplier;
  /** Per-example loss; or give `model` for softmax cross-entropy on `ys`. */
  loss?: PerExampleLossFn;
  /** A model returning logits [B, V] (or [B, T, V]); labels are `batch.ys`. */
  model?: LogitsModel;
  /** Variables to train (default: the model's trainable weights, else all trainable variables). */
  varList?: tf.Variable[];
  /** When given, each step is reported with `observe` and `nextWeights` is set. */
  policy?: MixturePolicy;
  /** Global index of the first step (default 0; set it when resuming). */
  firstStep?: number;
}

export interface StepResult {
  /** Global step index of this step. */
  step: number;
  /** Mean loss of each domain in this step; NaN where the domain was absent. Reused by the next step: copy to keep. */
  loss: Float64Array;
  /** Examples (or summed example weights) of each domain. Reused by the next step. */
  count: Float64Array;
  /** Mean loss over the whole batch (what was optimised). */
  meanLoss: number;
  /** The policy's mixture for the next step (when a policy is attached). */
  nextWeights?: Float64Array;
}

/** Softmax cross-entropy of logits [B, V] or [B, T, V] against integer labels [B] / [B, T], per example. */
export function sparseCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const V = logits.shape[logits.rank - 1];
    const logp = tf.logSoftmax(logits);
    const nll = tf.neg(tf.sum(tf.mul(logp, tf.oneHot(tf.cast(labels, 'int32'), V)), -1));
    return (nll.rank === 1 ? nll : tf.mean(tf.reshape(nll, [nll.shape[0], -1]), 1)) as tf.Tensor1D;
  });
}

export class DomainTrainStep {
  private readonly K: number;
  private readonly options: TrainStepOptions;
  private readonly lossFn: PerExampleLossFn;
  private readonly varList: tf.Variable[] | undefined;
  private nextStep: number;
  private readonly counts: Float64Array;
  private readonly means: Float64Array;

  constructor(options: TrainStepOptions) {
    const K = options.numDomains;
    if (!Number.isInteger(K) || K < 1) throw new Error(`train step: numDomains must be a positive integer, got ${K}`);
    if (options.loss === undefined && options.model === undefined) throw new Error('train step: give a per-example `loss` function or a `model`');
    if (options.policy !== undefined && options.policy.domains.length !== K) {
      throw new Error(`train step: the policy has ${options.policy.domains.length} domains, numDomains is ${K}`);
    }
    this.K = K;
    this.options = options;
    const model = options.model;
    this.lossFn =
      options.loss ??
      ((batch: DomainBatch) => {
        if (batch.xs === undefined || batch.ys === undefined) throw new Error('train step: the model form needs batch.xs and batch.ys');
        const out = model!.apply(batch.xs);
        if (!(out instanceof tf.Tensor)) throw new Error('train step: model.apply must return one logits tensor');
        return sparseCrossEntropy(out, batch.ys);
      });
    this.varList = options.varList ?? model?.trainableWeights?.map((w) => w.read() as tf.Variable);
    this.nextStep = options.firstStep ?? 0;
    this.counts = new Float64Array(K);
    this.means = new Float64Array(K);
  }

  /** Index the next `run` will get. */
  get step(): number {
    return this.nextStep;
  }

  /**
   * One optimiser step. `evalLoss` (per domain, NaN where not evaluated) is passed on to
   * the policy with this step's observation.
   */
  async run(batch: DomainBatch, extra: { evalLoss?: ArrayLike<number> } = {}): Promise<StepResult> {
    const K = this.K;
    const B = batch.size ?? batch.domains.length;
    if (!Number.isInteger(B) || B < 1 || B > batch.domains.length) throw new Error(`train step ${this.nextStep}: batch size ${B} does not fit ${batch.domains.length} domain entries`);
    for (let i = 0; i < B; i++) {
      const d = batch.domains[i];
      if (!(d >= 0 && d < K)) throw new Error(`train step ${this.nextStep}: example ${i} has domain ${d}, outside 0…${K - 1}`);
    }
    const w = batch.exampleWeights;
    perDomainCounts(batch.domains, K, w, this.counts, B);
    let total = 0;
    for (let k = 0; k < K; k++) total += this.counts[k];
    if (!(total > 0)) throw new Error(`train step ${this.nextStep}: the example weights sum to ${total}`);

    let sums: tf.Tensor1D | undefined;
    const oneHot = domainOneHot(batch.domains.length === B ? batch.domains : batch.domains.subarray(0, B), K);
    const weights = w === undefined ? undefined : tf.tensor1d(w.subarray(0, B));
    try {
      const { value, grads } = tf.variableGrads(() => {
        const perExample = this.lossFn(batch);
        if (perExample.rank !== 1 || perExample.shape[0] !== B) {
          throw new Error(`train step ${this.nextStep}: the loss function returned shape [${perExample.shape}], expected [${B}] (one loss per example)`);
        }
        const s = perDomainSums(perExample, oneHot, weights);
        sums = tf.keep(s);
        // The optimised loss is the (weighted) batch mean: Σ_k s_k / Σ_k c_k.
        return tf.div(tf.sum(s), tf.scalar(total)) as tf.Scalar;
      }, this.varList);
      value.dispose();
      this.options.optimizer.applyGradients(grads);
      tf.dispose(grads);
      // The one device→host read of the step.
      const host = await sums!.data();
      let sum = 0;
      for (let k = 0; k < K; k++) sum += host[k];
      perDomainMeans(host, this.counts, this.means);
      const result: StepResult = { step: this.nextStep, loss: this.means, count: this.counts, meanLoss: sum / total };
      if (this.options.policy !== undefined) {
        result.nextWeights = this.options.policy.observe({ step: this.nextStep, loss: this.means, count: this.counts, evalLoss: extra.evalLoss });
      }
      this.nextStep++;
      return result;
    } finally {
      sums?.dispose();
      oneHot.dispose();
      weights?.dispose();
    }
  }
}

/** `new DomainTrainStep(options)` as a function `(batch, extra?) => Promise<StepResult>`. */
export function createTrainStep(options: TrainStepOptions): (batch: DomainBatch, extra?: { evalLoss?: ArrayLike<number> }) => Promise<StepResult> {
  const step = new DomainTrainStep(options);
  return (batch, extra) => step.run(batch, extra);
}
