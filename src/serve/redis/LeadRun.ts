/**
 * One run, led by this replica: restored from the run's last snapshot in Redis (or created
 * from its spec), then fed the run's input stream after the snapshot, entry by entry, in
 * stream order. It is an ordinary ServedRun whose persistence publishes to Redis: every
 * applied step's weights, the step-log line and the status through one fenced script, and
 * a snapshot every `checkpointEvery` steps. Because every replica reads the same stream in
 * the same order, a replica that takes over reaches the same state and the same weights,
 * bit for bit, as the one it replaces.
 */
import type { Redis } from 'ioredis';
import type { WorkerRefitRunner } from '../../refit/index.js';
import { formatCheckpoint, formatStepLine, parseCheckpoint, type StepRecordInput } from '../../runlog/index.js';
import { reportLine, runKeys, scriptCommand, type RunKeys } from '../../client/redisProtocol.js';
import { ServeError } from '../errors.js';
import { parseReportLine } from '../runStore.js';
import { resolveRunSpec, runPolicy, type RunSpec } from '../runSpec.js';
import { ServedRun, runPrior, type RunCheckpointMeta, type RunPersistence } from '../ServedRun.js';
import { FENCED_SET_SCRIPT, PUBLISH_STEP_SCRIPT, SNAPSHOT_SCRIPT } from './scripts.js';

/** What a snapshot in Redis holds. */
interface RedisSnapshot {
  checkpoint: string;
  /** The last stream entry the snapshot covers. */
  lastId: string;
  /** Reports of steps not applied yet (they came before lastId). */
  pending: string[];
  /** Steps whose idempotency fields were forgotten already. */
  prunedTo: number;
}

/** How long the weights of one step stay in Redis (ranks only ask for recent ones). */
const WEIGHTS_TTL_MS = 3_600_000;
/** Applied steps whose (step, rank) fields are kept for deduplication. */
const SEEN_KEPT = 256;

export interface LeaderLink {
  readonly replicaId: string;
  readonly leaderKey: string;
  /** Called when Redis refused a fenced write: this replica is no longer the leader. */
  deposed(reason: string): void;
  /** Steps this replica published (as leader). */
  published: number;
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void };
}

export class LeadRun implements RunPersistence {
  readonly keys: RunKeys;
  run!: ServedRun;
  runner: WorkerRefitRunner | undefined;
  rejected = 0;
  private lastId = '0-0';
  private currentId = '0-0';
  private prunedTo = -1;
  /** How many domains the step log's header names. */
  private headerDomains = 0;
  private stopped = false;
  private reader: Redis | undefined;
  private readonly publishStep: (...a: (string | number)[]) => Promise<unknown>;
  private readonly snapshotScript: (...a: (string | number)[]) => Promise<unknown>;

  constructor(
    readonly id: string,
    private readonly redis: Redis,
    prefix: string,
    private readonly link: LeaderLink,
  ) {
    this.keys = runKeys(prefix, id);
    this.publishStep = scriptCommand(redis, 'adomixPublishStep', PUBLISH_STEP_SCRIPT, 6);
    this.snapshotScript = scriptCommand(redis, 'adomixSnapshot', SNAPSHOT_SCRIPT, 4);
  }

  /** Restores the run and starts reading its stream on `reader` (a connection of its own: XREAD blocks). */
  async start(reader: Redis): Promise<void> {
    this.reader = reader;
    const [specText, snapText] = await this.redis.mget(this.keys.spec, this.keys.snapshot);
    if (specText === null) throw new Error(`run ${this.id}: no spec in Redis (${this.keys.spec})`);
    const spec: RunSpec = resolveRunSpec(JSON.parse(specText));
    let snapshot: unknown;
    let meta: RunCheckpointMeta | undefined;
    let pending: string[] = [];
    if (snapText !== null) {
      const snap = JSON.parse(snapText) as RedisSnapshot;
      const cp = parseCheckpoint(snap.checkpoint, this.keys.snapshot);
      snapshot = cp.policy;
      meta = (cp.meta as { run: RunCheckpointMeta }).run;
      this.lastId = snap.lastId;
      this.prunedTo = snap.prunedTo;
      pending = snap.pending;
    }
    const { policy, runner } = runPolicy(spec, snapshot);
    this.runner = runner;
    this.run = new ServedRun(spec, policy, this, meta);
    this.headerDomains = this.run.domains.length;
    // Reports of steps the snapshot had not applied: taken again, and applied where complete
    // (a snapshot written while applying step t may hold later steps that were complete too).
    this.run.replay(pending.map(parseReportLine), Date.now());
    if (meta === undefined) {
      await this.fencedSet(this.keys.weights(-1), JSON.stringify({ domains: this.run.domains, weights: Array.from(this.run.weightsFor(0)!.weights) }));
      await this.redis.publish(this.keys.applied, '-1'); // wakes ranks already waiting for step 0's weights
      await this.fencedSet(this.keys.logHeader, JSON.stringify({ domains: this.run.domains, prior: runPrior(spec, policy) ?? null, unit: spec.unit }));
      this.publishStatus();
    }
    void this.consume();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reader?.disconnect();
    await this.run?.close();
    await this.runner?.close();
  }

  report(): void {} // the report is in the stream already

  event(): void {}

  step(record: StepRecordInput, domains: readonly string[], prior: number[] | undefined, output: Float64Array): void {
    const t = record.step;
    const weights = JSON.stringify({ domains, weights: Array.from(output) });
    const latest = JSON.stringify({ applied: t, domains, weights: Array.from(output) });
    if (domains.length !== this.headerDomains) {
      // A domain was added: the step log's header names it from now on (earlier lines are padded on export).
      this.headerDomains = domains.length;
      void this.fencedSet(this.keys.logHeader, JSON.stringify({ domains, prior: prior ?? null, unit: this.run.spec.unit }));
    }
    this
      .publishStep(
        this.link.leaderKey,
        this.keys.weights(t),
        this.keys.latest,
        this.keys.status,
        this.keys.log,
        this.keys.applied,
        this.link.replicaId,
        weights,
        WEIGHTS_TTL_MS,
        latest,
        this.statusJson(),
        `${t + 1}-0`,
        formatStepLine(record, domains),
        t,
      )
      .then((ok) => (ok === 1 ? this.link.published++ : this.link.deposed(`publishing step ${t} of run ${this.id} was refused: the lease is another replica's`)))
      .catch((err: Error) => this.link.log.error({ err, run: this.id, step: t }, 'publishing a step failed'));
  }

  checkpoint(run: ServedRun): void {
    const from = this.prunedTo + 1;
    const upTo = run.applied - SEEN_KEPT;
    const snap: RedisSnapshot = {
      checkpoint: formatCheckpoint(run.policy, { run: run.checkpointMeta() }),
      lastId: this.currentId,
      pending: [...run.assembler.reports()].map(reportLine),
      prunedTo: Math.max(this.prunedTo, upTo),
    };
    this.prunedTo = snap.prunedTo;
    this
      .snapshotScript(this.link.leaderKey, this.keys.snapshot, this.keys.input, this.keys.seen, this.link.replicaId, JSON.stringify(snap), this.currentId, from, upTo, run.spec.ranks)
      .then((ok) => ok === 0 && this.link.deposed(`the snapshot of run ${this.id} was refused: the lease is another replica's`))
      .catch((err: Error) => this.link.log.error({ err, run: this.id }, 'writing a snapshot failed'));
  }

  private statusJson(): string {
    return JSON.stringify({ ...this.run.status(Date.now()), leader: this.link.replicaId, rejected: this.rejected });
  }

  private publishStatus(): void {
    void this.fencedSet(this.keys.status, this.statusJson());
  }

  private async fencedSet(key: string, value: string): Promise<void> {
    const ok = await this.redis.eval(FENCED_SET_SCRIPT, 2, this.link.leaderKey, key, this.link.replicaId, value);
    if (ok === 0) this.link.deposed(`a write to ${key} was refused: the lease is another replica's`);
  }

  /** Reads the stream after lastId, forever (until stopped). */
  private async consume(): Promise<void> {
    let idle = 0;
    while (!this.stopped) {
      let res: [string, [string, string[]][]][] | null;
      try {
        res = (await this.reader!.xread('COUNT', 2000, 'BLOCK', 200, 'STREAMS', this.keys.input, this.lastId)) as typeof res;
      } catch (err) {
        if (this.stopped) return;
        this.link.log.warn({ err, run: this.id }, 'reading the run\'s stream failed; retrying');
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (res === null) {
        // Nothing new: refresh the status now and then (stalled ranks show up there).
        if (++idle % 5 === 0) this.publishStatus();
        continue;
      }
      idle = 0;
      for (const [id, fields] of res[0][1]) {
        if (this.stopped) return;
        this.currentId = id;
        this.ingest(fields[1]);
        this.lastId = id;
      }
    }
  }

  /** One stream entry: a report, or a domain event (applied at its step, or at the next boundary if that step is past). */
  private ingest(line: string): void {
    try {
      const entry = parseReportLine(line);
      if ('report' in entry) {
        const r = entry.report;
        this.run.report({ step: r.step, rank: r.rank, count: r.count, lossSum: r.lossSum, ...(r.basedOn !== undefined ? { basedOn: r.basedOn } : {}) }, Date.now());
      } else {
        const e = entry.event as { type: string; name?: string; prior?: number; domain?: string; afterStep?: number };
        const at = Math.max(e.afterStep ?? 0, this.run.applied + 1);
        if (e.type === 'add') this.run.addDomain(e.name, e.prior, at);
        else this.run.markExhausted(e.domain, at);
      }
    } catch (err) {
      // A report that reached Redis directly and is malformed, or a conflicting retry: kept out, counted, logged.
      this.rejected++;
      if (!(err instanceof ServeError) && !(err instanceof SyntaxError)) this.link.log.error({ err, run: this.id }, 'applying a stream entry failed');
      else this.link.log.warn({ run: this.id, error: (err as Error).message }, 'stream entry rejected');
    }
  }
}
