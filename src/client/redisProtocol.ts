/**
 * The Redis protocol of `adomix serve --redis`, shared by the server and the clients that
 * talk to Redis directly (the Python client has the same keys and script):
 *
 *   <p>runs                  set of run ids
 *   <p>leader                the leader's replica id, a lease (SET NX PX, renewed)
 *   <p>run:<id>:spec         the run spec (JSON)
 *   <p>run:<id>:in           stream of reports and domain events, field `d` = one JSON line
 *   <p>run:<id>:seen         hash "<step>:<rank>" → SHA-1 of the report line (idempotency)
 *   <p>run:<id>:w:<s>        the policy's mixture after step s, {"domains":[…],"weights":[…]} (s = -1: initial)
 *   <p>run:<id>:latest       the newest of those, with "applied"
 *   <p>run:<id>:applied      channel: the step just applied
 *   <p>run:<id>:status       the leader's status of the run (JSON)
 *   <p>run:<id>:snap         the leader's last snapshot
 *   <p>run:<id>:log          stream of step-log lines, id <step+1>-0; header in <p>run:<id>:loghead
 *
 * Only the scripts below are ever evaluated; what clients send is data (ARGV), never code.
 */
export const DEFAULT_PREFIX = 'adomix:';

export function runKeys(prefix: string, id: string) {
  const base = `${prefix}run:${id}:`;
  return {
    spec: `${base}spec`,
    input: `${base}in`,
    seen: `${base}seen`,
    weights: (s: number) => `${base}w:${s}`,
    latest: `${base}latest`,
    applied: `${base}applied`,
    status: `${base}status`,
    snapshot: `${base}snap`,
    log: `${base}log`,
    logHeader: `${base}loghead`,
  };
}

export type RunKeys = ReturnType<typeof runKeys>;

/**
 * A report, once: KEYS seen, in; ARGV "<step>:<rank>", the report line.
 * Returns 0 (accepted: added to the stream), 1 (the same report again), -1 (a different one).
 */
export const REPORT_SCRIPT = `
local h = redis.sha1hex(ARGV[2])
local d = redis.call('HGET', KEYS[1], ARGV[1])
if d then
  if d == h then return 1 else return -1 end
end
redis.call('HSET', KEYS[1], ARGV[1], h)
redis.call('XADD', KEYS[2], '*', 'd', ARGV[2])
return 0
`;

/** One report as the stream (and the journal) hold it: `{"s":…,"r":…,"l":[…],"c":[…][,"b":…]}`. */
export function reportLine(r: { step: number; rank: number; lossSum: ArrayLike<number>; count: ArrayLike<number>; basedOn?: number }): string {
  const based = r.basedOn === undefined ? '' : `,"b":${r.basedOn}`;
  return `{"s":${r.step},"r":${r.rank},"l":${JSON.stringify(Array.from(r.lossSum))},"c":${JSON.stringify(Array.from(r.count))}${based}}`;
}

/** Something that can define a script command (an ioredis client). */
interface ScriptHost {
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
}

/**
 * A script as a function of its keys and arguments, run with EVALSHA (ioredis loads it once
 * and falls back to EVAL when Redis has forgotten it, e.g. after a restart).
 */
export function scriptCommand(redis: ScriptHost, name: string, lua: string, numberOfKeys: number): (...keysAndArgs: (string | number)[]) => Promise<unknown> {
  redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[name];
  return (...keysAndArgs) => command.apply(redis, keysAndArgs);
}

/**
 * Reads that wait for a run's step to be applied, woken by the run's `applied` channel
 * (PSUBSCRIBE `pattern`, and pass each message to `applied`). `wait` registers first, then
 * reads, so a step published between the caller's first read and the wait is not missed.
 */
export class AppliedWaiters {
  private readonly waiting = new Map<string, Set<{ step: number; done: () => void }>>();

  constructor(private readonly prefix: string) {}

  /** The channel pattern to subscribe to. */
  get pattern(): string {
    return `${this.prefix}run:*:applied`;
  }

  /** One message of `pattern`: wakes the run's waiters for steps up to the one applied, and says which. */
  applied(channel: string, message: string): { id: string; step: number } {
    const id = channel.slice(`${this.prefix}run:`.length, -':applied'.length);
    const step = Number(message);
    for (const w of this.waiting.get(id) ?? []) if (w.step <= step) w.done();
    return { id, step };
  }

  /** `read()` again once step `step` of run `id` is applied (or after `ms`); null when it still finds nothing. */
  async wait<T>(id: string, step: number, ms: number, read: () => Promise<T | null>): Promise<T | null> {
    let done!: () => void;
    const woken = new Promise<void>((resolve) => (done = resolve));
    const waiter = { step, done };
    const set = this.waiting.get(id) ?? new Set();
    set.add(waiter);
    this.waiting.set(id, set);
    const timer = setTimeout(done, ms);
    try {
      const value = await read();
      if (value !== null) return value;
      await woken;
      return await read();
    } finally {
      clearTimeout(timer);
      set.delete(waiter);
    }
  }

  /** Ends every wait now (at close). */
  wakeAll(): void {
    for (const set of this.waiting.values()) for (const w of set) w.done();
  }
}
