/**
 * The Python client that talks to Redis directly (clients/python/adomix_redis.py) against a
 * real redis-server and one `adomix serve --redis` replica (the built CLI) that leads the
 * runs: its unittest suite, which checks it against the HTTP client byte for byte. Needs
 * redis-server and a python with redis-py (Debian's python3-redis); skipped without them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adomixServe } from '../helpers/cli.js';
import { REDIS_SERVER, RedisInstance } from '../helpers/redis.js';
import { firstPython, PYTHONS, runCommand } from '../helpers/python.js';


const python = await firstPython(['-c', 'import redis']);
if (REDIS_SERVER === undefined) console.log('redis-server not installed: the Python Redis client tests are skipped (.ci/run installs it)');
else if (python === undefined) console.log(`no python with redis-py (tried ${PYTHONS.join(', ')}; apt-get install python3-redis): the Python Redis client tests are skipped`);

const shown = (r: Ran): string => `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe.skipIf(REDIS_SERVER === undefined || python === undefined)('Python client over Redis', () => {
  let redis: RedisInstance;
  let state: string;
  let replica: Awaited<ReturnType<typeof adomixServe>>['child'] | undefined;
  let url: string;

  beforeAll(async () => {
    redis = await RedisInstance.start();
    state = mkdtempSync(join(tmpdir(), 'adomix-pyredis-'));
    const started = await adomixServe(['--state', state, '--redis', redis.url, '--replica-id', 'py', '--lease-ms', '500']);
    replica = started.child;
    url = started.url;
  }, 30_000);

  afterAll(async () => {
    if (replica !== undefined && replica.child.exitCode === null && replica.child.signalCode === null) {
      replica.child.kill('SIGTERM');
      await replica.done;
    }
    await redis?.destroy();
    if (state !== undefined) rmSync(state, { recursive: true, force: true });
  });

  it('passes its unittest suite against the replica and its Redis', async () => {
    const r = await runCommand(python!, ['-m', 'unittest', '-v', 'clients/python/test_adomix_redis.py'], { ADOMIX_URL: url, ADOMIX_REDIS_URL: redis.url }, 110_000);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stderr, shown(r)).toMatch(/^Ran \d+ tests in /m);
    expect(r.stderr, shown(r)).toMatch(/test_the_same_report_over_http_and_over_redis_is_one_report .*\.\.\. ok/);
    expect(r.stderr, shown(r)).toMatch(/test_two_ranks_through_redis_apply_and_serve_the_weights_http_serves .*\.\.\. ok/);
    expect(r.stderr, shown(r)).not.toMatch(/skipped '(ADOMIX|redis-py)/);
  }, 120_000);
});
