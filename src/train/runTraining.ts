/**
 * A whole training run from a `TrainConfig`: choose the backend, build the task (the corpus,
 * built-in or on disk, and the model: buildTask.ts), the policy (with its refit runner),
 * Adam, and run `trainLoop`. `adomix train`, `npm run demo` and the benchmarks go through here.
 */
import type { CorpusProgress } from '../data/index.js';
import { createPolicy, type MixturePolicy, type PolicySpec, type RefitRunner } from '../mixing/index.js';
import { createRefitRunner } from '../refit/index.js';
import { Adam, cosineSchedule } from '../tfjs/adam.js';
import { selectBackend, type BackendChoice } from '../tfjs/backend.js';
import { backendMemoryLimits, checkBatchFits } from '../tfjs/memory.js';
import { trainLoop, type StepProgress, type TrainLoopResult } from '../tfjs/trainLoop.js';
import { buildTask, stepMemoryOf, type RunTask } from './buildTask.js';
import { adoScheduleSettings, type TrainConfig } from './trainConfig.js';

export interface BuiltinRunOptions {
  /** Step log, checkpoints; without it nothing is written. */
  outDir?: string;
  /** Continue the run checkpointed in `outDir`. */
  resume?: boolean;
  /** Backend choice made already (skip selection), e.g. by a benchmark. */
  backend?: BackendChoice;
  onBackend?: (choice: BackendChoice) => void;
  onReady?: (info: { domains: string[]; prior: number[]; trainSizes: number[]; parameters: number; policy: MixturePolicy }) => void;
  onStep?: (progress: StepProgress) => void;
  onCheckpoint?: (info: { step: number; path: string }) => void;
  signal?: AbortSignal;
  /** The run's id (kept in its checkpoints; a resume refuses another run's). */
  runId?: string;
  /** Progress of tokenising a corpus on disk (the first time; a cached corpus reports nothing). */
  onCorpusProgress?: (p: CorpusProgress) => void;
  /** The task built already (buildTask), e.g. to check the corpus before a run directory exists; the run disposes it. */
  task?: RunTask;
}

export interface BuiltinRunResult extends TrainLoopResult {
  backend: BackendChoice;
  domains: string[];
  /** The natural mixture (each domain's share of the training tokens). */
  prior: number[];
  parameters: number;
  /** Seconds from backend selection to the end. */
  seconds: number;
}

/**
 * The policy spec a config asks for, over the task's domains and natural prior; with
 * `maxEpochs` set, ADO's data budget is each domain's training examples (`trainSizes`).
 */
export function policySpecFor(config: TrainConfig, domains: string[], prior: number[], refitRunner?: RefitRunner, trainSizes?: readonly number[]): PolicySpec {
  switch (config.policy) {
    case 'natural':
      return { kind: 'natural', domains, prior };
    case 'balanced':
      return { kind: 'balanced', domains };
    case 'odm':
      return { kind: 'odm', domains, ...config.odm };
    case 'ado': {
      const schedule = adoScheduleSettings(config.steps, config.ado);
      const { preset, target, initialMixture, minPoints, countMode, s, creditExponent, capacity, minShare, window } = config.ado;
      const spec: PolicySpec = { kind: 'ado', domains, prior, refitRunner, ...schedule, fit: { ...schedule.fit, ...(window !== undefined ? { window } : {}) } };
      for (const [k, v] of Object.entries({ preset, target, initialMixture, minPoints, countMode, s, creditExponent, capacity, minShare })) if (v !== undefined) (spec as unknown as Record<string, unknown>)[k] = v;
      return { ...spec, ...trainBudget(config, trainSizes) };
    }
  }
}

/** ADO's budget options of a config: {} without `maxEpochs` (or for another policy). */
export function trainBudget(config: TrainConfig, trainSizes?: readonly number[]): { budget?: number[]; maxEpochs?: number; plannedSteps?: number } {
  if (config.maxEpochs === null || config.policy !== 'ado') return {};
  if (trainSizes === undefined) throw new Error('maxEpochs: the data budget needs the domains\' training sizes');
  return { budget: [...trainSizes], maxEpochs: config.maxEpochs, plannedSteps: config.steps };
}

/** What may change when a run resumes: how long it runs, where, and how often it evaluates and checkpoints. */
export const RESUMABLE_FIELDS = ['steps', 'backend', 'evalEvery', 'checkpointEvery'] as const;

/** The part of a config that must not change across a resume (everything else). */
export function runIdentityOf(config: TrainConfig): Record<string, unknown> {
  const identity: Record<string, unknown> = { ...config };
  for (const key of RESUMABLE_FIELDS) delete identity[key];
  delete identity.runId;
  // Runs from before maxEpochs existed have no such field: no budget reads as they did.
  if (identity.maxEpochs === null) delete identity.maxEpochs;
  return identity;
}

/** The size checks a run can make before anything is written: does its batch fit the backend? */
export function checkRunFits(config: TrainConfig): void {
  checkBatchFits(config.batchSize, stepMemoryOf(config), backendMemoryLimits());
}

export async function runBuiltinTraining(config: TrainConfig, options: BuiltinRunOptions = {}): Promise<BuiltinRunResult> {
  const t0 = performance.now();
  const backend = options.backend ?? (await selectBackend({ backend: config.backend === 'auto' ? undefined : config.backend }));
  options.onBackend?.(backend);
  const run = options.task ?? (await buildTask(config, { onCorpusProgress: options.onCorpusProgress }));
  const { task, prior } = run;
  const domains = [...task.domains];
  const parameters = task.variables.reduce((n, v) => n + v.size, 0);
  const runner = config.policy === 'ado' ? createRefitRunner(config.refit) : undefined;
  const optimizer = new Adam({
    learningRate:
      config.lrSchedule === 'cosine'
        ? cosineSchedule(config.learningRate, config.steps, { warmup: Math.round(config.steps / 50), floor: 0.1 })
        : config.learningRate,
  });
  let policy: MixturePolicy | undefined;
  try {
    policy = options.resume ? undefined : createPolicy(policySpecFor(config, domains, prior, runner, task.trainSizes));
    if (policy !== undefined) options.onReady?.({ domains, prior, trainSizes: [...task.trainSizes], parameters, policy });
    const result = await trainLoop({
      task,
      policy,
      optimizer,
      steps: config.steps,
      batchSize: config.batchSize,
      seed: config.seed,
      epochs: config.epochs ?? undefined,
      sourceOrder: run.sourceOrder,
      evalEvery: config.evalEvery,
      checkpointEvery: options.outDir === undefined ? 0 : config.checkpointEvery,
      outDir: options.outDir,
      resume: options.resume,
      refitRunner: runner,
      prior,
      meta: { config },
      runId: options.runId,
      // A corpus on disk adds its token hash: a resume on changed data is refused.
      identity: run.dataIdentity === null ? runIdentityOf(config) : { ...runIdentityOf(config), corpusTokensSha256: run.dataIdentity },
      onStep: options.onStep,
      onCheckpoint: options.onCheckpoint,
      signal: options.signal,
      budgetHeader: trainBudget(config, task.trainSizes),
    });
    policy = result.policy;
    return { ...result, backend, domains, prior, parameters, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await policy?.close();
    await runner?.close();
    optimizer.dispose();
    run.dispose();
  }
}
