/**
 * `npm run bench -- train-overhead [--json] [--steps N] [--block N] [--schedule-steps N] [--backend NAME]`
 *
 * What ADO costs a real training step. One process, one model, one backend, the built-in
 * data: blocks of `block` steps alternate between a static natural mixture and ADO (ABBA
 * order, so drift in machine load cancels), each policy seeing only its own steps, until
 * each has run `steps` steps. A step is timed whole: ask the policy for the mixture, draw
 * the batch, build its tensors, train (one read-back), report to the policy. ADO refits in
 * a worker thread on the schedule `adomix train` uses for a run of `schedule-steps` steps
 * (default 1500, the demo's: first fit at step 150, then every 75 steps); a smaller value
 * refits more often (e.g. 400: every 20 steps).
 *
 * Last line: {"bench":"train-overhead","backend":…,"msPerStepStatic":…,"msPerStepAdo":…,"ratio":…}
 */
import type { BenchArgs } from './run.js';
import { measureMixOverhead } from './_mixOverhead.js';
import { intOption } from './_util.js';
import { describeBackend, selectBackend } from '../src/tfjs/backend.js';

export async function run(args: BenchArgs): Promise<void> {
  const say = (s: string): void => void process.stderr.write(`${s}\n`);
  const backend = await selectBackend({ backend: args.options.backend });
  say(`train-overhead: ${describeBackend(backend)}`);
  const figures = await measureMixOverhead({
    backend,
    steps: intOption(args, 'steps', 400),
    block: intOption(args, 'block', 20),
    scheduleSteps: intOption(args, 'schedule-steps', 1500),
    say,
  });
  const result = { bench: 'train-overhead', ...figures };
  if (!args.json) {
    say(`static natural: ${result.msPerStepStatic} ms/step   ADO: ${result.msPerStepAdo} ms/step   ratio ${result.ratio} (medians: ${result.medianRatio})`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
