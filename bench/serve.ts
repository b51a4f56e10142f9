/**
 * `npm run bench -- serve [--json] [--ranks 64] [--domains 22] [--steps 5000] [--lags 0,1] [--batch 8] [--warmup 300] [--step-ms 0]
 *   [--connections R] [--pipelining 1] [--url URL]`
 *
 * `adomix serve` under a data-parallel job: the server runs as its own process (the CLI,
 * `--state` in a temporary folder), and this process plays R ranks over loopback HTTP with
 * keep-alive (adomix/client, one undici pool). Each step, as a DP job does it, every rank
 * fetches its weights for the step, draws its batch (synthetic power-law curves), and sends
 * its report without waiting for the answer (it goes on training); the step ends when all
 * ranks have their weights (the gradient all-reduce). With the default --step-ms 0 the
 * ranks do nothing else, so this is the server at saturation, and the client-side latencies
 * are mostly queueing (128 requests in flight from one process on the same two cores);
 * `--step-ms 10` gives each step 10 ms of "training" and reads latency below saturation. An ADO policy (default preset) over K
 * domains refits every 1,000 steps in the server's worker thread.
 *
 * Figures per lag (last line with --json): rank-reports per second over the run;
 * p50/p99 of report and of fetch-weights latency (ms, client side); fetches that had to
 * wait for their step and the time they waited (server side, from /metrics); and whether
 * every weight served equals, bit for bit, one in-process AdoPolicy fed the summed steps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdoPolicy, Rng } from '../src/index.js';
import { AdomixClient } from '../src/client/index.js';
import { AdomixRedisClient } from '../src/client/redis.js';
import { RedisInstance } from './_redis.js';
import type { BenchArgs } from './run.js';
import { intOption } from './_util.js';

function percentile(xs: Float64Array, q: number): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** Synthetic ranks: losses follow L_k(n) = ε_k + β_k·n^(−α_k) with 5 % noise; batches follow the weights. */
class Ranks {
  private readonly rng = new Rng(7);
  private n = 0;
  private readonly eps: number[];
  private readonly beta: number[];
  private readonly alpha: number[];
  constructor(readonly K: number, readonly R: number, readonly batch: number) {
    const r = new Rng(3);
    this.eps = Array.from({ length: K }, () => 0.8 + r.next());
    this.beta = Array.from({ length: K }, () => 5 + 30 * r.next());
    this.alpha = Array.from({ length: K }, () => 0.15 + 0.3 * r.next());
  }
  reports(step: number, w: readonly number[]): { step: number; rank: number; count: number[]; lossSum: number[] }[] {
    this.n += this.R * this.batch;
    return Array.from({ length: this.R }, (_, rank) => {
      const count = new Array<number>(this.K).fill(0);
      const lossSum = new Array<number>(this.K).fill(0);
      for (let i = 0; i < this.batch; i++) {
        let u = this.rng.next();
        let k = 0;
        while (k < this.K - 1 && u >= w[k]) u -= w[k++];
        count[k]++;
        lossSum[k] += (this.eps[k] + this.beta[k] * Math.pow(this.n, -this.alpha[k])) * (1 + 0.05 * this.rng.normal());
      }
      return { step, rank, count, lossSum };
    });
  }
}

interface Server {
  url: string;
  stop: () => Promise<void>;
  kill: () => Promise<void>;
}

async function startServer(state: string, extra: string[] = []): Promise<Server> {
  const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  // ADOMIX_BENCH_NODE_ARGS: node flags for the servers (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const nodeArgs = (process.env.ADOMIX_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, cli, 'serve', '--port', '0', '--state', state, ...extra], { env: { ...process.env, ADOMIX_LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`adomix serve exited with ${code}`)));
  });
  const end = (signal: NodeJS.Signals) => () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.on('close', () => resolve());
      child.kill(signal);
    });
  return { url, stop: end('SIGTERM'), kill: end('SIGKILL') };
}

/** What a rank calls: the HTTP client, or the direct-Redis one. */
interface Transport {
  weights(run: string, step: number, o: { wait: number }): Promise<{ weights: number[] }>;
  report(run: string, body: { step: number; rank: number; count: number[]; lossSum: number[] }): Promise<unknown>;
}

/** A histogram of the server's /metrics (seconds): its sum, count, and the bucket bound at quantile q, in ms. */
function histogram(text: string, name: string, run: string): { sum: number; count: number; quantileMs: (q: number) => number } {
  const num = (suffix: string): number => Number(new RegExp(`^${name}_${suffix}\\{run="${run}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  const buckets = [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)",run="${run}"\\} (\\S+)$`, 'gm'))].map((m) => [Number(m[1]), Number(m[2])]);
  const count = num('count');
  return {
    sum: num('sum'),
    count,
    quantileMs: (q) => 1000 * (buckets.find(([, c]) => c >= q * count)?.[0] ?? NaN),
  };
}

async function oneRun(client: AdomixClient, ranks: (r: number) => Transport, url: string, name: string, lag: number, K: number, R: number, steps: number, batch: number, stepMs: number) {
  const id = lag < 0 ? `warmup-${name}` : `bench-${name}-lag${lag}`;
  lag = Math.max(lag, 0);
  const domains = Array.from({ length: K }, (_, k) => `d${k}`);
  const prior = Array.from({ length: K }, (_, k) => 1 + (k % 5));
  await client.createRun({ id, domains, prior, ranks: R, lag, checkpointEvery: 1000 });
  const data = new Ranks(K, R, batch);
  const reportMs = new Float64Array(steps * R);
  const fetchMs = new Float64Array(steps * R);
  const served: number[][] = [];
  const sent: ReturnType<Ranks['reports']>[] = [];
  const inFlight: Promise<unknown>[] = [];
  let identicalAcrossRanks = true;
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    const answers = await Promise.all(
      Array.from({ length: R }, async (_, r) => {
        const s = performance.now();
        const w = await ranks(r).weights(id, t, { wait: 60_000 });
        fetchMs[t * R + r] = performance.now() - s;
        return w.weights;
      }),
    );
    for (const w of answers) if (w.some((x, k) => x !== answers[0][k])) identicalAcrossRanks = false;
    served.push(answers[0]);
    if (stepMs > 0) await new Promise((r) => setTimeout(r, stepMs)); // the training step
    const reports = data.reports(t, answers[0]);
    sent.push(reports);
    // Reports go out in the background; the next step does not wait for their answers.
    for (const rep of reports) {
      const s = performance.now();
      inFlight.push(ranks(rep.rank).report(id, rep).then(() => (reportMs[t * R + rep.rank] = performance.now() - s)));
    }
    if (inFlight.length > 4 * R) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight.splice(0));
  const seconds = (performance.now() - t0) / 1000;
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const wait = histogram(metrics, 'adomix_weight_wait_seconds', id);
  const serverReport = histogram(metrics, 'adomix_report_seconds', id);
  const serverWeights = histogram(metrics, 'adomix_weights_seconds', id);

  // The same steps through one in-process policy: the weights of step t are its output after t − 1 − lag.
  const policy = new AdoPolicy({ domains, prior });
  const outs: number[][] = [Array.from(policy.weights())];
  let identicalToPolicy = true;
  for (let t = 0; t < steps; t++) {
    const lossSum = new Float64Array(K);
    const count = new Float64Array(K);
    for (const rep of sent[t]) for (let k = 0; k < K; k++) {
      lossSum[k] += rep.lossSum[k];
      count[k] += rep.count[k];
    }
    const expected = outs[Math.max(t - lag, 0)];
    if (served[t].some((x, k) => x !== expected[k])) identicalToPolicy = false;
    outs.push(Array.from(policy.observe({ step: t, loss: lossSum.map((s, k) => (count[k] > 0 ? s / count[k] : NaN)), count })));
  }
  await policy.close();
  return {
    transport: name,
    lag,
    rankReportsPerSecond: Math.round((steps * R) / seconds),
    seconds: Number(seconds.toFixed(2)),
    reportMsP50: Number(percentile(reportMs, 0.5).toFixed(3)),
    reportMsP99: Number(percentile(reportMs, 0.99).toFixed(3)),
    fetchMsP50: Number(percentile(fetchMs, 0.5).toFixed(3)),
    fetchMsP99: Number(percentile(fetchMs, 0.99).toFixed(3)),
    // Server-side handling time (upper bound of the histogram bucket holding the quantile).
    serverReportMsP99: serverReport.quantileMs(0.99),
    serverWeightsMsP50: serverWeights.quantileMs(0.5),
    waits: wait.count,
    waitMsTotal: Number((wait.sum * 1000).toFixed(1)),
    waitMsPerStep: Number(((wait.sum * 1000) / steps).toFixed(3)),
    identicalAcrossRanks,
    identicalToPolicy,
  };
}

/** SIGKILL the leader `times` times; each time, how long until another replica leads with every run restored (ms). */
async function takeovers(replicas: Server[], restart: () => Promise<Server>, times: number): Promise<number[]> {
  const health = async (r: Server) => (await fetch(`${r.url}/healthz`).then((x) => x.json()).catch(() => ({}))) as { leader?: boolean; ready?: boolean };
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    let leader: Server | undefined;
    while (leader === undefined) {
      for (const r of replicas) if ((await health(r)).leader) leader = r;
      if (leader === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = performance.now();
    await leader.kill();
    replicas.splice(replicas.indexOf(leader), 1);
    for (let done = false; !done; ) {
      for (const r of replicas) {
        const h = await health(r);
        if (h.leader && h.ready) done = true;
      }
      if (!done) await new Promise((r) => setTimeout(r, 5));
    }
    out.push(Math.round(performance.now() - t0));
    replicas.push(await restart());
  }
  return out;
}

export async function run(args: BenchArgs): Promise<void> {
  const R = intOption(args, 'ranks', 64);
  const K = intOption(args, 'domains', 22);
  const steps = intOption(args, 'steps', 5000);
  const batch = intOption(args, 'batch', 8);
  const redisMode = args.options.redis !== undefined;
  const lags = (args.options.lags ?? (redisMode ? '1' : '0,1')).split(',').map(Number);
  // --step-ms: each step's training time (a timer), so latency can be read below saturation.
  const stepMs = Number(args.options['step-ms'] ?? 0);
  const state = mkdtempSync(join(tmpdir(), 'adomix-bench-serve-'));
  const connections = intOption(args, 'connections', R);
  const pipelining = intOption(args, 'pipelining', 1);
  const results = [];
  let redis: RedisInstance | undefined;
  const servers: Server[] = [];
  const closers: (() => Promise<void>)[] = [];
  let takeoverMs: number[] = [];
  try {
    if (redisMode) {
      // --redis: a redis-server of its own (appendonly), two replicas on it; ranks through HTTP, then straight to Redis.
      redis = await RedisInstance.start();
      let n = 0;
      const replica = () => startServer(state, ['--redis', redis!.url, '--replica-id', `bench-${n++}`]);
      servers.push(await replica(), await replica());
      const clients = servers.map((s) => new AdomixClient(s.url, { connections: Math.ceil(connections / servers.length), pipelining }));
      const direct = await AdomixRedisClient.connect(redis.url);
      closers.push(...clients.map((c) => () => c.close()), () => direct.close());
      const transports: Record<string, (r: number) => Transport> = { http: (r) => clients[r % clients.length], redis: () => direct };
      for (const name of (args.options.transports ?? 'http,redis').split(',')) {
        await oneRun(clients[0], transports[name], servers[0].url, name, -1, K, R, intOption(args, 'warmup', 300), batch, 0);
        for (const lag of lags) results.push(await oneRun(clients[0], transports[name], servers[0].url, name, lag, K, R, steps, batch, stepMs));
      }
      takeoverMs = await takeovers(servers, replica, intOption(args, 'kills', 10));
      console.log(`takeover after SIGKILL of the leader, ms: ${takeoverMs.join(', ')}`);
    } else {
      // --url: a server already running (e.g. under a profiler), else one started here.
      const server = args.options.url !== undefined ? { url: args.options.url, stop: async () => {}, kill: async () => {} } : await startServer(state);
      servers.push(server);
      const client = new AdomixClient(server.url, { connections, pipelining });
      closers.push(() => client.close());
      // Warm-up (JIT, connections), not reported.
      await oneRun(client, () => client, server.url, 'http', -1, K, R, intOption(args, 'warmup', 300), batch, 0);
      for (const lag of lags) results.push(await oneRun(client, () => client, server.url, 'http', lag, K, R, steps, batch, stepMs));
    }
    for (const r of results) {
      console.log(
        `${r.transport}, lag ${r.lag}: ${r.rankReportsPerSecond} rank-reports/s over ${r.seconds} s; report p50 ${r.reportMsP50} ms p99 ${r.reportMsP99} ms; ` +
          `fetch p50 ${r.fetchMsP50} ms p99 ${r.fetchMsP99} ms; ${r.waits} waits, ${r.waitMsTotal} ms in all; ` +
          `same weights on every rank: ${r.identicalAcrossRanks}; equal to one AdoPolicy: ${r.identicalToPolicy}`,
      );
    }
  } finally {
    for (const c of closers) await c();
    for (const s of servers) await s.stop();
    await redis?.destroy();
    rmSync(state, { recursive: true, force: true });
  }
  const sorted = [...takeoverMs].sort((a, b) => a - b);
  const takeover = redisMode ? { takeoverMsMedian: sorted[Math.floor((sorted.length - 1) / 2)], takeoverMsMax: sorted.at(-1), takeoverMs } : {};
  if (args.json) console.log(JSON.stringify({ bench: 'serve', redis: redisMode, ranks: R, domains: K, steps, batchPerRank: batch, stepMs, runs: results, ...takeover }));
}
