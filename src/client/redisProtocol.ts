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
