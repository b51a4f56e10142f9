/**
 * `npm run bench -- overhead [--json] [--steps 20000] [--domains 22] [--step-ms 1] [--lag 500] [--train sleep|busy]`
 *
 * The scheduler's cost on the training thread: an ADO policy over K = 22 domains, 20,000
 * steps, refits every 1,000 steps in a worker thread (WorkerRefitRunner). Each step the
 * loop asks weights(), draws a batch of 256 examples from synthetic power-law curves,
 * "trains" for --step-ms (by default the thread sleeps, as it would while waiting on a GPU;
 * `--train busy` spins instead) and reports the step with observe(). The lag (500 steps =
 * 0.5 s here) must cover one refit; in a real run 100 steps are seconds.
 *
 * Figures (last line with --json):
 *   usPerStepMedian  median µs of weights() + observe() on steps that neither start nor
 *                    apply a refit (process.hrtime.bigint);
 *   maxStallMs       the longest weights() + observe() of any step, refit steps included
 *                    (a refit not done `lag` steps after it started would show up here);
 *   refitMsMedian    median worker time of one refit of all 22 domains.
 */
import { AdoPolicy, Rng, WorkerRefitRunner } from '../src/index.js';
import type { BenchArgs } from './run.js';
import { median } from './_util.js';

/** A non-negative number option (`--step-ms 0` is allowed, unlike `intOption`). */
function numberOption(args: BenchArgs, name: string, dflt: number): number {
  const v = args.options[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${v}`);
  return n;
}

export async function run(args: BenchArgs): Promise<void> {
  const K = numberOption(args, 'domains', 22);
  const steps = numberOption(args, 'steps', 20000);
  const stepMs = numberOption(args, 'step-ms', 1);
  const lag = numberOption(args, 'lag', 500);
  // How the training step passes: `sleep` (the thread waits, as on a GPU) or `busy` (it spins, as in CPU training).
  const train = args.options.train ?? 'sleep';
  if (train !== 'sleep' && train !== 'busy') throw new Error(`--train must be sleep or busy, got ${train}`);
  const refitInterval = 1000;
  const batch = 256;
  const rng = new Rng(1);
  const domains = Array.from({ length: K }, (_, k) => `d${k}`);
  const prior = Array.from({ length: K }, () => 0.5 + rng.next());
  const eps = Array.from({ length: K }, () => 0.8 + rng.next());
  const beta = Array.from({ length: K }, () => 5 + 30 * rng.next());
  const alpha = Array.from({ length: K }, () => 0.15 + 0.3 * rng.next());

  const runner = new WorkerRefitRunner();
  const policy = new AdoPolicy({ domains, prior, refitInterval, startStep: refitInterval, ignoreSteps: 500, lag, refitRunner: runner });
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const loss = new Float64Array(K);
  const count = new Float64Array(K);
  const cdf = new Float64Array(K);
  // Preallocated so the measuring itself does not feed the garbage collector.
  const perStepUs = new Float64Array(steps);
  let measured = 0;
  const obs = { step: 0, loss, count };
  let maxStallNs = 0n;
  const stalls: { step: number; ms: number }[] = [];
  let n = 0;
  const log = (s: string) => {
    if (!args.json) process.stdout.write(s);
    else process.stderr.write(s);
  };
  log(`overhead: K=${K}, ${steps} steps, refit every ${refitInterval} in a worker, lag ${lag}, ${stepMs} ms per training step\n`);

  const t0 = process.hrtime.bigint();
  let w = policy.weights();
  for (let t = 0; t < steps; t++) {
    // Draw the batch from the current mixture (not timed: that is the training loop's work).
    let c = 0;
    for (let k = 0; k < K; k++) cdf[k] = c += w[k];
    count.fill(0);
    for (let i = 0; i < batch; i++) {
      const u = rng.next() * c;
      let k = 0;
      while (k < K - 1 && u >= cdf[k]) k++;
      count[k]++;
    }
    n += batch;
    for (let k = 0; k < K; k++) loss[k] = count[k] > 0 ? eps[k] + beta[k] * Math.pow(n, -alpha[k]) * (1 + 0.02 * rng.normal()) : NaN;
    if (stepMs > 0) {
      // the training step itself
      if (train === 'sleep') Atomics.wait(sleeper, 0, 0, stepMs);
      else for (const end = performance.now() + stepMs; performance.now() < end; );
    }

    const a = process.hrtime.bigint();
    obs.step = t;
    policy.observe(obs);
    w = policy.weights();
    const dt = process.hrtime.bigint() - a;

    if (dt > maxStallNs) maxStallNs = dt;
    if (dt > 1_000_000n) stalls.push({ step: t, ms: Number(dt) / 1e6 });
    const refitStep = (t >= refitInterval && t % refitInterval === 0) || (t >= refitInterval + lag && (t - lag) % refitInterval === 0);
    if (!refitStep) perStepUs[measured++] = Number(dt) / 1000;
    if (!args.json && t % 5000 === 4999) log(`  step ${t + 1}: median ${median(Array.from(perStepUs.subarray(0, measured))).toFixed(2)} µs/step so far\n`);
  }
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  await policy.close();
  await runner.close();

  const times = perStepUs.subarray(0, measured).sort();
  const result = {
    bench: 'overhead',
    domains: K,
    steps,
    usPerStepMedian: Number(median(Array.from(times)).toFixed(3)),
    usPerStepP99: Number(times[Math.floor(times.length * 0.99)].toFixed(3)),
    maxStallMs: Number((Number(maxStallNs) / 1e6).toFixed(3)),
    refitMsMedian: Number(median(runner.stats.computeMs).toFixed(1)),
    refits: runner.stats.refits,
    refitWaits: runner.stats.waits,
    lag,
    stepMs,
    train,
    stallsOver1ms: stalls.length,
    worstStalls: stalls.sort((x, y) => y.ms - x.ms).slice(0, 5).map((x) => ({ step: x.step, ms: Number(x.ms.toFixed(2)) })),
    wallS: Number(wallS.toFixed(1)),
  };
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    log(
      `usPerStep median ${result.usPerStepMedian} µs (p99 ${result.usPerStepP99}), max stall ${result.maxStallMs} ms, ` +
        `refit median ${result.refitMsMedian} ms (${result.refits} refits, ${result.refitWaits} waited), ${result.wallS} s\n`,
    );
  }
}
