/**
 * `adomix serve`: the scheduler as an HTTP service (src/serve). Prints one line
 * `adomix serve: listening on http://HOST:PORT` on stdout once it accepts requests; logs
 * (pino, JSON lines) go to stderr. SIGINT/SIGTERM checkpoint every run and exit 130/143.
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { buildServer, isLoopback } from '../serve/index.js';
import { integerOption } from './options.js';
import { stopOnSignals } from './signals.js';

interface ServeCliOptions {
  host: string;
  port: number;
  state: string;
  tokenFile?: string;
  bodyLimit: number;
}

/** The token in a file (trimmed); refused when empty, so a blank file never means "no auth". */
export function readToken(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`--token-file ${path}: ${(err as Error).message}`);
  }
  const token = text.trim();
  if (token.length < 16) throw new Error(`--token-file ${path}: the token must be at least 16 characters (it has ${token.length})`);
  return token;
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
    .action(async (o: ServeCliOptions) => {
      const token = o.tokenFile !== undefined ? readToken(o.tokenFile) : undefined;
      if (token === undefined && !isLoopback(o.host))
        throw new Error(`--host ${o.host} is not a loopback address: give --token-file so that only your ranks can reach the runs`);
      const level = process.env.ADOMIX_LOG_LEVEL ?? 'info';
      const server = await buildServer({
        stateDir: o.state,
        token,
        bodyLimit: o.bodyLimit,
        logger: { level, name: 'adomix-serve', stream: process.stderr },
      });
      const stop = stopOnSignals((sig) => server.app.log.info(`${sig}: checkpointing every run and stopping`));
      const address = await server.app.listen({ host: o.host, port: o.port });
      process.stdout.write(`adomix serve: listening on ${address}\n`);
      server.app.log.info({ runs: server.runs.list().map((e) => ({ id: e.run.id, applied: e.run.applied })) }, 'runs restored');
      await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
      await server.close();
      stop.dispose();
      stop.exitIfStopped();
    });
}
