/**
 * `npm run bench -- scale [--json] [--domains 22,1000,10000] [--steps 100000] [--long 1000000] [--max-points 2000] [--workers N]`
 *
 * ADO at the scale of real pretraining: K domains (22, 1,000, 10,000) over 100,000 steps of
 * synthetic history each, and K = 22 over 1,000,000 steps (`--long`; 0 skips it), that one
 * also with thinning (`fit.maxPoints` = --max-points; 0 skips it). Every step
 * is observed (the history grows as in a run); to keep the benchmark's own time bounded
 * the policy refits only over the last steps of a case (at T − 3·I, T − 2·I, T − I with
 * I = 1,000 and lag I/2: one cold refit, then warm ones), except for K = 22, which refits
 * every I steps from the start as the defaults do. Before a refit is applied the loop waits
 * (untimed) until the workers are done: in a real run the lag's steps of training cover the
 * refit, which this loop does not spend time on.
 *
 * Per case (last line with --json, `cases`):
 *   historyBytesPerDomainStep  policy.historyBytes / (K · T) at the end;
 *   refitMs                    worker wall time of each refit (the slowest worker), in order;
 *   refitMsWarm                the last refit's (a warm one);
 *   usPerStepMedian            median µs of observe() + weights() on steps that neither start
 *                              nor apply a refit;
 *   maxRefitStallMs            the longest observe() + weights() at a step that starts or
 *                              applies a refit (the main thread's cost of a refit);
 *   maxStallMs / worstStalls   the longest at any step, and where they were.
 * `machineGaps`: the same timing around an empty loop for 3 s (the longest gap and how many
 * exceed 1 ms): on a shared virtual machine the thread itself is descheduled for a few ms at
 * a time (steal time), which shows up in any stall figure above.
 * And `coldFit`: a cold single-domain fit of 1,900 points (bench/_coldFit.ts); `thinning`:
 * what keeping at most --max-points points per domain does to the fits of the long case's
 * 22 curves (the same rows into an exact and a thinned FitPointHistory; the laws fitted to
 * each, their largest relative differences in α, ε and β, and the fit time of each).
 */
import { AdoPolicy, Rng, WorkerRefitRunner, fitPowerLaw } from '../src/index.js';
import { FitPointHistory, fitPointOptions } from '../src/mixing/fitPoints.js';
import { gatherPoints } from '../src/mixing/pointArena.js';
import { refitFitOptions, resolveSettings } from '../src/mixing/adoSettings.js';
import type { BenchArgs } from './run.js';
import { coldFitTiming } from './_coldFit.js';
import { intOption, median } from './_util.js';

const INTERVAL = 1000;
const LAG = 500;
/** Tokens per step: counts are shares of it (a real batch of 256 × 4096 tokens). */
const TOKENS = 1_048_576;

interface CaseResult {
  domains: number;
  steps: number;
  maxPoints: number;
  historyBytesPerDomainStep: number;
  refitMs: number[];
  refitMsWarm: number;
  usPerStepMedian: number;
  maxRefitStallMs: number;
  maxStallMs: number;
  worstStalls: { step: number; ms: number }[];
  wallS: number;
}

/** K synthetic curves L_k(n) = ε_k + β_k·n^−α_k with 2 % noise; `step(w)` fills loss and count for a batch drawn as w. */
class Curves {
  readonly prior: number[];
  readonly loss: Float64Array;
  readonly count: Float64Array;
  private readonly eps: Float64Array;
  private readonly beta: Float64Array;
  private readonly alpha: Float64Array;
  private readonly own: Float64Array;
  // Noise from a table: drawing 10⁹ normals would cost the benchmark more than the policy.
  private readonly noise: Float64Array;
  private at = 0;

  constructor(readonly K: number, seed: number) {
    const rng = new Rng(seed);
    this.prior = Array.from({ length: K }, () => 0.5 + rng.next());
    this.eps = Float64Array.from({ length: K }, () => 0.8 + rng.next());
    this.beta = Float64Array.from({ length: K }, () => 5 + 30 * rng.next());
    this.alpha = Float64Array.from({ length: K }, () => 0.15 + 0.3 * rng.next());
    this.noise = Float64Array.from({ length: 65521 }, () => 0.02 * rng.normal());
    this.loss = new Float64Array(K);
    this.count = new Float64Array(K);
    this.own = new Float64Array(K);
  }

  step(w: ArrayLike<number>): void {
    const { K, loss, count, own, noise } = this;
    for (let k = 0; k < K; k++) {
      const c = Math.round(w[k] * TOKENS);
      count[k] = c;
      own[k] += c;
      loss[k] = this.eps[k] + this.beta[k] * Math.pow(own[k], -this.alpha[k]) * (1 + noise[this.at]);
      this.at = this.at + 1 === noise.length ? 0 : this.at + 1;
    }
  }
}

/** One case: K domains observed for T steps, refitting from step `firstRefit` on. */
async function runCase(K: number, T: number, maxPoints: number, firstRefit: number, workers: number | undefined, say: (s: string) => void): Promise<CaseResult> {
  const curves = new Curves(K, K + T);
  const domains = Array.from({ length: K }, (_, k) => `d${k}`);
  const runner = new WorkerRefitRunner(workers === undefined ? {} : { workers });
  const fit = maxPoints > 0 ? { maxPoints } : {};
  const policy = new AdoPolicy({ domains, prior: curves.prior, startStep: firstRefit, lag: LAG, refitRunner: runner, fit });
  const obs = { step: 0, loss: curves.loss, count: curves.count };
  const perStepUs = new Float64Array(T);
  let measured = 0;
  let maxRefitStall = 0;
  let maxStall = 0;
  const stalls: { step: number; ms: number }[] = [];
  const t0 = performance.now();
  let w = policy.weights();
  for (let t = 0; t < T; t++) {
    curves.step(w);
    // The lag's steps of training cover the refit: wait (untimed) for the workers first.
    const due = policy.pendingRefits.find((j) => j.applyAt === t);
    if (due !== undefined) while (!runner.done(due.id)) await new Promise((r) => setTimeout(r, 1));

    const a = performance.now();
    obs.step = t;
    policy.observe(obs);
    w = policy.weights();
    const ms = performance.now() - a;

    const refitStep = due !== undefined || (t >= firstRefit && t % INTERVAL === 0);
    if (refitStep) maxRefitStall = Math.max(maxRefitStall, ms);
    else perStepUs[measured++] = ms * 1000;
    if (ms > maxStall) maxStall = ms;
    if (ms > 1) stalls.push({ step: t, ms });
    if (t % 20000 === 19999) say(`  K=${K}: step ${t + 1}/${T}, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const wallS = (performance.now() - t0) / 1000;
  const bytes = policy.historyBytes;
  await policy.close();
  await runner.close();
  const refitMs = runner.stats.computeMs.map((x) => Number(x.toFixed(1)));
  return {
    domains: K,
    steps: T,
    maxPoints,
    historyBytesPerDomainStep: Number((bytes / (K * T)).toFixed(3)),
    refitMs,
    refitMsWarm: refitMs[refitMs.length - 1] ?? NaN,
    usPerStepMedian: Number(median(Array.from(perStepUs.subarray(0, measured))).toFixed(2)),
    maxRefitStallMs: Number(maxRefitStall.toFixed(3)),
    maxStallMs: Number(maxStall.toFixed(3)),
    worstStalls: stalls.sort((x, y) => y.ms - x.ms).slice(0, 5).map((x) => ({ step: x.step, ms: Number(x.ms.toFixed(2)) })),
    wallS: Number(wallS.toFixed(1)),
  };
}

export async function run(args: BenchArgs): Promise<void> {
  const Ks = (args.options.domains ?? '22,1000,10000').split(',').map(Number);
  if (Ks.some((k) => !Number.isInteger(k) || k < 1)) throw new Error(`--domains must be a comma-separated list of positive integers, got ${args.options.domains}`);
  const T = intOption(args, 'steps', 100_000);
  const long = args.options.long === '0' ? 0 : intOption(args, 'long', 1_000_000);
  const workers = args.options.workers === undefined ? undefined : intOption(args, 'workers', 1);
  const say = (s: string) => (args.json ? process.stderr : process.stdout).write(`${s}\n`);

  const maxPoints = args.options['max-points'] === '0' ? 0 : intOption(args, 'max-points', 2000);
  const cases: CaseResult[] = [];
  const plan: [number, number, number][] = Ks.map((K) => [K, T, 0]);
  if (long > 0) plan.push([22, long, 0]);
  if (long > 0 && maxPoints > 0) plan.push([22, long, maxPoints]);
  for (const [K, steps, thin] of plan) {
    const firstRefit = K <= 22 && steps <= 100_000 ? INTERVAL : steps - 3 * INTERVAL;
    const r = await runCase(K, steps, thin, firstRefit, workers, say);
    say(
      `K=${K} × ${steps} steps${thin > 0 ? `, maxPoints ${thin}` : ''}: ${r.historyBytesPerDomainStep} B/domain/step, refit ${r.refitMsWarm} ms (warm; first ${r.refitMs[0]} ms), ` +
        `observe+weights ${r.usPerStepMedian} µs median, refit stall ${r.maxRefitStallMs} ms, max stall ${r.maxStallMs} ms, ${r.wallS} s`,
    );
    cases.push(r);
  }
  const gaps = machineGaps(3000);
  say(`machine gaps (an empty loop, 3 s): ${JSON.stringify(gaps)}`);
  const cold = coldFitTiming(1900, 200);
  say(`cold fit, 1,900 points: ${JSON.stringify(cold)}`);
  const thinning = long > 0 && maxPoints > 0 ? thinningEffect(22, long, maxPoints) : null;
  if (thinning !== null) say(`thinning to ${maxPoints} points over ${long} steps: ${JSON.stringify(thinning)}`);
  if (args.json) process.stdout.write(`${JSON.stringify({ bench: 'scale', workers: workers ?? 'default', cases, machineGaps: gaps, coldFit: cold, thinning })}\n`);
}

/** Longest gap between two clock reads of a loop that does nothing else, over `ms`, and how many exceed 1 ms. */
function machineGaps(ms: number): { maxMs: number; over1ms: number } {
  let last = performance.now();
  const end = last + ms;
  let max = 0;
  let over = 0;
  for (let now = last; now < end; last = now) {
    now = performance.now();
    const gap = now - last;
    if (gap > max) max = gap;
    if (gap > 1) over++;
  }
  return { maxMs: Number(max.toFixed(2)), over1ms: over };
}

/**
 * The same T rows of K curves (a fixed mixture, the prior) into an exact FitPointHistory and
 * one thinned to `maxPoints`; each domain's law fitted to both (cold), compared.
 */
function thinningEffect(K: number, T: number, maxPoints: number) {
  const curves = new Curves(K, 7);
  const total = curves.prior.reduce((a, b) => a + b, 0);
  const w = curves.prior.map((p) => p / total);
  const fit = refitFitOptions(resolveSettings({}, K));
  const exact = new FitPointHistory(K, fitPointOptions(fit));
  const thinned = new FitPointHistory(K, fitPointOptions({ ...fit, maxPoints }));
  for (let t = 0; t < T; t++) {
    curves.step(w);
    exact.append(t, curves.loss, curves.count);
    thinned.append(t, curves.loss, curves.count);
  }
  const all = Array.from({ length: K }, (_, k) => k);
  const fits = (h: FitPointHistory) => {
    const t0 = performance.now();
    const laws = h.prepare(all).map((job) => {
      const { n, loss } = gatherPoints(h.arena.views, job.chunks, job.frozen, job.tailN, job.tailLoss);
      return { points: n.length, fit: fitPowerLaw(n, loss, { preset: fit.preset, delta: fit.delta }) };
    });
    return { laws, ms: performance.now() - t0 };
  };
  const a = fits(exact);
  const b = fits(thinned);
  let dAlpha = 0;
  let dEps = 0;
  let dBeta = 0;
  const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(x);
  for (let k = 0; k < K; k++) {
    const [p, q] = [a.laws[k].fit, b.laws[k].fit];
    dAlpha = Math.max(dAlpha, rel(p.alpha, q.alpha));
    dEps = Math.max(dEps, rel(p.epsilon, q.epsilon));
    dBeta = Math.max(dBeta, rel(p.beta, q.beta));
  }
  const sig = (x: number) => Number(x.toPrecision(3));
  return {
    domains: K,
    steps: T,
    maxPoints,
    pointsExact: a.laws[0].points,
    pointsThinned: b.laws[0].points,
    maxRelDiff: { alpha: sig(dAlpha), epsilon: sig(dEps), beta: sig(dBeta) },
    fitMsExact: Math.round(a.ms),
    fitMsThinned: Math.round(b.ms),
    historyBytesPerDomainStep: { exact: sig(exact.bytes / (K * T)), thinned: sig(thinned.bytes / (K * T)) },
  };
}
