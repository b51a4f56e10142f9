/**
 * `adomix/client/redis`: a rank that talks to Redis directly instead of to an `adomix serve
 * --redis` replica over HTTP (one hop fewer; the replicas' leader still applies the steps).
 *
 *   const rank = await AdomixRedisClient.connect('redis://10.0.0.5:6379');
 *   const { weights } = await rank.weights('run-1', step, { wait: 50 });
 *   await rank.report('run-1', { step, rank: r, lossSum, count });
 *
 * Reports go through the same script as the replicas' (idempotent by (step, rank)); weights
 * are read from the key the leader published for their step, waiting on the run's channel.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { AdomixHttpError, WeightsNotReady, type RankReportBody, type StepWeights } from './index.js';
import { AppliedWaiters, DEFAULT_PREFIX, REPORT_SCRIPT, reportLine, runKeys, scriptCommand } from './redisProtocol.js';

interface RunInfo {
  lag: number;
  ranks: number;
  domains: string[];
}

export class AdomixRedisClient {
  private readonly runs = new Map<string, RunInfo>();
  private readonly waiters: AppliedWaiters;
  private subscribed = false;
  private readonly reportScript: (...a: (string | number)[]) => Promise<unknown>;

  private constructor(
    readonly redis: Redis,
    private readonly sub: Redis,
    readonly prefix: string,
  ) {
    this.reportScript = scriptCommand(redis, 'adomixReport', REPORT_SCRIPT, 2);
    this.waiters = new AppliedWaiters(prefix);
  }

  static async connect(url: string, options: { prefix?: string; password?: string } = {}): Promise<AdomixRedisClient> {
    const o: RedisOptions = { maxRetriesPerRequest: null, lazyConnect: true, enableAutoPipelining: true, ...(options.password !== undefined ? { password: options.password } : {}) };
    const redis = new Redis(url, o);
    redis.on('error', () => undefined); // reconnects on its own; commands wait meanwhile
    await redis.connect();
    const sub = redis.duplicate();
    sub.on('error', () => undefined);
    return new AdomixRedisClient(redis, sub, options.prefix ?? DEFAULT_PREFIX);
  }

  /** Reports one rank's part of a step: `accepted`, or `duplicate` for the same report again (a different one throws). */
  async report(run: string, body: RankReportBody): Promise<'accepted' | 'duplicate'> {
    const info = await this.info(run);
    const { lossSum, count } = sums(body, info);
    const keys = runKeys(this.prefix, run);
    const line = reportLine({ step: body.step, rank: body.rank, lossSum, count, ...(body.basedOn !== undefined ? { basedOn: body.basedOn } : {}) });
    const res = await this.reportScript(keys.seen, keys.input, `${body.step}:${body.rank}`, line);
    if (res === -1) throw new AdomixHttpError(409, { error: `rank ${body.rank} already reported step ${body.step} with different values` }, `report step ${body.step} rank ${body.rank}`);
    return res === 1 ? 'duplicate' : 'accepted';
  }

  /** The weights of `step`, waiting up to `wait` ms (default 10 s); WeightsNotReady (with `latest`) when they are not there in time. */
  async weights(run: string, step: number, options: { wait?: number } = {}): Promise<StepWeights> {
    const info = await this.info(run);
    const basedOn = Math.max(step - 1 - info.lag, -1);
    const keys = runKeys(this.prefix, run);
    const read = () => this.redis.get(keys.weights(basedOn));
    let value = await read();
    const wait = options.wait ?? 10_000;
    if (value === null && wait > 0) {
      await this.subscribe();
      value = await this.waiters.wait(run, basedOn, wait, read);
    }
    if (value !== null) {
      const w = JSON.parse(value) as { domains: string[]; weights: number[] };
      return { step, basedOn, domains: w.domains, weights: w.weights };
    }
    const latestText = await this.redis.get(keys.latest);
    const latest = latestText === null ? undefined : (JSON.parse(latestText) as { applied: number; domains: string[]; weights: number[] });
    throw new WeightsNotReady(
      503,
      {
        error: `the weights of step ${step} are not ready: step ${basedOn} is not applied yet (applied: ${latest?.applied ?? -1})`,
        code: 'not_ready',
        latest: latest && { step: latest.applied + 1 + info.lag, basedOn: latest.applied, domains: latest.domains, weights: latest.weights },
      },
      `weights of step ${step}`,
    );
  }

  async close(): Promise<void> {
    this.waiters.wakeAll();
    this.sub.disconnect();
    await this.redis.quit().catch(() => undefined);
  }

  private async info(run: string): Promise<RunInfo> {
    let info = this.runs.get(run);
    if (info === undefined) {
      const text = await this.redis.get(runKeys(this.prefix, run).spec);
      if (text === null) throw new AdomixHttpError(404, { error: `no run ${JSON.stringify(run)} in Redis (create it through a replica: POST /v1/runs)` }, 'run');
      const spec = JSON.parse(text) as { lag?: number; ranks?: number; domains: string[] };
      info = { lag: spec.lag ?? 0, ranks: spec.ranks ?? 1, domains: spec.domains };
      this.runs.set(run, info);
    }
    return info;
  }

  private async subscribe(): Promise<void> {
    if (this.subscribed) return;
    this.subscribed = true;
    await this.sub.psubscribe(this.waiters.pattern);
    this.sub.on('pmessage', (_p, channel, message) => this.waiters.applied(channel, message));
  }
}

/**
 * The report's per-domain sums and counts, checked as a replica checks them (the leader
 * refuses what slips through, but then only its log says so).
 */
function sums(body: RankReportBody, info: RunInfo): { lossSum: Float64Array; count: Float64Array } {
  const what = `report step ${body.step} rank ${body.rank}`;
  const fail = (error: string): never => {
    throw new AdomixHttpError(400, { error }, what);
  };
  if (!Number.isInteger(body.step) || body.step < 0) fail(`step must be an integer ≥ 0, got ${body.step}`);
  if (!Number.isInteger(body.rank) || body.rank < 0 || body.rank >= info.ranks) fail(`rank must be an integer in [0, ${info.ranks - 1}], got ${body.rank}`);
  const values = body.lossSum ?? body.loss;
  if (values === undefined || (body.lossSum !== undefined && body.loss !== undefined)) fail('give exactly one of lossSum and loss');
  const n = body.count.length;
  if (values!.length !== n || n < info.domains.length) fail(`count and ${body.lossSum ? 'lossSum' : 'loss'} must have one entry per domain (${info.domains.length})`);
  const lossSum = new Float64Array(n);
  const count = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    const c = body.count[k];
    const v = values![k];
    if (!Number.isInteger(c) || c < 0) fail(`count/${k} must be an integer ≥ 0, got ${c}`);
    if (c > 0 && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) fail(`loss of domain ${k} must be a finite number ≥ 0 where its count is ${c}, got ${v}`);
    count[k] = c;
    lossSum[k] = c > 0 ? (body.lossSum !== undefined ? (v as number) : (v as number) * c) : 0;
    total += c;
  }
  if (!(total > 0)) fail('the report has no examples at all');
  return { lossSum, count };
}
