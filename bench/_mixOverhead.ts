/**
 * The measuring core shared by `train-overhead` (any backend) and `gpu` (a GPU backend, a
 * bigger model): what ADO costs a real training step next to a static mixture. A step is
 * timed whole: ask the policy for the mixture, draw the batch, build its tensors, train
 * (one read-back), report to the policy. ADO refits in a worker thread on the schedule
 * `adomix train` uses for a run of `scheduleSteps` steps.
 */
import { createPolicy, type MixturePolicy } from '../src/mixing/index.js';
import { createRefitRunner } from '../src/refit/index.js';
import { Adam } from '../src/tfjs/adam.js';
import type { BackendChoice } from '../src/tfjs/backend.js';
import { DomainSampler } from '../src/tfjs/sampler.js';
import { ExampleSource } from '../src/tfjs/sources.js';
import { buildTask } from '../src/train/buildTask.js';
import { adoScheduleFor, parseTrainConfig, type TrainConfigInput } from '../src/train/trainConfig.js';
import { DomainTrainStep } from '../src/tfjs/trainStep.js';
import { policySpecFor } from '../src/train/runTraining.js';
import { median } from './_util.js';

export interface MixOverheadOptions {
  /** Backend already selected (its name goes into the result). */
  backend: BackendChoice;
  /** Steps per policy. */
  steps: number;
  /** Steps per block of the ABBA interleaving. */
  block: number;
  /** ADO's schedule is `adomix train`'s for a run of this many steps. */
  scheduleSteps: number;
  /** The model and its size (default: `adomix train`'s, the char MLP), and the batch. */
  model?: TrainConfigInput['model'];
  batchSize?: number;
  /** Progress lines (stderr). */
  say: (line: string) => void;
}

/**
 * Times training steps with a static natural mixture and with ADO on one model, backend
 * and data, interleaved in blocks (ABBA), and returns the figures both benchmarks print.
 */
export async function measureMixOverhead(o: MixOverheadOptions) {
  const { backend, steps, block, scheduleSteps, say } = o;
  const config = parseTrainConfig({
    policy: 'ado',
    steps: scheduleSteps,
    ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
    ...(o.model !== undefined ? { model: o.model } : {}),
  });
  // The built-in corpus, as `adomix train` builds it (evaluation is not timed: 8 examples).
  const run = await buildTask(parseTrainConfig({ ...config, evalExamples: 8 }));
  const { task, prior } = run;
  const domains = [...task.domains];
  const runner = createRefitRunner('worker');
  const policies: Record<'static' | 'ado', MixturePolicy> = {
    static: createPolicy({ kind: 'natural', domains, prior }),
    ado: createPolicy(policySpecFor(config, domains, prior, runner)),
  };
  const next: Record<'static' | 'ado', number> = { static: 0, ado: 0 };
  const times: Record<'static' | 'ado', number[]> = { static: [], ado: [] };
  /** Time inside weights() + observe() alone: the policy's own cost on the training thread. */
  const policyMs: Record<'static' | 'ado', number> = { static: 0, ado: 0 };
  const optimizer = new Adam({ learningRate: config.learningRate });
  const train = new DomainTrainStep({ numDomains: domains.length, optimizer, loss: task.loss, varList: [...task.variables] });
  const sampler = new DomainSampler(1);
  const sources = task.trainSizes.map((n, k) => new ExampleSource(n, { seed: 1, domain: k }));
  const B = config.batchSize;
  const examples = new Int32Array(B);

  const step = async (which: 'static' | 'ado'): Promise<void> => {
    const policy = policies[which];
    const t0 = performance.now();
    const w = policy.weights();
    const t1 = performance.now();
    const draw = sampler.draw(w, B);
    for (let i = 0; i < B; i++) examples[i] = sources[draw.domains[i]].next();
    const batch = task.batch(draw.domains, examples, B);
    const r = await train.run(batch);
    task.disposeBatch(batch);
    const t2 = performance.now();
    policy.observe({ step: next[which]++, loss: r.loss, count: r.count });
    const t3 = performance.now();
    policyMs[which] += t1 - t0 + (t3 - t2);
    times[which].push(t3 - t0);
  };

  // Warm-up (kernels, allocator), not timed or observed by either policy.
  for (let i = 0; i < 10; i++) {
    const draw = sampler.draw(prior, B);
    for (let j = 0; j < B; j++) examples[j] = sources[draw.domains[j]].next();
    const batch = task.batch(draw.domains, examples, B);
    await train.run(batch);
    task.disposeBatch(batch);
  }
  const t0 = performance.now();
  let round = 0;
  while (next.static < steps || next.ado < steps) {
    const order: ('static' | 'ado')[] = round % 2 === 0 ? ['static', 'ado'] : ['ado', 'static'];
    for (const which of order) for (let i = 0; i < block && next[which] < steps; i++) await step(which);
    round++;
    if (round % 4 === 0) say(`  ${next.static + next.ado}/${2 * steps} steps, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const ado = policies.ado as MixturePolicy & { lawsVersion?: number };
  const refits = (runner as unknown as { stats?: { refits: number; computeMs: number[]; waits: number; maxWaitMs: number } }).stats;
  const parameters = task.variables.reduce((n, v) => n + v.size, 0);
  await policies.ado.close();
  await policies.static.close();
  await runner.close();
  optimizer.dispose();
  run.dispose();

  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const msStatic = mean(times.static);
  const msAdo = mean(times.ado);
  const schedule = adoScheduleFor(scheduleSteps, config.ado);
  return {
    backend: backend.name,
    steps,
    block,
    batchSize: B,
    parameters,
    msPerStepStatic: Math.round(msStatic * 1000) / 1000,
    msPerStepAdo: Math.round(msAdo * 1000) / 1000,
    ratio: Math.round((msAdo / msStatic) * 10000) / 10000,
    medianRatio: Math.round((median(times.ado) / median(times.static)) * 10000) / 10000,
    policyMsPerStepStatic: Math.round((policyMs.static / times.static.length) * 1000) / 1000,
    policyMsPerStepAdo: Math.round((policyMs.ado / times.ado.length) * 1000) / 1000,
    ado: {
      scheduleSteps,
      ...schedule,
      lawsVersion: ado.lawsVersion ?? null,
      refits: refits?.refits ?? null,
      refitComputeMsMean: refits && refits.computeMs.length > 0 ? Math.round(mean(refits.computeMs)) : null,
      collectWaits: refits?.waits ?? null,
      maxWaitMs: refits ? Math.round(refits.maxWaitMs * 10) / 10 : null,
    },
  };
}
