/**
 * `adomix serve --redis`: the runs live in Redis and every replica answers every route.
 * A report goes into the run's stream once (the REPORT script, idempotent by (step, rank));
 * weights are read from the key the leader published for their step, waiting on the run's
 * channel when they are not there yet. One replica at a time, the leader (RedisLeader),
 * applies the steps. See client/redisProtocol.ts for the keys.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { parseStepLog } from '../../runlog/index.js';
import { AppliedWaiters, DEFAULT_PREFIX, REPORT_SCRIPT, reportLine, runKeys, scriptCommand } from '../../client/redisProtocol.js';
import { notReadyBody, runMetrics, type RunBackend, type RunMetrics, type WeightsResult } from '../backend.js';
import { checkReport } from '../checkReport.js';
import { ServeError } from '../errors.js';
import { livePage, reportHtml } from '../page.js';
import { createRunPolicy, resolveRunSpec, sameSpec, type RunSpec } from '../runSpec.js';
import type { ReportInput } from '../ServedRun.js';
import { RedisLeader } from './RedisLeader.js';

export interface RedisBackendOptions {
  /** redis://[user:password@]host:port[/db], or rediss:// for TLS. */
  url: string;
  /** Key prefix (default `adomix:`): several deployments can share one Redis. */
  prefix?: string;
  /** Overrides the URL's password (e.g. read from a file). */
  password?: string;
  replicaId: string;
  /** The leader's lease (default 1,000 ms): a dead leader is replaced within about this long. */
  leaseMs?: number;
  log: RedisLeader['log'];
}

interface Latest {
  applied: number;
  domains: string[];
  weights: number[];
}

export class RedisBackend implements RunBackend {
  readonly leader: RedisLeader;
  private readonly specs = new Map<string, RunSpec>();
  private readonly domains = new Map<string, { names: string[]; at: number }>();
  private readonly waiters: AppliedWaiters;
  /** The newest applied step of each run, as the applied channel announced it. */
  private readonly appliedSteps = new Map<string, number>();
  private readonly reportScript: (...a: (string | number)[]) => Promise<unknown>;

  private constructor(
    readonly redis: Redis,
    private readonly sub: Redis,
    readonly prefix: string,
    leader: RedisLeader,
  ) {
    this.leader = leader;
    this.reportScript = scriptCommand(redis, 'adomixReport', REPORT_SCRIPT, 2);
    this.waiters = new AppliedWaiters(prefix);
  }

  static async connect(o: RedisBackendOptions): Promise<RedisBackend> {
    const options: RedisOptions = { maxRetriesPerRequest: null, lazyConnect: true, enableAutoPipelining: true, ...(o.password !== undefined ? { password: o.password } : {}) };
    const redis = new Redis(o.url, options);
    redis.on('error', (err) => o.log.warn({ err: err.message }, 'redis connection error'));
    await redis.connect();
    const sub = redis.duplicate();
    sub.on('error', () => undefined);
    const prefix = o.prefix ?? DEFAULT_PREFIX;
    const leader = new RedisLeader(redis, prefix, o.replicaId, o.leaseMs ?? 1000, o.log);
    const backend = new RedisBackend(redis, sub, prefix, leader);
    await sub.psubscribe(backend.waiters.pattern);
    sub.on('pmessage', (_pattern, channel, message) => backend.applied(channel, message));
    leader.start();
    return backend;
  }

  async create(body: unknown) {
    const spec = resolveRunSpec(body);
    await createRunPolicy(spec).close(); // its options are checked here, with a 400 naming them
    const keys = runKeys(this.prefix, spec.id);
    const set = await this.redis.set(keys.spec, JSON.stringify(spec), 'NX');
    if (set !== 'OK') {
      const existing = resolveRunSpec(JSON.parse((await this.redis.get(keys.spec))!));
      if (!sameSpec(existing, spec)) throw new ServeError(409, `run ${spec.id} exists with a different spec (a run id is created once; pick a new id)`);
    }
    await this.redis.sadd(`${this.prefix}runs`, spec.id);
    this.specs.set(spec.id, spec);
    return { created: set === 'OK', status: await this.status(spec.id) };
  }

  async list() {
    const ids = (await this.redis.smembers(`${this.prefix}runs`)).sort();
    return Promise.all(ids.map((id) => this.status(id)));
  }

  async status(id: string) {
    const spec = await this.spec(id);
    const keys = runKeys(this.prefix, id);
    const [status, leader] = await this.redis.mget(keys.status, `${this.prefix}leader`);
    const base = status !== null ? (JSON.parse(status) as Record<string, unknown>) : { id, policy: spec.policy.kind, domains: spec.domains, ranks: spec.ranks, lag: spec.lag, applied: -1, waitingFor: null, stalled: [] };
    return { ...base, leader, replica: this.leader.replicaId };
  }

  async report(id: string, body: ReportInput) {
    const spec = await this.spec(id);
    let names = await this.domainNames(id, false);
    // A report longer than the domains known here may follow a domain added since: look again.
    if (Array.isArray(body?.count) && body.count.length > names.length) names = await this.domainNames(id, true);
    const r = checkReport(body, { id, ranks: spec.ranks, domains: names, least: await this.domainsServed(id, spec, body?.step, names.length) });
    const keys = runKeys(this.prefix, id);
    const res = await this.reportScript(keys.seen, keys.input, `${r.step}:${r.rank}`, reportLine(r));
    if (res === -1) throw new ServeError(409, `rank ${r.rank} already reported step ${r.step} with different values (a retry must resend the same report)`);
    return { status: res === 1 ? ('duplicate' as const) : ('accepted' as const), applied: this.appliedSteps.get(id) ?? -1 };
  }

  async weights(id: string, step: number, waitMs: number): Promise<WeightsResult> {
    const spec = await this.spec(id);
    const basedOn = Math.max(step - 1 - spec.lag, -1);
    const key = runKeys(this.prefix, id).weights(basedOn);
    let value = await this.redis.get(key);
    let waitedMs = 0;
    if (value === null && waitMs > 0) {
      const started = performance.now();
      value = await this.waiters.wait(id, basedOn, waitMs, () => this.redis.get(key));
      waitedMs = performance.now() - started;
    }
    if (value !== null) {
      const w = JSON.parse(value) as { domains: string[]; weights: number[] };
      return { ready: true, body: { step, basedOn, domains: w.domains, weights: w.weights }, waitedMs };
    }
    const latest = await this.latest(id);
    const status = await this.status(id);
    // Before the first step is applied, the newest weights are the initial mixture (once the leader published it).
    const initial = latest === undefined ? await this.redis.get(runKeys(this.prefix, id).weights(-1)) : null;
    const first = initial === null ? { domains: spec.domains, weights: [] as number[] } : (JSON.parse(initial) as { domains: string[]; weights: number[] });
    const latestBody = latest
      ? { step: latest.applied + 1 + spec.lag, basedOn: latest.applied, domains: latest.domains, weights: latest.weights }
      : { step: spec.lag, basedOn: -1, domains: first.domains, weights: first.weights };
    return { ready: false, body: notReadyBody(step, spec.lag, latest?.applied ?? -1, status, latestBody), waitedMs };
  }

  async addDomain(id: string, name: string, prior: number, afterStep?: number) {
    const names = await this.domainNames(id, true);
    if (names.includes(name)) throw new ServeError(409, `domain "${name}" already exists in run ${id}`);
    return this.event(id, { type: 'add', name, prior, ...(afterStep !== undefined ? { afterStep } : {}) });
  }

  async markExhausted(id: string, domain: string, afterStep?: number) {
    return this.event(id, { type: 'exhaust', domain, ...(afterStep !== undefined ? { afterStep } : {}) });
  }

  async steplog(id: string) {
    await this.spec(id);
    const keys = runKeys(this.prefix, id);
    const header = await this.redis.get(keys.logHeader);
    if (header === null) return '';
    const { domains, prior, unit } = JSON.parse(header) as { domains: string[]; prior: number[] | null; unit: string };
    const K = domains.length;
    const lines = [JSON.stringify({ adomix: 'steplog/1', domains, ...(prior ? { prior } : {}), unit })];
    const pad = <T>(v: T[] | undefined, fill: T): T[] | undefined => (v === undefined || v.length === K ? v : [...v, ...new Array<T>(K - v.length).fill(fill)]);
    for (let from = '-'; ; ) {
      const batch = (await this.redis.xrange(keys.log, from, '+', 'COUNT', 5000)) as [string, string[]][];
      for (const [, fields] of batch) {
        const r = JSON.parse(fields[1]) as { loss: (number | null)[]; count: number[]; weights?: number[]; params?: unknown[] };
        if (r.loss.length === K) lines.push(fields[1]);
        else lines.push(JSON.stringify({ ...r, loss: pad(r.loss, null), count: pad(r.count, 0), weights: pad(r.weights, 0), ...(r.params ? { params: pad(r.params, null) } : {}) }));
      }
      if (batch.length < 5000) break;
      from = `(${batch[batch.length - 1][0]}`;
    }
    return lines.join('\n') + '\n';
  }

  async page(id: string, refreshSeconds: number) {
    const text = await this.steplog(id);
    const source = `redis ${runKeys(this.prefix, id).log}`;
    const log = text === '' ? { header: { adomix: 'steplog/1' as const, domains: (await this.spec(id)).domains, unit: 'examples' as const }, records: [], skipped: 0, skippedLines: [] } : parseStepLog(text, { file: source, skipBad: true });
    return livePage(await reportHtml(log, source, id), await this.status(id), refreshSeconds);
  }

  metricRuns(): RunMetrics[] {
    const now = Date.now();
    return [...this.leader.runs.values()].filter((lr) => lr.run !== undefined).map(({ run, runner }) => runMetrics(run, runner, now));
  }

  /** For /healthz: this replica, and whether it leads (with every run restored). */
  health() {
    return { replica: this.leader.replicaId, leader: this.leader.leading, ready: this.leader.readyAt !== undefined, leaderSince: this.leader.leaderSince ?? null, deposed: this.leader.deposedCount, published: this.leader.published };
  }

  async close() {
    await this.leader.stop();
    this.sub.disconnect();
    await this.redis.quit().catch(() => undefined);
  }

  private applied(channel: string, message: string): void {
    const { id, step } = this.waiters.applied(channel, message);
    if (step > (this.appliedSteps.get(id) ?? -1)) this.appliedSteps.set(id, step);
  }

  private async event(id: string, e: Record<string, unknown>) {
    await this.spec(id);
    await this.redis.xadd(runKeys(this.prefix, id).input, '*', 'd', JSON.stringify({ e }));
    return { queued: true, ...e, note: 'applied by the leader after the step named (or the next step if that one has been applied)' };
  }

  private async spec(id: string): Promise<RunSpec> {
    let spec = this.specs.get(id);
    if (spec === undefined) {
      const text = await this.redis.get(runKeys(this.prefix, id).spec);
      if (text === null) throw new ServeError(404, `no run ${JSON.stringify(id)} (create it with POST /v1/runs)`);
      spec = resolveRunSpec(JSON.parse(text));
      this.specs.set(id, spec);
    }
    return spec;
  }

  private async latest(id: string): Promise<Latest | undefined> {
    const text = await this.redis.get(runKeys(this.prefix, id).latest);
    return text === null ? undefined : (JSON.parse(text) as Latest);
  }

  /**
   * How many domains the weights of `step` had (a report may leave out only domains added
   * after them): the published weights say; when they are gone, all of today's.
   */
  private async domainsServed(id: string, spec: RunSpec, step: unknown, current: number): Promise<number> {
    if (!Number.isInteger(step) || current === spec.domains.length) return current;
    const text = await this.redis.get(runKeys(this.prefix, id).weights(Math.max((step as number) - 1 - spec.lag, -1)));
    return text === null ? current : (JSON.parse(text) as { domains: string[] }).domains.length;
  }

  /** The run's current domains (cached for a second, or read now). */
  private async domainNames(id: string, fresh: boolean): Promise<string[]> {
    const cached = this.domains.get(id);
    if (!fresh && cached !== undefined && Date.now() - cached.at < 1000) return cached.names;
    const names = (await this.latest(id))?.domains ?? (await this.spec(id)).domains;
    this.domains.set(id, { names, at: Date.now() });
    return names;
  }
}
