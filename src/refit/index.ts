/**
 * Refits off the training thread: a RefitRunner backed by a pool of worker threads over
 * shared fit points (src/mixing stays pure; this is its edge).
 */
import { InlineRefitRunner, type RefitRunner } from '../mixing/index.js';
import { WorkerRefitRunner, type WorkerRefitRunnerOptions } from './WorkerRefitRunner.js';

export { WorkerRefitRunner, defaultRefitWorkers, refitWorkerPath, splitJobs } from './WorkerRefitRunner.js';
export type { WorkerRefitRunnerOptions, RefitRunnerStats } from './WorkerRefitRunner.js';

/** `worker`: a WorkerRefitRunner; `inline`: refits run synchronously on the calling thread. */
export function createRefitRunner(mode: 'inline' | 'worker', options: WorkerRefitRunnerOptions = {}): RefitRunner {
  if (mode === 'worker') return new WorkerRefitRunner(options);
  if (mode === 'inline') return new InlineRefitRunner();
  throw new Error(`refit runner mode must be "inline" or "worker", got ${JSON.stringify(mode)}`);
}
