/**
 * The ready training loop: a policy chooses the mixture, the sampler draws each batch's
 * domains from it, per-domain sources supply the examples, `DomainTrainStep` trains and
 * reports per-domain losses back to the policy.
 *
 * Step t, in order:
 *   1. w ← the policy's current mixture; draw the batch's domains from w (capacity-limited
 *      by what each source has left) and take the examples from the sources;
 *   2. one optimiser step; per-domain mean losses and counts (one read-back);
 *   3. every `evalEvery` steps (and at the last step) the held-out loss of every domain;
 *   4. policy.observe({step: t, loss, count, evalLoss}) → the mixture of step t+1; a
 *      domain whose source ran out is reported with markExhausted;
 *   5. the step-log record {step, loss, count, weights: w, evalLoss?, params?};
 *   6. every `checkpointEvery` steps (and at the end) a checkpoint.
 *
 * Files in `outDir`:
 *   steps.jsonl        the step log (DESIGN.md), published atomically at each checkpoint
 *                      and at the end, so a reader never sees half a line;
 *   checkpoint.json    runlog's checkpoint (policy snapshot) with the loop state in
 *                      meta.training: step, sampler and source states, tensor manifest;
 *   weights-<step>.bin model and optimiser tensors of that checkpoint.
 * Each checkpoint writes the new weights file, then the step log, then checkpoint.json
 * (each atomically); only then is the previous weights file removed. A crash at any point
 * leaves a consistent checkpoint, and resuming truncates the step log to its step.
 *
 * Resuming restores model, optimiser, policy, sampler and sources exactly, so a resumed
 * run writes the same steps as one that was never interrupted (same backend).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MixturePolicy } from '../mixing/index.js';
import type { RefitRunner } from '../mixing/index.js';
import {
  formatHeaderLine,
  formatStepLine,
  readCheckpoint,
  restoreCheckpoint,
  writeCheckpoint,
  writeFileAtomic,
  type StepLogParams,
} from '../runlog/index.js';
import { Adam } from './adam.js';
import { DomainSampler } from './sampler.js';
import { ExampleSource, type SourceState } from './sources.js';
import { readTensorFile, writeTensorFile, type TensorRecord } from './tensorFile.js';
import type { TrainTask } from './task.js';
import { DomainTrainStep, type GradientApplier } from './trainStep.js';

/** An optimiser whose state the loop can checkpoint. */
export type CheckpointableOptimizer = GradientApplier & {
  getWeights(): { name: string; tensor: tf.Tensor }[] | Promise<{ name: string; tensor: tf.Tensor }[]>;
  setWeights(weights: { name: string; tensor: tf.Tensor }[]): void | Promise<void>;
};

export interface StepProgress {
  step: number;
  /** Total steps of the run. */
  steps: number;
  meanLoss: number;
  /** Per-domain mean loss of this step (NaN where absent). Reused: copy to keep. */
  loss: Float64Array;
  count: Float64Array;
  /** The mixture this step was drawn with. */
  weights: Float64Array;
  /** The mixture of the next step. */
  nextWeights: Float64Array;
  /** Held-out loss, on evaluation steps. */
  evalLoss?: Float64Array;
  /** Laws that changed at this step (ADO), per domain [a, e, α] or null. */
  params?: (StepLogParams | null)[];
  /** Wall time since the loop started (this invocation), ms. */
  elapsedMs: number;
}

export interface TrainLoopOptions {
  task: TrainTask;
  /** The policy of a fresh run (ignored, and closed, when resuming: the checkpoint's policy is used). */
  policy?: MixturePolicy;
  /** Adam (exact resume) or a tf.Optimizer (its own getWeights/setWeights). */
  optimizer: CheckpointableOptimizer;
  /** Total steps: the run ends after step `steps − 1`. */
  steps: number;
  batchSize: number;
  /** Seed of the sampler and the sources' shuffles (default 0). */
  seed?: number;
  /** Passes over each domain's data before it is exhausted (default Infinity). */
  epochs?: number;
  /** Evaluate the held-out loss every this many steps (default 0: only after the last step). */
  evalEvery?: number;
  /** Where the step log and checkpoints go; without it nothing is written. */
  outDir?: string;
  /** Checkpoint every this many steps (default 0: only at the end). Needs `outDir`. */
  checkpointEvery?: number;
  /** Continue the run checkpointed in `outDir`. */
  resume?: boolean;
  /** Refit runner handed to a restored ADO policy. */
  refitRunner?: RefitRunner;
  /** Prior μ for the step-log header (default: the natural mixture, the task's data shares). */
  prior?: ArrayLike<number>;
  /** Free-form JSON stored in every checkpoint (e.g. the run's config). */
  meta?: Record<string, unknown>;
  onStep?: (progress: StepProgress) => void;
  onCheckpoint?: (info: { step: number; path: string }) => void;
  /** Stop after the current step (with a checkpoint when `outDir` is set). */
  signal?: AbortSignal;
}

export interface TrainLoopResult {
  /** The policy after the run (the restored one when resuming); the caller closes it. */
  policy: MixturePolicy;
  /** First and last step run in this invocation (lastStep < firstStep: none). */
  firstStep: number;
  lastStep: number;
  /** Why the loop ended. */
  stopped: 'done' | 'exhausted' | 'aborted';
  /** Held-out loss per domain at the last evaluation. */
  heldOut: Float64Array;
  /** The policy's mixture after the last step. */
  weights: Float64Array;
  /** Mean training-step time of this invocation, ms (evaluations and checkpoints excluded). */
  msPerStep: number;
  stepLog?: string;
  checkpoint?: string;
}

/** What the loop keeps in checkpoint meta.training. */
interface TrainingState {
  format: 'adomix-train/1';
  /** Last completed step. */
  step: number;
  sampler: number[];
  sources: SourceState[];
  exhausted: boolean[];
  weightsFile: string;
  weightsBytes: number;
  tensors: TensorRecord[];
  lastEval: (number | null)[] | null;
  lawsVersion: number;
  domains: string[];
}

export const STEP_LOG_FILE = 'steps.jsonl';
export const CHECKPOINT_FILE = 'checkpoint.json';

function positiveInt(value: number, what: string, allowZero = false): number {
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) throw new Error(`train loop: ${what} must be ${allowZero ? 'a non-negative' : 'a positive'} integer, got ${value}`);
  return value;
}

/** Duck-typed access to ADO's fitted laws. */
function lawsOf(policy: MixturePolicy): { version: number; laws: () => (StepLogParams | null)[] } | undefined {
  const p = policy as unknown as { lawsVersion?: unknown; laws?: unknown };
  if (typeof p.lawsVersion !== 'number' || typeof p.laws !== 'function') return undefined;
  return { version: p.lawsVersion, laws: () => (p.laws as () => (StepLogParams | null)[]).call(policy) };
}

const nanToNull = (x: number): number | null => (Number.isNaN(x) ? null : x);

export async function trainLoop(options: TrainLoopOptions): Promise<TrainLoopResult> {
  const { task, optimizer } = options;
  const K = task.domains.length;
  const steps = positiveInt(options.steps, 'steps');
  const B = positiveInt(options.batchSize, 'batchSize');
  const evalEvery = positiveInt(options.evalEvery ?? 0, 'evalEvery', true);
  const checkpointEvery = positiveInt(options.checkpointEvery ?? 0, 'checkpointEvery', true);
  const seed = options.seed ?? 0;
  const outDir = options.outDir;
  if (options.resume && outDir === undefined) throw new Error('train loop: resume needs outDir (where the checkpoint is)');
  if (checkpointEvery > 0 && outDir === undefined) throw new Error('train loop: checkpointEvery needs outDir');
  const stepLogPath = outDir === undefined ? undefined : join(outDir, STEP_LOG_FILE);
  const checkpointPath = outDir === undefined ? undefined : join(outDir, CHECKPOINT_FILE);

  const sources = task.trainSizes.map((n, k) => new ExampleSource(n, { seed, domain: k, epochs: options.epochs }));
  let sampler = new DomainSampler(seed);
  let policy: MixturePolicy;
  let firstStep = 0;
  let lines: string[];
  let lastEval: Float64Array = new Float64Array(K).fill(NaN);
  let weightsFile: string | undefined;
  const exhausted = new Array<boolean>(K).fill(false);
  const names = task.variableNames;
  const byEngineName = new Map(task.variables.map((v, i) => [v.name, names[i]]));
  const byRole = new Map(task.variables.map((v, i) => [names[i], v.name]));

  if (options.resume) {
    const ckpt = await readCheckpoint(checkpointPath!);
    const st = ckpt.meta?.training as TrainingState | undefined;
    if (st === undefined || st.format !== 'adomix-train/1') throw new Error(`${checkpointPath}: not a training checkpoint (no meta.training of format adomix-train/1)`);
    if (JSON.stringify(st.domains) !== JSON.stringify(task.domains)) {
      throw new Error(`${checkpointPath}: the checkpoint's domains ${JSON.stringify(st.domains)} are not the task's ${JSON.stringify(task.domains)}`);
    }
    await options.policy?.close();
    policy = restoreCheckpoint(ckpt, { refitRunner: options.refitRunner }, checkpointPath);
    if (policy.domains.length !== K) throw new Error(`${checkpointPath}: the policy has ${policy.domains.length} domains, the task ${K}`);
    sampler = DomainSampler.fromState(st.sampler);
    st.sources.forEach((s, k) => sources[k].restore(s));
    st.exhausted.forEach((x, k) => (exhausted[k] = x));
    weightsFile = st.weightsFile;
    const tensors = await readTensorFile(join(outDir!, st.weightsFile), st.tensors, st.weightsBytes);
    try {
      task.variables.forEach((v, i) => {
        const t = tensors.get(`model/${names[i]}`);
        if (t === undefined) throw new Error(`${checkpointPath}: no tensor model/${names[i]}`);
        if (JSON.stringify(t.shape) !== JSON.stringify(v.shape)) throw new Error(`${checkpointPath}: model/${names[i]} has shape [${t.shape}], the model [${v.shape}] (another model config?)`);
        v.assign(t);
      });
      const opt = [...tensors].filter(([n]) => n.startsWith('optimizer/')).map(([n, tensor]) => ({ name: n.slice('optimizer/'.length), tensor }));
      if (optimizer instanceof Adam) {
        optimizer.setWeights(opt, (role) => {
          const engineName = byRole.get(role);
          if (engineName === undefined) throw new Error(`${checkpointPath}: optimizer state for unknown variable ${role}`);
          return engineName;
        });
      } else {
        await optimizer.setWeights(opt);
      }
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
    if (st.lastEval !== null) lastEval = Float64Array.from(st.lastEval, (x) => (x === null ? NaN : x));
    firstStep = st.step + 1;
    // The step log as of the checkpoint: later lines (written before a crash) are dropped.
    const text = await readFile(stepLogPath!, 'utf8').catch((err: Error) => {
      throw new Error(`cannot resume: ${err.message}`);
    });
    const all = text.split('\n').filter((l) => l.length > 0);
    lines = [all[0]];
    for (let i = 1; i < all.length; i++) {
      const step = (JSON.parse(all[i]) as { step: number }).step;
      if (step <= st.step) lines.push(all[i]);
    }
    if (lines.length - 1 !== st.step + 1) throw new Error(`${stepLogPath}: has ${lines.length - 1} steps up to the checkpoint, expected ${st.step + 1}`);
    // A weights file written just before a crash, that no checkpoint points to, is garbage.
    for (const f of await readdir(outDir!)) {
      if (/^weights-\d+\.bin$/.test(f) && f !== st.weightsFile) await unlink(join(outDir!, f)).catch(() => undefined);
    }
  } else {
    if (options.policy === undefined) throw new Error('train loop: give a policy (or resume from a checkpoint)');
    policy = options.policy;
    if (policy.domains.length !== K || policy.domains.some((d, k) => d !== task.domains[k])) {
      throw new Error(`train loop: the policy's domains ${JSON.stringify(policy.domains)} are not the task's ${JSON.stringify(task.domains)}`);
    }
    const total = task.trainSizes.reduce((a, b) => a + b, 0);
    const prior = options.prior !== undefined ? Array.from(options.prior) : task.trainSizes.map((n) => n / total);
    lines = [formatHeaderLine({ domains: [...task.domains], prior, unit: 'examples' })];
    if (outDir !== undefined) {
      await mkdir(outDir, { recursive: true });
      if (existsSync(checkpointPath!)) throw new Error(`${outDir} already holds a run (${CHECKPOINT_FILE}); resume it or choose another directory`);
    }
  }

  const trainStep = new DomainTrainStep({ numDomains: K, optimizer, loss: task.loss, varList: [...task.variables], firstStep });
  let lawsVersion = lawsOf(policy)?.version ?? 0;
  const examples = new Int32Array(B);
  const capacity = new Float64Array(K);
  const weightsBuf = new Float64Array(K);
  let stopped: TrainLoopResult['stopped'] = 'done';
  let stepMs = 0;
  let stepsRun = 0;
  const t0 = performance.now();
  let lastStep = firstStep - 1;

  const checkpoint = async (step: number): Promise<void> => {
    if (outDir === undefined) return;
    const file = `weights-${String(step).padStart(8, '0')}.bin`;
    const optState = await optimizer.getWeights();
    const named = [
      ...task.variables.map((v, i) => ({ name: `model/${names[i]}`, tensor: v as tf.Tensor })),
      ...optState.map((w) => {
        // Adam keys moments by engine variable name: store them by role.
        const m = /^(.*)\/([mv])$/.exec(w.name);
        const role = m !== null ? byEngineName.get(m[1]) : undefined;
        return { name: `optimizer/${role !== undefined ? `${role}/${m![2]}` : w.name}`, tensor: w.tensor };
      }),
    ];
    let records: TensorRecord[];
    try {
      records = await writeTensorFile(join(outDir, file), named);
    } finally {
      for (const w of optState) w.tensor.dispose();
    }
    const bytes = records.reduce((n, r) => Math.max(n, r.offset + r.length * 4), 0);
    await writeFileAtomic(stepLogPath!, lines.join('\n') + '\n');
    const training: TrainingState = {
      format: 'adomix-train/1',
      step,
      sampler: sampler.state(),
      sources: sources.map((s) => s.state()),
      exhausted: [...exhausted],
      weightsFile: file,
      weightsBytes: bytes,
      tensors: records,
      lastEval: Array.from(lastEval, nanToNull),
      lawsVersion,
      domains: [...task.domains],
    };
    await writeCheckpoint(checkpointPath!, policy, { ...(options.meta ?? {}), training });
    if (weightsFile !== undefined && weightsFile !== file) await unlink(join(outDir, weightsFile)).catch(() => undefined);
    weightsFile = file;
    options.onCheckpoint?.({ step, path: checkpointPath! });
  };

  try {
    for (let t = firstStep; t < steps; t++) {
      const tStep = performance.now();
      // 1. the batch.
      weightsBuf.set(policy.weights());
      for (let k = 0; k < K; k++) capacity[k] = sources[k].remaining();
      const draw = sampler.draw(weightsBuf, B, capacity);
      if (draw.size === 0) {
        stopped = 'exhausted';
        break;
      }
      for (let i = 0; i < draw.size; i++) examples[i] = sources[draw.domains[i]].next();
      const batch = task.batch(draw.domains, examples, draw.size);
      // 2. the step (its observe comes after the evaluation, so it sees evalLoss).
      let result;
      try {
        result = await trainStep.run(batch);
      } finally {
        task.disposeBatch(batch);
      }
      stepMs += performance.now() - tStep;
      // 3. evaluation.
      let evalLoss: Float64Array | undefined;
      if ((evalEvery > 0 && (t + 1) % evalEvery === 0) || t === steps - 1) {
        evalLoss = await task.evaluate();
        lastEval = evalLoss;
      }
      // 4. the policy.
      const tPolicy = performance.now();
      let next = policy.observe({ step: t, loss: result.loss, count: result.count, evalLoss });
      let marked = false;
      for (let k = 0; k < K; k++) {
        if (exhausted[k] || !sources[k].exhausted) continue;
        exhausted[k] = true;
        // The last live domain stays: the loop ends below instead.
        if (exhausted.some((x) => !x)) {
          policy.markExhausted(k);
          marked = true;
        }
      }
      if (marked) next = policy.weights();
      stepMs += performance.now() - tPolicy;
      // 5. the record.
      let params: (StepLogParams | null)[] | undefined;
      const laws = lawsOf(policy);
      if (laws !== undefined && laws.version !== lawsVersion) {
        lawsVersion = laws.version;
        params = laws.laws();
      }
      // Only kept when a log is written (a long run without outDir must not grow).
      if (outDir !== undefined) lines.push(formatStepLine({ step: t, loss: result.loss, count: result.count, weights: weightsBuf, evalLoss, params }, task.domains));
      lastStep = t;
      stepsRun++;
      options.onStep?.({
        step: t,
        steps,
        meanLoss: result.meanLoss,
        loss: result.loss,
        count: result.count,
        weights: weightsBuf,
        nextWeights: next,
        evalLoss,
        params,
        elapsedMs: performance.now() - t0,
      });
      if (exhausted.every((x) => x)) {
        stopped = 'exhausted';
        break;
      }
      if (options.signal?.aborted) {
        stopped = t === steps - 1 ? 'done' : 'aborted';
        break;
      }
      // 6. checkpoint.
      if (checkpointEvery > 0 && (t + 1) % checkpointEvery === 0 && t !== steps - 1) await checkpoint(t);
    }
    if (stepsRun > 0) await checkpoint(lastStep);
  } catch (err) {
    // Keep what was published; do not leave the policy's threads running.
    await policy.close().catch(() => undefined);
    throw err;
  }
  return {
    policy,
    firstStep,
    lastStep,
    stopped,
    heldOut: lastEval,
    weights: policy.weights(),
    msPerStep: stepsRun > 0 ? stepMs / stepsRun : NaN,
    stepLog: stepLogPath,
    checkpoint: checkpointPath,
  };
}
