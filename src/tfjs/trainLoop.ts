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
 * run writes the same steps as one that was never interrupted (same backend). Before it
 * uses anything, a resume checks that the checkpoint is this run's (run id, `identity`),
 * that the step log holds exactly the steps the checkpoint covers (length and SHA-256) and
 * that the weights file is the one it wrote (SHA-256), naming the first thing that differs;
 * temporary files of a killed run are removed.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { MixturePolicy } from '../mixing/index.js';
import type { RefitRunner } from '../mixing/index.js';
import {
  formatHeaderLine,
  formatStepLine,
  readCheckpoint,
  restoreCheckpoint,
  removeStaleTempsIn,
  writeCheckpoint,
  writeFileAtomic,
  type StepLogHeader,
  type StepLogParams,
} from '../runlog/index.js';
import { Adam } from './adam.js';
import { DomainSampler } from './sampler.js';
import { ExampleSource } from './sources.js';
import { tensorsFromBytes, writeTensorFile, type TensorRecord } from './tensorFile.js';
import { canonicalJson, firstDifference, sha256Hex } from './runIdentity.js';
import { checkTrainingState, stepLogAsOf, TRAINING_STATE_FORMAT, type TrainingState } from './trainCheckpoint.js';
import { backendMemoryLimits, checkBatchFits } from './memory.js';
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
  /**
   * How each domain's shuffled order is held (ExampleSource): `table` (4 bytes per example,
   * the default) or `feistel` (computed, O(1) memory: corpora on disk with billions of windows).
   */
  sourceOrder?: 'table' | 'feistel';
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
  /** The run's id, kept in every checkpoint (default: a new random one); a resume with one given refuses a checkpoint of another run. */
  runId?: string;
  /**
   * What must not change when the run resumes (JSON, e.g. its config without the step count):
   * kept in every checkpoint; a resume refuses a checkpoint made with a different one,
   * naming the first field that differs.
   */
  identity?: unknown;
  onStep?: (progress: StepProgress) => void;
  onCheckpoint?: (info: { step: number; path: string }) => void;
  /** Stop after the current step (with a checkpoint when `outDir` is set). */
  signal?: AbortSignal;
  /** The data budget the policy was given, written into the step log's header (so a replay caps as the run did). */
  budgetHeader?: Pick<StepLogHeader, 'budget' | 'maxEpochs' | 'plannedSteps'>;
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
  const cost = task.stepMemory?.();
  if (cost !== undefined) checkBatchFits(B, cost, backendMemoryLimits());
  const stepLogPath = outDir === undefined ? undefined : join(outDir, STEP_LOG_FILE);
  const checkpointPath = outDir === undefined ? undefined : join(outDir, CHECKPOINT_FILE);

  const sources = task.trainSizes.map((n, k) => new ExampleSource(n, { seed, domain: k, epochs: options.epochs, order: options.sourceOrder }));
  let sampler = new DomainSampler(seed);
  let policy: MixturePolicy;
  let firstStep = 0;
  let lines: string[];
  let lastEval: Float64Array = new Float64Array(K).fill(NaN);
  let weightsFile: string | undefined;
  let runId = options.runId ?? randomUUID();
  const exhausted = new Array<boolean>(K).fill(false);
  const names = task.variableNames;
  const byEngineName = new Map(task.variables.map((v, i) => [v.name, names[i]]));
  const byRole = new Map(task.variables.map((v, i) => [names[i], v.name]));

  if (options.resume) {
    const dir = outDir!;
    // Temporary files of a killed run are garbage: nothing points to them.
    removeStaleTempsIn(dir);
    const ckpt = await readCheckpoint(checkpointPath!);
    const st = checkTrainingState(ckpt.meta?.training, checkpointPath!);
    if (options.runId !== undefined && st.runId !== options.runId) {
      throw new Error(`${checkpointPath} belongs to run ${st.runId}, not to this run (${options.runId}): files of two runs are mixed in ${dir}`);
    }
    if (options.identity !== undefined) {
      const diff = firstDifference(options.identity, st.identity);
      if (diff !== undefined || sha256Hex(canonicalJson(st.identity)) !== st.identitySha256) {
        throw new Error(`${checkpointPath} was made by a run set up differently: ${diff ?? 'its recorded setup does not match its hash (edited?)'} (this run, then the checkpoint)`);
      }
    }
    if (JSON.stringify(st.domains) !== JSON.stringify(task.domains)) {
      throw new Error(`${checkpointPath}: the checkpoint's domains ${JSON.stringify(st.domains)} are not the task's ${JSON.stringify(task.domains)}`);
    }
    // The step log as of the checkpoint: later lines (written before a crash) are dropped.
    lines = await stepLogAsOf(stepLogPath!, st);
    const weightsPath = join(dir, st.weightsFile);
    const weightBytes = await readFile(weightsPath).catch((err: Error) => {
      throw new Error(`cannot resume: cannot read ${weightsPath}: ${err.message}`);
    });
    if (sha256Hex(weightBytes) !== st.weightsSha256) {
      throw new Error(`${weightsPath}: its SHA-256 is not the one ${checkpointPath} recorded: the weights file is corrupt or from another run`);
    }
    await options.policy?.close();
    policy = restoreCheckpoint(ckpt, { refitRunner: options.refitRunner }, checkpointPath);
    if (policy.domains.length !== K) throw new Error(`${checkpointPath}: the policy has ${policy.domains.length} domains, the task ${K}`);
    runId = st.runId;
    sampler = DomainSampler.fromState(st.sampler);
    st.sources.forEach((s, k) => sources[k].restore(s));
    st.exhausted.forEach((x, k) => (exhausted[k] = x));
    weightsFile = st.weightsFile;
    const tensors = tensorsFromBytes(weightBytes, st.tensors, weightsPath, st.weightsBytes);
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
    // A weights file written just before a crash, that no checkpoint points to, is garbage.
    for (const f of await readdir(dir)) {
      if (/^weights-\d+\.bin$/.test(f) && f !== st.weightsFile) await unlink(join(dir, f)).catch(() => undefined);
    }
  } else {
    if (options.policy === undefined) throw new Error('train loop: give a policy (or resume from a checkpoint)');
    policy = options.policy;
    if (policy.domains.length !== K || policy.domains.some((d, k) => d !== task.domains[k])) {
      throw new Error(`train loop: the policy's domains ${JSON.stringify(policy.domains)} are not the task's ${JSON.stringify(task.domains)}`);
    }
    // A short run gets a schedule made for its length (AdoPolicy.planSteps); a resumed one keeps its checkpoint's.
    policy.planSteps?.(steps);
    const total = task.trainSizes.reduce((a, b) => a + b, 0);
    const prior = options.prior !== undefined ? Array.from(options.prior) : task.trainSizes.map((n) => n / total);
    lines = [formatHeaderLine({ domains: [...task.domains], prior, unit: 'examples', ...options.budgetHeader })];
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
    let written: { records: TensorRecord[]; bytes: number; sha256: string };
    try {
      written = await writeTensorFile(join(outDir, file), named);
    } finally {
      for (const w of optState) w.tensor.dispose();
    }
    const logText = lines.join('\n') + '\n';
    await writeFileAtomic(stepLogPath!, logText);
    const identity = options.identity ?? null;
    const training: TrainingState = {
      format: TRAINING_STATE_FORMAT,
      step,
      runId,
      identity,
      identitySha256: sha256Hex(canonicalJson(identity)),
      stepLog: { steps: lines.length - 1, bytes: Buffer.byteLength(logText), sha256: sha256Hex(logText) },
      weightsSha256: written.sha256,
      sampler: sampler.state(),
      sources: sources.map((s) => s.state()),
      exhausted: [...exhausted],
      weightsFile: file,
      weightsBytes: written.bytes,
      tensors: written.records,
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
