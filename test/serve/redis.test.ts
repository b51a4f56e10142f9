/**
 * `adomix serve --redis` against a real redis-server: three replicas (the built CLI), eight
 * ranks over HTTP, and everything that goes wrong in a cluster: leaders killed, Redis
 * restarted, a leader paused past its lease, retries, a rank that dies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdomixClient, AdomixHttpError } from '../../src/client/index.js';
import { Redis } from 'ioredis';
import { runKeys } from '../../src/client/redisProtocol.js';
import { parseStepLog } from '../../src/runlog/index.js';
import { Rng } from '../../src/random/index.js';
import { adomixServe } from '../helpers/cli.js';
import { REDIS_SERVER, RedisInstance } from '../helpers/redis.js';
import { QUICK_ADO, quickAdo, RankedRun, summed, type PlainReport } from './helpers.js';

const DOMAINS = ['code', 'prose', 'math', 'json', 'web'];
const PRIOR = [0.3, 0.3, 0.2, 0.1, 0.1];
const LEASE_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (REDIS_SERVER === undefined) console.warn('redis-server not installed: the Redis tests are skipped (.ci/run installs it)');

class Replica {
  paused = false;
  dead = false;
  private constructor(
    readonly id: string,
    readonly url: string,
    readonly child: Awaited<ReturnType<typeof adomixServe>>['child'],
    readonly client: AdomixClient,
  ) {}

  static async start(id: string, redisUrl: string, state: string, prefix: string): Promise<Replica> {
    const { url, child } = await adomixServe(['--state', state, '--redis', redisUrl, '--replica-id', id, '--lease-ms', String(LEASE_MS), '--redis-prefix', prefix]);
    return new Replica(id, url, child, new AdomixClient(url, { retries: 0 }));
  }

  async health(): Promise<{ leader: boolean; ready: boolean; deposed: number; published: number }> {
    return (await fetch(`${this.url}/healthz`)).json() as never;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    this.dead = true;
    this.child.child.kill(signal);
    await this.child.done;
    await this.client.close().catch(() => undefined);
  }
}

class Cluster {
  replicas: Replica[] = [];
  private n = 0;
  constructor(
    readonly redis: RedisInstance,
    readonly state: string,
    readonly prefix = 'adomix:',
  ) {}

  async add(): Promise<Replica> {
    const r = await Replica.start(`r${this.n++}`, this.redis.url, this.state, this.prefix);
    this.replicas.push(r);
    return r;
  }

  usable(): Replica[] {
    return this.replicas.filter((r) => !r.dead && !r.paused);
  }

  /** Runs `fn` on a usable replica (starting at `prefer`), moving on when one is unreachable. */
  async any<T>(prefer: number, fn: (c: AdomixClient) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const live = this.usable();
      const r = live[(prefer + attempt) % live.length];
      try {
        return await fn(r.client);
      } catch (err) {
        if (err instanceof AdomixHttpError || attempt > 200) throw err;
        await sleep(25);
      }
    }
  }

  /** The replica that leads with every run restored, and how long it took to appear. */
  async leader(): Promise<{ leader: Replica; ms: number }> {
    const started = performance.now();
    for (;;) {
      for (const r of this.usable()) {
        const h = await r.health().catch(() => undefined);
        if (h?.leader && h.ready) return { leader: r, ms: performance.now() - started };
      }
      await sleep(10);
    }
  }

  async close(): Promise<void> {
    for (const r of this.replicas) if (!r.dead) await r.kill('SIGTERM');
  }
}

/** One step of R ranks: each fetches its weights, draws its batch and reports, through any replica. */
async function step(cluster: Cluster, run: string, data: RankedRun, t: number, between?: () => Promise<void>): Promise<{ reports: PlainReport[]; weights: number[] }> {
  const answers = await Promise.all(Array.from({ length: data.ranks }, (_, r) => cluster.any(r, (c) => c.weights(run, t, { wait: 20_000 }))));
  for (const a of answers) expect(a.weights).toEqual(answers[0].weights);
  const reports = data.reports(t, answers[0].weights);
  const half = Math.floor(reports.length / 2);
  await Promise.all(reports.slice(0, half).map((r) => cluster.any(r.rank, (c) => c.report(run, r))));
  if (between) await between();
  await Promise.all(reports.slice(half).map((r) => cluster.any(r.rank, (c) => c.report(run, r))));
  return { reports, weights: answers[0].weights };
}

/** The step log the cluster keeps, checked against what the ranks sent: every step once, nothing lost, nothing twice. */
async function checkLog(cluster: Cluster, run: string, sent: PlainReport[], served: number[][], steps: number): Promise<number[]> {
  const text = await cluster.any(0, async (c) => (await fetch(`${c.url}/v1/runs/${run}/steplog`)).text());
  const log = parseStepLog(text);
  expect(log.records.map((r) => r.step)).toEqual(Array.from({ length: steps }, (_, t) => t));
  const ref = quickAdo(DOMAINS, PRIOR);
  const outs = [Array.from(ref.weights())];
  for (let t = 0; t < steps; t++) {
    const { loss, count } = summed(sent.filter((r) => r.step === t), DOMAINS.length);
    expect(log.records[t].count).toEqual(Array.from(count)); // each example counted once: none lost, none twice
    expect(log.records[t].weights).toEqual(served[t]);
    expect(served[t]).toEqual(outs[Math.max(t - 1, 0)]); // lag 1: the policy's output after step t − 2
    outs.push(Array.from(ref.observe({ step: t, loss, count })));
  }
  await ref.close();
  return outs[steps];
}

describe.skipIf(REDIS_SERVER === undefined)('adomix serve --redis: three replicas, one Redis', () => {
  let redis: RedisInstance;
  let state: string;
  beforeAll(async () => {
    redis = await RedisInstance.start();
    state = mkdtempSync(join(tmpdir(), 'adomix-redis-state-'));
  });
  afterAll(async () => {
    await redis?.destroy();
    rmSync(state, { recursive: true, force: true });
  });

  it('survives SIGKILL of the leader at 10 random steps: nothing lost, nothing counted twice, the same weights', async () => {
    const cluster = new Cluster(redis, state);
    try {
      for (let i = 0; i < 3; i++) await cluster.add();
      const run = 'kills';
      const spec = { id: run, domains: DOMAINS, prior: PRIOR, policy: QUICK_ADO, ranks: 8, lag: 1, checkpointEvery: 25 };
      expect((await cluster.any(0, (c) => c.createRun(spec))).created).toBe(true);
      expect((await cluster.any(1, (c) => c.createRun(spec))).created).toBe(false); // any replica: idempotent
      const rng = new Rng(5);
      const steps = 200;
      const kills = new Set<number>();
      while (kills.size < 10) kills.add(20 + rng.int(steps - 40));
      const data = new RankedRun(31, 8, 4);
      const sent: PlainReport[] = [];
      const served: number[][] = [];
      const takeovers: number[] = [];
      for (let t = 0; t < steps; t++) {
        const killLeader = async (): Promise<void> => {
          const { leader } = await cluster.leader();
          await leader.kill('SIGKILL');
          takeovers.push(Math.round((await cluster.leader()).ms));
          await cluster.add(); // back to three
        };
        const s = await step(cluster, run, data, t, kills.has(t) ? killLeader : undefined);
        sent.push(...s.reports);
        served.push(s.weights);
      }
      console.log(`takeover after SIGKILL of the leader, ms: ${takeovers.join(', ')}`);
      expect(takeovers).toHaveLength(10);
      const final = await cluster.any(0, (c) => c.weights(run, steps + 1, { wait: 20_000 }));
      expect(final.weights).toEqual(await checkLog(cluster, run, sent, served, steps));
      const status = await cluster.any(0, (c) => c.status(run));
      expect(status).toMatchObject({ applied: steps - 1, rejected: 0 });
    } finally {
      await cluster.close();
    }
  });

  it('goes on across a Redis restart, a leader paused past its lease (which publishes nothing after), retries and reordered reports', async () => {
    const cluster = new Cluster(redis, state);
    try {
      for (let i = 0; i < 3; i++) await cluster.add();
      const run = 'trouble';
      await cluster.any(0, (c) => c.createRun({ id: run, domains: DOMAINS, prior: PRIOR, policy: QUICK_ADO, ranks: 8, lag: 1, checkpointEvery: 25 }));
      const data = new RankedRun(41, 8, 4);
      const sent: PlainReport[] = [];
      const served: number[][] = [];
      const steps = 130;
      let paused: Replica | undefined;
      let publishedBeforePause = NaN;
      for (let t = 0; t < steps; t++) {
        let between: (() => Promise<void>) | undefined;
        if (t === 50)
          between = async () => {
            await redis.stop();
            await sleep(300);
            await redis.start();
          };
        if (t === 90)
          between = async () => {
            paused = (await cluster.leader()).leader;
            await sleep(100); // let step 89's publish land
            publishedBeforePause = (await paused.health()).published;
            paused.child.child.kill('SIGSTOP');
            paused.paused = true;
            await cluster.leader(); // another replica took over
          };
        if (t === 110)
          between = async () => {
            paused!.child.child.kill('SIGCONT');
            paused!.paused = false;
            await sleep(3 * LEASE_MS);
          };
        const s = await step(cluster, run, data, t, between);
        // Every report again, in another order: duplicates, never counted twice.
        const again = await Promise.all([...s.reports].reverse().map((r) => cluster.any(r.rank + 1, (c) => c.report(run, r))));
        expect(again.every((a) => a.status === 'duplicate')).toBe(true);
        sent.push(...s.reports);
        served.push(s.weights);
      }
      const h = await paused!.health();
      expect(h.leader).toBe(false);
      expect(h.deposed).toBeGreaterThanOrEqual(1); // it woke up, found the lease gone, and stepped down
      expect(publishedBeforePause).toBeGreaterThan(0);
      expect(h.published).toBe(publishedBeforePause); // and published nothing after
      const final = await cluster.any(0, (c) => c.weights(run, steps + 1, { wait: 20_000 }));
      expect(final.weights).toEqual(await checkLog(cluster, run, sent, served, steps));
      // A different report under an applied (step, rank) is refused.
      const r0 = sent[8 * 10];
      await expect(cluster.any(0, (c) => c.report(run, { ...r0, count: r0.count.map((x) => x + 1) }))).rejects.toThrow(/HTTP 409: rank 0 already reported step 10 with different values/);
    } finally {
      await cluster.close();
    }
  });

  it('a new leader applies what the last snapshot held complete but not applied yet', async () => {
    const cluster = new Cluster(redis, state, 'snap:');
    try {
      for (let i = 0; i < 2; i++) await cluster.add();
      const run = 'ahead';
      await cluster.any(0, (c) => c.createRun({ id: run, domains: DOMAINS, ranks: 2, lag: 0, checkpointEvery: 5 }));
      const data = new RankedRun(61, 2, 4);
      for (let t = 0; t < 4; t++) await step(cluster, run, data, t);
      // Step 5 arrives whole before step 4: applying step 4 snapshots (5 % 5 = 0) with step 5 complete in it, then applies 5.
      const w = (await cluster.any(0, (c) => c.weights(run, 4, { wait: 20_000 }))).weights;
      const [a4, b4] = data.reports(4, w);
      const [a5, b5] = data.reports(5, w);
      for (const r of [a5, b5, a4, b4]) await cluster.any(0, (c) => c.report(run, r));
      const before = await cluster.any(0, (c) => c.weights(run, 6, { wait: 20_000 }));
      const { leader } = await cluster.leader();
      await leader.kill('SIGKILL');
      // As if it had died between the snapshot and publishing step 5: its weights are gone.
      const direct = new Redis(redis.url);
      expect(await direct.del(runKeys('snap:', run).weights(5))).toBe(1);
      await direct.quit();
      await cluster.leader();
      // The new leader restored the snapshot (after step 4) and applied step 5 from it at once: no report needed.
      expect(await cluster.any(0, (c) => c.weights(run, 6, { wait: 3_000 }))).toEqual(before);
      expect(await cluster.any(0, (c) => c.status(run))).toMatchObject({ applied: 5 });
    } finally {
      await cluster.close();
    }
  });

  it('names a rank that stops reporting, from any replica (a deployment of its own under another key prefix)', async () => {
    const cluster = new Cluster(redis, state, 'team-b:');
    try {
      for (let i = 0; i < 2; i++) await cluster.add();
      const run = 'dead-rank';
      await cluster.any(0, (c) => c.createRun({ id: run, domains: DOMAINS, ranks: 3, rankTimeoutMs: 300 }));
      const data = new RankedRun(51, 3, 4);
      await step(cluster, run, data, 0);
      const w = await cluster.any(0, (c) => c.weights(run, 1, { wait: 20_000 }));
      const [a, b] = data.reports(1, w.weights);
      await cluster.any(0, (c) => c.report(run, a));
      await cluster.any(1, (c) => c.report(run, b));
      let stalled: unknown[] = [];
      for (let i = 0; i < 100 && stalled.length === 0; i++) {
        await sleep(100);
        stalled = (await cluster.any(i, (c) => c.status(run))).stalled as unknown[];
      }
      expect(stalled).toMatchObject([{ rank: 2, lastReported: 0, missingSinceStep: 1 }]);
      // The runs under the default prefix (the tests above) are another deployment's: not listed here.
      const listed = (await (await fetch(`${cluster.usable()[0].url}/v1/runs`)).json()) as { runs: { id: string }[] };
      expect(listed.runs.map((r) => r.id)).toEqual([run]);
    } finally {
      await cluster.close();
    }
  });
});
