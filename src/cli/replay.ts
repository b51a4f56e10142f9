/**
 * `adomix replay <steplog>`: feed a logged run's steps, in order, to a mixture policy and
 * write the mixture it would have chosen after each step (src/replay does the work).
 *
 * Lines go to --out (written atomically) or, without --out, to stdout; progress and logs
 * (pino, JSON lines; level from ADOMIX_LOG_LEVEL, default info) go to stderr. With --out,
 * stdout gets a summary table (or one JSON object with --json). SIGINT and SIGTERM stop after
 * the current step with a checkpoint and exit 130 / 143.
 */
import { Command, Option } from 'commander';
import { budgetOption, integerOption, positiveNumberOption } from './options.js';
import pino from 'pino';
import { runReplay, type ReplayOptions, type ReplaySummary } from '../replay/index.js';
import { stopOnSignals } from './signals.js';
import { addImportOptions, describeInput, importOptionsOf, type ImportCliOptions } from './importOptions.js';

export { runReplay, type ReplayOptions, type ReplaySummary };

interface ReplayCliOptions extends Omit<ReplayOptions, 'import'>, ImportCliOptions {
  json?: boolean;
}

export function register(program: Command): void {
  const replay = program
    .command('replay')
    .summary('replay a step log through a mixture policy and write the weights it would choose')
    .description(
      [
        "Feed a step log's steps, in order, to a mixture policy and write one JSON line per step: " +
          '{"step":t,"weights":[…]} (the mixture for step t+1), plus "params":[[a,e,alpha],…] ' +
          '(null for a domain without a law) on lines where the fitted laws changed, and "fit":[…] (each refitted ' +
          "domain's diagnostics: points, rms, r2, se, activeBounds, refused) with \"alerts\":[…] (collapse alerts) " +
          'on lines where a refit was applied.',
        'Policies: ado (Adaptive Data Optimization), natural (the prior μ: the header\'s "prior", ' +
          "else each domain's share of the log's counts), balanced (uniform), odm (Online Data " +
          'Mixing, EXP3). ADO\'s prior μ is the natural mixture too.',
        'ADO defaults: refit every 1000 steps from step 1000, ignore the first 500 steps, same-step ' +
          'counts, bounds following the data, at least 20 points per fit, refits applied 100 steps ' +
          'after they start. --preset reference reproduces the authors\' code (ignore 1000, start 1000, ' +
          'their bounds, refits applied at once).',
        'Without --out the lines go to stdout; with --out they go to that file (written atomically) ' +
          'and stdout gets a summary (one JSON object with --json). Progress and logs go to stderr ' +
          '(log level from ADOMIX_LOG_LEVEL: debug, info, warn, error, silent; default info).',
        '--checkpoint FILE writes the policy state at the end of the log (or when stopped by SIGINT/SIGTERM), and ' +
          'with --checkpoint-every N also after every step t with (t+1) % N = 0. --resume FILE restores a checkpoint ' +
          'and continues with the first log step after the one it reached; the policy settings come from the checkpoint. ' +
          'A resume checks that the log is the one the checkpoint was made from, and rebuilds --out whole, so it ends ' +
          'byte for byte as an uninterrupted replay would.',
        'Files: --out and --checkpoint must not be the step log, the checkpoint resumed from (except --checkpoint, ' +
          'which may update it in place) or each other; a directory, FIFO or device is refused; a symbolic link is ' +
          'written through (the file it points to is replaced, the link stays).',
        'Logs from other loggers are replayed directly, as adomix import reads them (a W&B-style wide CSV/TSV with ' +
          '--loss-columns, TensorBoard event files or a log directory with --loss-tags, and their count options); ' +
          'stderr says what was detected. A sparse log (one record per evaluation) is fed one evaluation per policy ' +
          'step, numbered from 0; ADO then fits every point with a smoothing window in points, and its schedule ' +
          '(--start-step, --refit-interval, --ignore-steps) counts evaluations: by default it refits about 50 times, ' +
          'from the evaluation that gives min(20, max(5, evaluations/2)) points, with refits applied at once.',
        'Data budgets (ADO): --budget name=N,... (or the header\'s "budget"), --max-epochs and --planned-steps (or the ' +
          'header\'s "maxEpochs", "plannedSteps") cap each domain\'s share so that it draws at most N × max-epochs by the ' +
          'planned end; a domain whose allowance is spent is treated as exhausted. A resumed replay keeps the checkpoint\'s budget.',
      ].join('\n\n'),
    )
    .argument('<steplog>', 'step log to replay (.jsonl, or .csv)')
    .addOption(new Option('--policy <policy>', 'mixture policy (default: ado; when resuming, the checkpoint\'s)').choices(['ado', 'natural', 'balanced', 'odm']))
    .addOption(new Option('--preset <preset>', 'ADO preset: default, or reference (the authors\' code exactly)').choices(['default', 'reference']))
    .addOption(new Option('--start-step <n>', 'ADO: first step that may refit').argParser(integerOption(0)))
    .addOption(new Option('--refit-interval <n>', 'ADO: refit after every step that is a multiple of n').argParser(integerOption(1)))
    .addOption(new Option('--ignore-steps <n>', 'ADO: steps dropped at the start of every fit').argParser(integerOption(0)))
    .addOption(
      new Option('--count-mode <mode>', 'ADO: how n grows: same-step (whole batch every step) or per-domain (own examples)').choices([
        'same-step',
        'per-domain',
      ]),
    )
    .option('--budget <name=N,...>', 'ADO: examples (or tokens, per the log\'s unit) each named domain holds (over the header\'s "budget")', budgetOption)
    .addOption(new Option('--max-epochs <x>', 'ADO: most passes over each budget (default: the header\'s "maxEpochs", else 1)').argParser(positiveNumberOption))
    .addOption(new Option('--planned-steps <n>', 'ADO: the run\'s planned number of steps, where the budget caps aim (default: the header\'s "plannedSteps")').argParser(integerOption(1)))
    .option('--out <file>', 'write the weight lines to this file (atomically) instead of stdout')
    .option('--checkpoint <file>', 'write the policy state to this file at the end of the log')
    .addOption(new Option('--checkpoint-every <n>', 'also checkpoint after every step t with (t+1) % n = 0').argParser(integerOption(1)))
    .option('--resume <file>', 'restore a checkpoint and continue after the log step it reached')
    .option('--skip-bad', 'skip bad step lines (and steps the policy rejects), and say how many')
    .option('--json', 'with --out: print the summary as one JSON object instead of a table')
    .addOption(new Option('--max-line-bytes <n>', 'longest step-log line accepted (default 64 MiB)').argParser(integerOption(1)));
  addImportOptions(replay).action(async (path: string, options: ReplayCliOptions) => {
    const stop = stopOnSignals((signal) => {
      process.stderr.write(`\nadomix replay: ${signal}: stopping after this step${options.checkpoint !== undefined ? ` (checkpoint → ${options.checkpoint}; resume with --resume ${options.checkpoint})` : ''}\n`);
    });
    try {
      const summary = await runReplay(path, {
        ...options,
        import: importOptionsOf(options),
        onInput: (input) => process.stderr.write(describeInput('replay', path, input)),
        logger: makeLogger(),
        signal: stop.signal,
      });
      process.stderr.write(describeRun(summary));
      if (options.out !== undefined) process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
    } finally {
      stop.dispose();
    }
    stop.exitIfStopped();
  });
}

function makeLogger(): pino.Logger {
  const level = process.env.ADOMIX_LOG_LEVEL ?? 'info';
  const allowed = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!allowed.includes(level)) throw new Error(`ADOMIX_LOG_LEVEL must be one of ${allowed.join(', ')}, got ${JSON.stringify(level)}`);
  return pino({ name: 'adomix-replay', level }, pino.destination({ fd: 2, sync: true }));
}

/** The stderr lines at the end of a replay. */
function describeRun(s: ReplaySummary): string {
  const skipped = s.skipped > 0 ? `adomix replay: skipped ${s.skipped} bad step${s.skipped === 1 ? '' : 's'}${s.firstSkipped ? ` (first: ${s.firstSkipped})` : ''}\n` : '';
  return (
    skipped +
    (s.sparse !== undefined ? `adomix replay: ${s.sparse}\n` : '') +
    `adomix replay: ${s.steps} step${s.steps === 1 ? '' : 's'} replayed with ${s.policy}` +
    (s.firstStep !== null ? ` (steps ${s.firstStep}–${s.lastStep})` : '') +
    (s.policy === 'ado' ? `, ${s.lawUpdates} law update${s.lawUpdates === 1 ? '' : 's'}` : '') +
    (s.refusedFits ? `, ${s.refusedFits} fit${s.refusedFits === 1 ? '' : 's'} refused` : '') +
    (s.alerts ? `, ${s.alerts} collapse alert${s.alerts === 1 ? '' : 's'}` : '') +
    (s.out !== null ? `; weights → ${s.out}` : '') +
    (s.checkpoint !== null ? `; checkpoint → ${s.checkpoint}` : '') +
    (s.stopped === 'aborted' ? '; stopped before the end of the log' : '') +
    '\n'
  );
}

export function formatSummary(s: ReplaySummary): string {
  const rows: [string, string][] = [
    ['step log', s.steplog],
    ['policy', s.policy],
    ['domains', s.domains.join(', ')],
    ['steps replayed', `${s.steps}${s.firstStep !== null ? ` (steps ${s.firstStep}–${s.lastStep})` : ''}`],
    ['skipped', String(s.skipped)],
  ];
  if (s.policy === 'ado') rows.push(['law updates', String(s.lawUpdates)]);
  if (s.policy === 'ado') rows.push(['refused fits', String(s.refusedFits ?? 0)], ['collapse alerts', String(s.alerts ?? 0)]);
  if (s.resumedFrom !== null) rows.push(['resumed from', `${s.resumedFrom} (after step ${s.resumedAfter})`]);
  rows.push(['weights', s.out ?? 'stdout']);
  if (s.checkpoint !== null) rows.push(['checkpoint', `${s.checkpoint} (${s.checkpointsWritten} written)`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}
