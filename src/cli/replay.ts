/**
 * `adomix replay <steplog>`: feed a logged run's steps, in order, to a mixture policy and
 * write the mixture it would have chosen after each step (and, for ADO, the laws it fitted).
 *
 * Output, one JSON line per step t: {"step":t,"weights":[…]} — the mixture for step t+1 —
 * plus "params":[[a,e,alpha]|null,…] on the lines where the fitted laws changed. Lines go
 * to --out (written atomically) or, without --out, to stdout; progress and logs (pino, JSON
 * lines; level from ADOMIX_LOG_LEVEL, default info) go to stderr. With --out, stdout gets a
 * summary table (or one JSON object with --json).
 *
 * The policy sees consecutive steps: it numbers them from the log's first step, so a log
 * with bad lines skipped (--skip-bad) is replayed as if the skipped steps never happened;
 * output lines keep the log's own step numbers. Checkpoints store the log step reached
 * (meta.logStep), and --resume continues with the first log step after it.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import {
  AdoPolicy,
  OdmPolicy,
  StaticPolicy,
  type AdoPolicyOptions,
  type MixturePolicy,
} from '../mixing/index.js';
import { AtomicFileWriter, loadCheckpoint, openStepLog, writeCheckpoint, type StepLogHeader } from '../runlog/index.js';

type PolicyName = 'ado' | 'natural' | 'balanced' | 'odm';

export interface ReplayOptions {
  policy: PolicyName;
  preset?: 'reference' | 'default';
  startStep?: number;
  refitInterval?: number;
  ignoreSteps?: number;
  countMode?: 'same-step' | 'per-domain';
  out?: string;
  checkpoint?: string;
  checkpointEvery?: number;
  resume?: string;
  skipBad?: boolean;
  json?: boolean;
}

/** What a replay did (printed with --json when --out is given). */
export interface ReplaySummary {
  steplog: string;
  policy: string;
  domains: string[];
  /** Steps fed to the policy in this invocation. */
  steps: number;
  /** First and last log step fed (null when none). */
  firstStep: number | null;
  lastStep: number | null;
  /** Bad lines (and, with --skip-bad, steps the policy rejected) skipped. */
  skipped: number;
  /** Lines whose laws changed (ADO). */
  lawUpdates: number;
  out: string | null;
  checkpoint: string | null;
  checkpointsWritten: number;
  resumedFrom: string | null;
  /** Log step the resumed checkpoint had reached (null when not resuming). */
  resumedAfter: number | null;
}

const ADO_FLAGS = [
  ['preset', '--preset'],
  ['startStep', '--start-step'],
  ['refitInterval', '--refit-interval'],
  ['ignoreSteps', '--ignore-steps'],
  ['countMode', '--count-mode'],
] as const;

function integerAtLeast(min: number, what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^[+]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`It must be ${what}.`);
    }
    return n;
  };
}

export function register(program: Command): void {
  program
    .command('replay')
    .summary('replay a step log through a mixture policy and write the weights it would choose')
    .description(
      [
        "Feed a step log's steps, in order, to a mixture policy and write one JSON line per step: " +
          '{"step":t,"weights":[…]} (the mixture for step t+1), plus "params":[[a,e,alpha],…] ' +
          '(null for a domain without a law) on lines where the fitted laws changed.',
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
        '--checkpoint FILE writes the policy state at the end of the log, and with --checkpoint-every N ' +
          'also after every step t with (t+1) % N = 0. --resume FILE restores a checkpoint and continues ' +
          'with the first log step after the one it reached; the policy settings come from the checkpoint.',
      ].join('\n\n'),
    )
    .argument('<steplog>', 'step log to replay (.jsonl, or .csv)')
    .addOption(new Option('--policy <policy>', 'mixture policy').choices(['ado', 'natural', 'balanced', 'odm']).default('ado'))
    .addOption(new Option('--preset <preset>', 'ADO preset: default, or reference (the authors\' code exactly)').choices(['default', 'reference']))
    .addOption(new Option('--start-step <n>', 'ADO: first step that may refit').argParser(integerAtLeast(0, 'a non-negative integer')))
    .addOption(new Option('--refit-interval <n>', 'ADO: refit after every step that is a multiple of n').argParser(integerAtLeast(1, 'a positive integer')))
    .addOption(new Option('--ignore-steps <n>', 'ADO: steps dropped at the start of every fit').argParser(integerAtLeast(0, 'a non-negative integer')))
    .addOption(
      new Option('--count-mode <mode>', 'ADO: how n grows: same-step (whole batch every step) or per-domain (own examples)').choices([
        'same-step',
        'per-domain',
      ]),
    )
    .option('--out <file>', 'write the weight lines to this file (atomically) instead of stdout')
    .option('--checkpoint <file>', 'write the policy state to this file at the end of the log')
    .addOption(new Option('--checkpoint-every <n>', 'also checkpoint after every step t with (t+1) % n = 0').argParser(integerAtLeast(1, 'a positive integer')))
    .option('--resume <file>', 'restore a checkpoint and continue after the log step it reached')
    .option('--skip-bad', 'skip bad step lines (and steps the policy rejects), and say how many')
    .option('--json', 'with --out: print the summary as one JSON object instead of a table')
    .action(async (path: string, options: ReplayOptions) => {
      const summary = await runReplay(path, options);
      if (options.out !== undefined) {
        process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
      }
    });
}

function makeLogger(): pino.Logger {
  const level = process.env.ADOMIX_LOG_LEVEL ?? 'info';
  const allowed = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!allowed.includes(level)) throw new Error(`ADOMIX_LOG_LEVEL must be one of ${allowed.join(', ')}, got ${JSON.stringify(level)}`);
  return pino({ name: 'adomix-replay', level }, pino.destination({ fd: 2, sync: true }));
}

/** Buffered line output to a file (atomic) or to stdout (respecting back-pressure). */
class LineSink {
  private parts: string[] = [];
  private size = 0;
  private readonly file: AtomicFileWriter | undefined;

  constructor(path: string | undefined) {
    this.file = path === undefined ? undefined : new AtomicFileWriter(path);
  }

  async write(line: string): Promise<void> {
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (this.file) this.file.write(chunk);
    else if (!process.stdout.write(chunk)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }

  async close(): Promise<void> {
    await this.flush();
    this.file?.closeSync();
  }

  abort(): void {
    this.file?.abort();
  }
}

/** Count shares of the whole log: the natural mixture when the header has no prior. */
async function countShares(path: string, header: StepLogHeader, skipBad: boolean): Promise<number[]> {
  const totals = new Array<number>(header.domains.length).fill(0);
  const stream = await openStepLog(path, { skipBad });
  for await (const r of stream) for (let k = 0; k < totals.length; k++) totals[k] += r.count[k];
  const sum = totals.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) throw new Error(`${path}: no prior in the header and no counts in the log: cannot form the natural mixture`);
  return totals.map((c) => c / sum);
}

async function buildPolicy(path: string, header: StepLogHeader, o: ReplayOptions): Promise<MixturePolicy> {
  const { domains } = header;
  if (o.policy === 'balanced') return StaticPolicy.balanced(domains);
  if (o.policy === 'odm') return new OdmPolicy({ domains });
  const prior = header.prior ?? (await countShares(path, header, o.skipBad === true));
  if (o.policy === 'natural') return StaticPolicy.natural(domains, prior);
  const ado: AdoPolicyOptions = { domains, prior, preset: o.preset ?? 'default' };
  if (o.startStep !== undefined) ado.startStep = o.startStep;
  if (o.refitInterval !== undefined) ado.refitInterval = o.refitInterval;
  if (o.ignoreSteps !== undefined) ado.ignoreSteps = o.ignoreSteps;
  if (o.countMode !== undefined) ado.countMode = o.countMode;
  return new AdoPolicy(ado);
}

function checkResumed(policy: MixturePolicy, header: StepLogHeader, o: ReplayOptions, source: string): void {
  const kind = policy.kind === 'static' ? 'natural' : policy.kind;
  if (kind !== o.policy) {
    throw new Error(`${source}: the checkpoint holds a "${policy.kind}" policy, but --policy is ${o.policy}`);
  }
  const same = policy.domains.length === header.domains.length && policy.domains.every((d, k) => d === header.domains[k]);
  if (!same) {
    throw new Error(`${source}: the checkpoint's domains (${policy.domains.join(', ')}) differ from the log's (${header.domains.join(', ')})`);
  }
  if (policy instanceof AdoPolicy) {
    const s = policy.settings;
    for (const [key, flag] of ADO_FLAGS) {
      const given = o[key];
      if (given !== undefined && given !== s[key]) {
        throw new Error(`${flag} ${given} conflicts with the checkpoint's ${key} ${String(s[key])}; a resumed policy keeps its settings`);
      }
    }
  }
}

/** The replay itself; exported for tests and embedding. */
export async function runReplay(path: string, o: ReplayOptions): Promise<ReplaySummary> {
  const log = makeLogger();
  if (o.policy !== 'ado') {
    for (const [key, flag] of ADO_FLAGS) {
      if (o[key] !== undefined) throw new Error(`${flag} applies to --policy ado only (got --policy ${o.policy})`);
    }
  }
  if (o.checkpointEvery !== undefined && o.checkpoint === undefined) {
    throw new Error('--checkpoint-every needs --checkpoint <file> to write to');
  }
  const skipBad = o.skipBad === true;
  const stream = await openStepLog(path, { skipBad });
  const { header } = stream;

  let policy: MixturePolicy;
  let resumedAfter: number | null = null;
  if (o.resume !== undefined) {
    const loaded = await loadCheckpoint(o.resume);
    policy = loaded.policy;
    checkResumed(policy, header, o, o.resume);
    const meta = loaded.checkpoint.meta;
    const logStep = meta !== undefined && typeof meta.logStep === 'number' ? meta.logStep : loaded.checkpoint.policy.step;
    resumedAfter = logStep;
    log.info({ checkpoint: o.resume, logStep, policy: policy.kind }, 'resumed from checkpoint');
  } else {
    policy = await buildPolicy(path, header, o);
  }

  const sink = new LineSink(o.out);
  const summary: ReplaySummary = {
    steplog: path,
    policy: policy.kind,
    domains: [...header.domains],
    steps: 0,
    firstStep: null,
    lastStep: null,
    skipped: 0,
    lawUpdates: 0,
    out: o.out ?? null,
    checkpoint: o.checkpoint ?? null,
    checkpointsWritten: 0,
    resumedFrom: o.resume ?? null,
    resumedAfter,
  };
  const ado = policy instanceof AdoPolicy ? policy : undefined;
  let lawsVersion = ado?.lawsVersion ?? 0;
  // The policy's own step counter (equal to the log's steps unless bad lines were skipped).
  let policyStep = policy.snapshot().step;
  let lastLogStep = resumedAfter ?? -1;
  let rejected = 0;
  let lastProgress = Date.now();
  const progress = process.stderr.isTTY === true;
  const saveCheckpoint = async (reason: string): Promise<void> => {
    if (o.checkpoint === undefined) return;
    await writeCheckpoint(o.checkpoint, policy, { logStep: lastLogStep, steplog: path });
    summary.checkpointsWritten++;
    log.info({ checkpoint: o.checkpoint, logStep: lastLogStep, reason }, 'checkpoint written');
  };

  try {
    for await (const r of stream) {
      if (resumedAfter !== null && r.step <= resumedAfter) continue;
      const step = policyStep < 0 ? r.step : policyStep + 1;
      const loss = r.loss.map((x) => (x === null ? NaN : x));
      const evalLoss = r.evalLoss?.map((x) => (x === null ? NaN : x));
      let w: Float64Array;
      try {
        w = policy.observe(evalLoss === undefined ? { step, loss, count: r.count } : { step, loss, count: r.count, evalLoss });
      } catch (err) {
        const msg = `${path}: log step ${r.step}: ${(err as Error).message}`;
        if (!skipBad) throw new Error(msg);
        rejected++;
        log.warn({ step: r.step }, msg);
        continue;
      }
      policyStep = step;
      lastLogStep = r.step;
      summary.steps++;
      summary.firstStep ??= r.step;
      summary.lastStep = r.step;
      let line = `{"step":${r.step},"weights":${JSON.stringify(Array.from(w))}`;
      if (ado !== undefined && ado.lawsVersion !== lawsVersion) {
        lawsVersion = ado.lawsVersion;
        summary.lawUpdates++;
        line += `,"params":${JSON.stringify(ado.laws())}`;
        const rep = ado.lastRefit;
        if (rep !== undefined) {
          log.info({ step: r.step, startedAfter: rep.startedAfter, changed: rep.changed.map((k) => header.domains[k]) }, 'laws updated');
        }
      }
      if (ado !== undefined) {
        const rep = ado.lastRefit;
        if (rep !== undefined && rep.appliedAfter === step) {
          for (const x of rep.results) {
            if (!x.ok) log.warn({ step: r.step, domain: header.domains[x.domain], points: x.points }, `refit kept the previous law: ${x.reason}`);
          }
          if (rep.error !== undefined) log.warn({ step: r.step }, `refit failed, laws kept: ${rep.error}`);
        }
      }
      await sink.write(`${line}}\n`);
      if (o.checkpointEvery !== undefined && (r.step + 1) % o.checkpointEvery === 0) {
        await sink.flush();
        await saveCheckpoint('every');
      }
      if (progress && Date.now() - lastProgress > 1000) {
        lastProgress = Date.now();
        process.stderr.write(`adomix replay: step ${r.step} (${summary.steps} replayed)\r`);
      }
    }
    await sink.close();
  } catch (err) {
    sink.abort();
    await policy.close();
    throw err;
  }
  summary.skipped = stream.skipped + rejected;
  if (summary.skipped > 0) {
    const first = stream.skippedLines[0]?.message;
    process.stderr.write(`adomix replay: skipped ${summary.skipped} bad step${summary.skipped === 1 ? '' : 's'}${first ? ` (first: ${first})` : ''}\n`);
  }
  await saveCheckpoint('end of log');
  await policy.close();
  process.stderr.write(
    `adomix replay: ${summary.steps} step${summary.steps === 1 ? '' : 's'} replayed with ${policy.kind}` +
      (summary.firstStep !== null ? ` (steps ${summary.firstStep}–${summary.lastStep})` : '') +
      (ado !== undefined ? `, ${summary.lawUpdates} law update${summary.lawUpdates === 1 ? '' : 's'}` : '') +
      (o.out !== undefined ? `; weights → ${o.out}` : '') +
      (o.checkpoint !== undefined ? `; checkpoint → ${o.checkpoint}` : '') +
      '\n',
  );
  return summary;
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
  if (s.resumedFrom !== null) rows.push(['resumed from', `${s.resumedFrom} (after step ${s.resumedAfter})`]);
  rows.push(['weights', s.out ?? 'stdout']);
  if (s.checkpoint !== null) rows.push(['checkpoint', `${s.checkpoint} (${s.checkpointsWritten} written)`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}
