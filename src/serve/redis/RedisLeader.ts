/**
 * Leader election among `adomix serve --redis` replicas: a lease `<prefix>leader` = replica
 * id, taken with SET NX PX and renewed every lease/4 by a script that checks it still holds
 * it. Only the leader applies steps (LeadRun per run); every one of its writes is fenced by
 * the same check, so a leader that was paused past its lease publishes nothing when it
 * wakes up: its first refused write or renewal deposes it, and it drops its runs.
 */
import type { Redis } from 'ioredis';
import { LeadRun, type LeaderLink } from './LeadRun.js';
import { RELEASE_SCRIPT, RENEW_SCRIPT } from './scripts.js';

type Log = LeaderLink['log'];

export class RedisLeader implements LeaderLink {
  readonly leaderKey: string;
  readonly runs = new Map<string, LeadRun>();
  leading = false;
  /** When this replica last became leader, and when it had restored every run. */
  leaderSince: number | undefined;
  readyAt: number | undefined;
  /** Times this replica found it was no longer the leader. */
  deposedCount = 0;
  published = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly replicaId: string,
    private readonly leaseMs: number,
    readonly log: Log,
  ) {
    this.leaderKey = `${prefix}leader`;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), Math.max(20, Math.floor(this.leaseMs / 4)));
    void this.tick();
  }

  deposed(reason: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.readyAt = undefined;
    this.deposedCount++;
    this.log.warn({ replica: this.replicaId, reason }, 'no longer the leader: dropping every run');
    for (const run of this.runs.values()) void run.stop();
    this.runs.clear();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const run of this.runs.values()) await run.stop();
    this.runs.clear();
    if (this.leading) await this.redis.eval(RELEASE_SCRIPT, 1, this.leaderKey, this.replicaId).catch(() => undefined);
    this.leading = false;
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      if (!this.leading) {
        const ok = await this.redis.set(this.leaderKey, this.replicaId, 'PX', this.leaseMs, 'NX');
        if (ok === 'OK') {
          this.leading = true;
          this.leaderSince = Date.now();
          this.log.info({ replica: this.replicaId }, 'leading');
          await this.syncRuns();
          this.readyAt = Date.now();
        }
      } else {
        const ok = await this.redis.eval(RENEW_SCRIPT, 1, this.leaderKey, this.replicaId, this.leaseMs);
        if (ok === 0) this.deposed('the lease expired and another replica holds it');
        else await this.syncRuns();
      }
    } catch (err) {
      this.log.warn({ err, replica: this.replicaId }, 'lease check failed (Redis unreachable?)');
    } finally {
      this.busy = false;
    }
  }

  /** Leads every run in `<prefix>runs` not led yet. */
  private async syncRuns(): Promise<void> {
    const ids = await this.redis.smembers(`${this.prefix}runs`);
    for (const id of ids.sort()) {
      if (!this.leading || this.runs.has(id)) continue;
      const run = new LeadRun(id, this.redis, this.prefix, this);
      this.runs.set(id, run);
      try {
        await run.start(this.redis.duplicate());
      } catch (err) {
        this.runs.delete(id);
        this.log.error({ err, run: id }, 'cannot lead this run');
      }
    }
  }
}
