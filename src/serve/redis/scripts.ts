/**
 * The leader's writes, each one Lua script that first checks the lease: a replica that lost
 * it (paused past its lease, partitioned away) has every write refused, so it can never
 * publish weights, log a step or snapshot after another replica took over (fencing).
 * Values are ARGV: data, never code.
 */

/** KEYS leader; ARGV me, px → 1 renewed, 0 not the leader. */
export const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** KEYS leader; ARGV me → 1 released, 0 not the leader. */
export const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

/**
 * A step applied: KEYS leader, w:<s>, latest, status, log, channel;
 * ARGV me, weights JSON, ttl ms, latest JSON, status JSON, log id, log line, step.
 * The log line is added once (an id not above the last is an error, caught: a new leader
 * re-applying steps after the last snapshot logs nothing twice).
 */
export const PUBLISH_STEP_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('SET', KEYS[3], ARGV[4])
redis.call('SET', KEYS[4], ARGV[5])
pcall(redis.call, 'XADD', KEYS[5], ARGV[6], 'l', ARGV[7])
redis.call('PUBLISH', KEYS[6], ARGV[8])
return 1
`;

/** KEYS leader, key; ARGV me, value → SET if still the leader. */
export const FENCED_SET_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1
`;

/**
 * A snapshot: KEYS leader, snap, in, seen; ARGV me, snapshot JSON, min stream id to keep,
 * and the steps (from, to) and ranks whose "<step>:<rank>" fields are old enough to forget.
 */
export const SNAPSHOT_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('XTRIM', KEYS[3], 'MINID', ARGV[3])
local fields = {}
for s = tonumber(ARGV[4]), tonumber(ARGV[5]) do
  for r = 0, tonumber(ARGV[6]) - 1 do
    fields[#fields + 1] = s .. ':' .. r
    if #fields == 500 then
      redis.call('HDEL', KEYS[4], unpack(fields))
      fields = {}
    end
  end
end
if #fields > 0 then redis.call('HDEL', KEYS[4], unpack(fields)) end
return 1
`;
