/**
 * `adomix serve`: the scheduler as an HTTP service (src/serve). Prints one line
 * `adomix serve: listening on http://HOST:PORT` on stdout once it accepts requests; logs
 * (pino, JSON lines) go to stderr. SIGINT/SIGTERM checkpoint every run and exit 130/143.
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isLoopback } from '../serve/auth.js';
import { integerOption } from './options.js';
import { stopOnSignals } from './signals.js';

interface ServeCliOptions {
  host: string;
  port: number;
  state: string;
  tokenFile?: string;
  bodyLimit: number;
  redis?: string;
  redisPrefix: string;
  redisPasswordFile?: string;
  replicaId?: string;
  leaseMs: number;
}

/** A secret in a file (trimmed), at least `least` characters, so a blank file never means "no auth". */
export function readSecret(path: string, flag: string, least: number): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${flag} ${path}: ${(err as Error).message}`);
  }
  const secret = text.trim();
  if (secret.length < least) throw new Error(`${flag} ${path}: the ${flag === '--token-file' ? 'token' : 'secret'} must be at least ${least} characters (it has ${secret.length})`);
  return secret;
}

export function register(program: Command): void {
  program
    .command('serve')
    .summary('serve mixture policies over HTTP to training loops with any number of ranks')
    .description(
      [
        'Runs the scheduler as an HTTP service: create a run (its domains, prior, policy and ranks), then every rank ' +
          'reports its per-domain loss sums and counts per step and fetches the weights of its next step. ' +
          'Step t is applied once all ranks have reported it; with lag L the weights of step t come from the policy after ' +
          'step t − 1 − L, so with L ≥ 1 no rank waits.',
        'Routes: POST /v1/runs, GET /v1/runs/:run (status), POST /v1/runs/:run/reports, GET /v1/runs/:run/weights?step=t&wait=ms, ' +
          'POST /v1/runs/:run/domains, POST /v1/runs/:run/exhausted, GET /v1/runs/:run/page (live report), GET /metrics ' +
          '(Prometheus), GET /openapi.json. See docs/serve.md.',
        'State: each run lives in --state DIR/<run id>/ (run.json, steplog.jsonl, journal.jsonl, checkpoint.json). Every ' +
          'report is journaled before it is acknowledged; a restarted server resumes every run exactly, and reports sent again ' +
          'are accepted as duplicates. The step log works with `adomix replay` and `adomix report`.',
        'Security: binds 127.0.0.1 by default. On any other address --token-file is required, and every request must send ' +
          '"Authorization: Bearer <token>".',
      ].join('\n\n'),
    )
    .addOption(new Option('--host <host>', 'address to bind').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port (0: any free port)').argParser(integerOption(0)).default(8470))
    .addOption(new Option('--state <dir>', 'where runs are kept and restored from').default('adomix-state'))
    .addOption(new Option('--token-file <file>', 'file holding the bearer token every request must send'))
    .addOption(new Option('--body-limit <bytes>', 'largest request body').argParser(integerOption(1024)).default(8 * 1024 * 1024))
    .addOption(new Option('--redis <url>', 'keep the runs in Redis (redis:// or rediss://) and share them with other replicas; --state is then unused'))
    .addOption(new Option('--redis-prefix <prefix>', 'prefix of every Redis key').default('adomix:'))
    .addOption(new Option('--redis-password-file <file>', 'file holding the Redis password (instead of putting it in the URL)'))
    .addOption(new Option('--replica-id <id>', 'this replica\'s name in the leader lease (default: host name and pid)'))
    .addOption(new Option('--lease-ms <ms>', 'the leader\'s lease: a dead leader is replaced within about this long').argParser(integerOption(100)).default(1000))
    .action(async (o: ServeCliOptions) => {
      const token = o.tokenFile !== undefined ? readSecret(o.tokenFile, '--token-file', 16) : undefined;
      if (token === undefined && !isLoopback(o.host))
        throw new Error(`--host ${o.host} is not a loopback address: give --token-file so that only your ranks can reach the runs`);
      // Loaded here, not at the top: every other command would pay for fastify, ioredis and prom-client at start-up.
      const [{ default: pino }, { buildServer, RedisBackend }] = await Promise.all([import('pino'), import('../serve/index.js')]);
      const level = process.env.ADOMIX_LOG_LEVEL ?? 'info';
      const log = pino({ level, name: 'adomix-serve' }, pino.destination({ fd: 2, sync: true }));
      const backend =
        o.redis === undefined
          ? undefined
          : await RedisBackend.connect({
              url: o.redis,
              prefix: o.redisPrefix,
              replicaId: o.replicaId ?? `${hostname()}-${process.pid}`,
              leaseMs: o.leaseMs,
              log,
              ...(o.redisPasswordFile !== undefined ? { password: readSecret(o.redisPasswordFile, '--redis-password-file', 1) } : {}),
            });
      const server = await buildServer({
        backend,
        stateDir: o.state,
        token,
        bodyLimit: o.bodyLimit,
        loggerInstance: log,
      });
      const stop = stopOnSignals((sig) => server.app.log.info(`${sig}: checkpointing every run and stopping`));
      const address = await server.app.listen({ host: o.host, port: o.port });
      process.stdout.write(`adomix serve: listening on ${address}\n`);
      server.app.log.info({ runs: (await server.backend.list()).map((r) => ({ id: r.id, applied: r.applied })) }, 'runs restored');
      await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
      await server.close();
      stop.dispose();
      stop.exitIfStopped();
    });
}
