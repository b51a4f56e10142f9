/**
 * `adomix train`: pretrain the built-in character-level language model on the built-in
 * multi-domain corpus (code, prose, JSON, random characters) with a mixture policy
 * choosing each batch's domains — ADO by default.
 *
 * The run directory (--out, default runs/<time>-<policy>) receives config.json (the
 * resolved config), steps.jsonl (the step log, replayable with `adomix replay`),
 * checkpoint.json + weights-<step>.bin (resumable with --resume DIR) and train.log (pino
 * JSON lines). Progress goes to stderr; stdout gets the final table of each domain's
 * held-out loss and final weight (one JSON object with --json). SIGINT (Ctrl-C) and SIGTERM
 * stop after the current step with a checkpoint and exit 130 / 143.
 *
 * A fresh run refuses a --out directory that already holds a run or other files (unless
 * --force), and checks the backend and the batch size before it writes anything. A resume
 * refuses files of another run, an edited config.json and a corrupt weights file.
 *
 * tfjs is imported only when the command runs, so other commands start fast.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pino from 'pino';
import { readStepLog, resolveOutputTarget, writeFileAtomic } from '../runlog/index.js';
import { writeRunReport } from '../report/index.js';
import { isDiskData, parseTrainConfig, type TrainConfig } from '../train/trainConfig.js';
import { MAX_SEED } from '../random/index.js';
import { integerOption, seedOption } from './options.js';
import type { BuiltinRunResult } from '../train/runTraining.js';
import type { StepProgress } from '../tfjs/trainLoop.js';
import { stopOnSignals } from './signals.js';

export interface TrainCliOptions {
  config?: string;
  policy?: TrainConfig['policy'];
  steps?: number;
  seed?: number;
  out?: string;
  backend?: string;
  resume?: string;
  batchSize?: number;
  evalEvery?: number;
  checkpointEvery?: number;
  force?: boolean;
  json?: boolean;
  progress?: boolean;
  data?: string;
  tokenizer?: 'byte' | 'gpt2';
  heldOut?: number;
  heldOutFiles?: number;
  textField?: string;
  skipBadLines?: boolean;
  model?: 'mlp' | 'gpt';
  context?: number;
  layers?: number;
  heads?: number;
  width?: number;
}

/** The flags that shape the model and the corpus: a resumed run keeps its config's. */
const SETUP_FLAGS = [
  ['--config', 'config'],
  ['--policy', 'policy'],
  ['--seed', 'seed'],
  ['--out', 'out'],
  ['--batch-size', 'batchSize'],
  ['--data', 'data'],
  ['--tokenizer', 'tokenizer'],
  ['--held-out', 'heldOut'],
  ['--held-out-files', 'heldOutFiles'],
  ['--text-field', 'textField'],
  ['--skip-bad-lines', 'skipBadLines'],
  ['--model', 'model'],
  ['--context', 'context'],
  ['--layers', 'layers'],
  ['--heads', 'heads'],
  ['--width', 'width'],
] as const;

/** What `adomix train --json` prints. */
export interface TrainSummary {
  outDir: string;
  backend: string;
  policy: string;
  steps: number;
  stopped: BuiltinRunResult['stopped'];
  resumed: boolean;
  seconds: number;
  msPerStep: number;
  parameters: number;
  domains: { name: string; heldOut: number | null; weight: number; natural: number; examples: number }[];
  /** Mean held-out loss over the learnable domains (all, but the built-in corpus's `random`). */
  meanHeldOutLearnable: number | null;
  /** What the losses are per: `char` (the built-in corpus), `byte` or `token` (GPT-2 BPE). */
  lossUnit: 'char' | 'byte' | 'token';
  stepLog: string;
  /** The run's HTML report (adomix report). */
  report: string;
}

export function register(program: Command): void {
  program
    .command('train')
    .description('Pretrain a language model (a char MLP or a GPT) on a multi-domain corpus, built in or your own (--data), with a mixture policy (ADO by default).')
    .addHelpText(
      'after',
      [
        '',
        'Built-in data: code (JS/TS-like functions), prose (English), json (records) and random (uniform',
        'characters, which cannot be learned). --data PATH trains on your own files instead: a folder with',
        'one sub-folder per domain, or a manifest (.json); .txt, .md, .jsonl, .parquet (each also .gz) and',
        'nanoGPT .bin shards, tokenised once into a cache next to the data (docs/data.md).',
        'The run directory gets config.json, steps.jsonl (the step log: replay it with `adomix replay`),',
        'checkpoint.json + weights-*.bin, and train.log (pino JSON).',
        '',
        'Backends: auto (tensorflow → webgpu → wasm → cpu, the first that runs), or one by name;',
        'ADOMIX_BACKEND sets the default. --config FILE is JSON; command-line flags override it.',
        '--resume DIR continues the run in DIR (same --steps: exactly as if never stopped; only --steps,\n--backend, --eval-every and --checkpoint-every may change).',
      ].join('\n'),
    )
    .option('--config <file>', 'JSON config (every field optional)')
    .addOption(new Option('--policy <policy>', 'mixture policy').choices(['ado', 'natural', 'balanced', 'odm']))
    .addOption(new Option('--steps <n>', 'training steps').argParser(integerOption(1)))
    .addOption(new Option('--seed <n>', `model, sampler and shuffling seed (0 … ${MAX_SEED})`).argParser(seedOption))
    .addOption(new Option('--batch-size <n>', 'examples per step').argParser(integerOption(1)))
    .addOption(new Option('--eval-every <n>', 'held-out evaluation every n steps (0: only at the end)').argParser(integerOption(0)))
    .addOption(new Option('--checkpoint-every <n>', 'checkpoint every n steps (0: only at the end)').argParser(integerOption(0)))
    .option('--data <path>', 'your corpus: a folder of domain sub-folders, or a manifest (.json)')
    .addOption(new Option('--tokenizer <name>', '--data: byte (UTF-8 bytes, 256 ids; default) or gpt2 (GPT-2 BPE)').choices(['byte', 'gpt2']))
    .addOption(new Option('--held-out <fraction>', '--data: held-out fraction from the end of each domain (default 0.01)').argParser(fractionOption))
    .addOption(new Option('--held-out-files <share>', "--data: hold out this share of each domain's files (drawn by path) instead of its tail").argParser(fractionOption))
    .option('--text-field <name>', '--data: the text field of .jsonl lines and .parquet rows (default text)')
    .option('--skip-bad-lines', '--data: skip .jsonl lines without the text field, and count them')
    .addOption(new Option('--model <kind>', 'mlp (the char MLP; default) or gpt (a decoder-only transformer)').choices(['mlp', 'gpt']))
    .addOption(new Option('--context <n>', 'tokens of context (mlp default 16, gpt 64)').argParser(integerOption(1)))
    .addOption(new Option('--layers <n>', 'hidden layers (mlp) or transformer blocks (gpt; default 2)').argParser(integerOption(1)))
    .addOption(new Option('--heads <n>', 'gpt: attention heads (default 4)').argParser(integerOption(1)))
    .addOption(new Option('--width <n>', 'gpt: model width, a multiple of --heads (default 128)').argParser(integerOption(1)))
    .option('--out <dir>', 'run directory (default runs/<time>-<policy>)')
    .option('--backend <name>', 'tfjs backend: auto, tensorflow, webgpu, wasm, cpu (default $ADOMIX_BACKEND or auto)')
    .option('--resume <dir>', 'continue the run checkpointed in this directory')
    .option('--force', 'start a new run in --out even if it holds another run or other files (its run files are replaced)')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the summary as one JSON object')
    .action(async (options: TrainCliOptions) => {
      let outDir = '';
      const stop = stopOnSignals((signal) => {
        process.stderr.write(`\nadomix train: ${signal}: stopping after this step (a checkpoint is written); resume with --resume ${outDir}\n`);
      });
      try {
        const summary = await runTrainCommand(options, { signal: stop.signal, onOutDir: (dir) => (outDir = dir) });
        process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
      } finally {
        stop.dispose();
      }
      stop.exitIfStopped();
    });
}

function timestamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** The resolved config and run directory of a fresh run or a resumed one. */
async function resolveRun(options: TrainCliOptions): Promise<{ config: TrainConfig; outDir: string; resume: boolean }> {
  if (options.resume !== undefined) {
    if (options.force) throw new Error('--force starts a new run; it cannot be combined with --resume');
    for (const [flag, key] of SETUP_FLAGS) {
      if (options[key] !== undefined) throw new Error(`${flag} cannot be changed when resuming (the run's config.json holds it); only --steps, --backend, --eval-every and --checkpoint-every can`);
    }
    const dir = options.resume;
    const saved = parseTrainConfig(await readJson(join(dir, 'config.json'), 'run config'), join(dir, 'config.json'));
    const config = parseTrainConfig({
      ...saved,
      ...(options.steps !== undefined ? { steps: options.steps } : {}),
      ...(options.backend !== undefined ? { backend: options.backend } : {}),
      ...(options.evalEvery !== undefined ? { evalEvery: options.evalEvery } : {}),
      ...(options.checkpointEvery !== undefined ? { checkpointEvery: options.checkpointEvery } : {}),
    });
    return { config, outDir: dir, resume: true };
  }
  const fromFile = options.config !== undefined ? await readJson(options.config, 'config') : {};
  if (fromFile === null || typeof fromFile !== 'object' || Array.isArray(fromFile)) throw new Error(`${options.config}: the config must be a JSON object`);
  const base = parseTrainConfig(fromFile, options.config ?? 'config');
  const overrides: Record<string, unknown> = {};
  if (options.policy !== undefined) overrides.policy = options.policy;
  if (options.steps !== undefined) overrides.steps = options.steps;
  if (options.seed !== undefined) overrides.seed = options.seed;
  if (options.backend !== undefined) overrides.backend = options.backend;
  if (options.batchSize !== undefined) overrides.batchSize = options.batchSize;
  if (options.evalEvery !== undefined) overrides.evalEvery = options.evalEvery;
  if (options.checkpointEvery !== undefined) overrides.checkpointEvery = options.checkpointEvery;
  const data = dataOverrides(base, options);
  if (data !== undefined) overrides.data = data;
  const model = modelOverrides(base, options);
  if (model !== undefined) overrides.model = model;
  // A new run gets a new id, whatever a copied config.json says.
  const config = parseTrainConfig({ ...base, ...overrides, runId: randomUUID() }, 'command line');
  const outDir = options.out ?? join('runs', `${timestamp()}-${config.policy}`);
  await checkNewRunDir(outDir, options.force === true);
  return { config, outDir, resume: false };
}

/** `data` with the corpus flags applied (undefined: none given). --data replaces the config's corpus. */
function dataOverrides(base: TrainConfig, o: TrainCliOptions): Record<string, unknown> | undefined {
  const flags = { tokenizer: o.tokenizer, heldOut: o.heldOut, heldOutFiles: o.heldOutFiles, textField: o.textField, skipBadLines: o.skipBadLines };
  const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  if (o.data === undefined && Object.keys(given).length === 0) return undefined;
  const from = o.data !== undefined ? { path: o.data } : isDiskData(base.data) ? base.data : undefined;
  if (from === undefined) {
    throw new Error(`--${Object.keys(given)[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to a corpus on disk: give --data PATH (or data.path in the config)`);
  }
  return { ...(isDiskData(base.data) ? base.data : {}), ...from, ...given };
}

/** `model` with the model flags applied (undefined: none given). Another --model starts from its defaults. */
function modelOverrides(base: TrainConfig, o: TrainCliOptions): Record<string, unknown> | undefined {
  const flags = { context: o.context, layers: o.layers, heads: o.heads, width: o.width };
  const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  if (o.model === undefined && Object.keys(given).length === 0) return undefined;
  const kind = o.model ?? base.model.kind;
  return { ...(kind === base.model.kind ? base.model : {}), kind, ...given };
}

/** A fraction in (0, 1). */
function fractionOption(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !(x > 0 && x < 1)) throw new InvalidArgumentError('It must be a fraction between 0 and 1 (exclusive).');
  return x;
}

/** The files a run writes into its directory. */
const RUN_FILES = ['config.json', 'steps.jsonl', 'checkpoint.json', 'train.log', 'report.html'];
const isRunFile = (name: string): boolean => RUN_FILES.includes(name) || /^weights-\d+\.bin(\.tmp-\d+)?$/.test(name) || /\.tmp-\d+$/.test(name);

/**
 * A new run's directory must be new or empty. One that holds a run (finished or not) or
 * anything else is refused, unless `force`: then the run files in it are removed (other
 * files stay) and the new run starts there.
 */
async function checkNewRunDir(outDir: string, force: boolean): Promise<void> {
  const info = await stat(outDir).catch(() => undefined);
  if (info === undefined) return;
  if (!info.isDirectory()) throw new Error(`--out ${outDir} exists and is not a directory; a run needs a directory of its own`);
  const entries = await readdir(outDir);
  if (entries.length === 0) return;
  if (!force) {
    if (entries.includes('checkpoint.json')) {
      throw new Error(`${outDir} already holds a run (checkpoint.json); resume it with --resume ${outDir}, choose another --out, or add --force to start over there (its run files are replaced)`);
    }
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
    throw new Error(
      `${outDir} is not empty and is not an adomix run directory (it holds ${shown}); choose a new or empty --out, or add --force to write the run there (${RUN_FILES.join(', ')} and weights-*.bin would be replaced)`,
    );
  }
  for (const name of entries.filter(isRunFile)) {
    resolveOutputTarget(join(outDir, name)); // never a directory or a FIFO under a run file's name
    await rm(join(outDir, name));
  }
}

const fmt = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : '—');

/** One progress line: bar, step, loss, weights, speed. */
export function progressLine(p: StepProgress, domains: readonly string[], firstStep = 0, width = 20): string {
  const done = (p.step + 1) / p.steps;
  const filled = Math.round(done * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const msPerStep = p.elapsedMs / Math.max(1, p.step + 1 - firstStep);
  const eta = ((p.steps - p.step - 1) * msPerStep) / 1000;
  const w = domains.map((d, k) => `${d} ${p.nextWeights[k].toFixed(2)}`).join(' ');
  return `[${bar}] ${p.step + 1}/${p.steps} loss ${fmt(p.meanLoss)} | ${w} | ${msPerStep.toFixed(0)} ms/step, ${eta.toFixed(0)} s left`;
}

export interface TrainCommandHooks {
  /** Stops the run after the current step (with a checkpoint). */
  signal?: AbortSignal;
  /** Told the run directory once it is known. */
  onOutDir?: (dir: string) => void;
}

export async function runTrainCommand(options: TrainCliOptions, hooks: TrainCommandHooks = {}): Promise<TrainSummary> {
  const { config, outDir, resume } = await resolveRun(options);
  hooks.onOutDir?.(outDir);
  const { runBuiltinTraining, checkRunFits } = await import('../train/runTraining.js');
  const { buildTask } = await import('../train/buildTask.js');
  const { selectBackend } = await import('../tfjs/backend.js');
  // What can fail before the run starts fails before anything is written.
  const backend = await selectBackend({ backend: config.backend === 'auto' ? undefined : config.backend });
  checkRunFits(config);
  const err = process.stderr;
  const tty = err.isTTY === true && options.progress !== false;
  const quiet = options.progress === false;
  let lastLine = 0;
  // The corpus (tokenised into its own cache, the first time) and the model, before the run directory.
  const task = await buildTask(config, {
    onCorpusProgress: (p) => {
      const now = performance.now();
      if (quiet || (now - lastLine < (tty ? 250 : 5000) && p.bytesDone < p.bytesTotal)) return;
      lastLine = now;
      const pct = p.bytesTotal > 0 ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 100;
      const line = `adomix train: tokenising ${p.domain} (${p.file}) ${pct}% · ${p.mbPerSecond.toFixed(1)} MB/s`;
      err.write(tty ? `\r${line}\x1b[K${p.bytesDone >= p.bytesTotal ? '\n' : ''}` : `${line}\n`);
    },
  });
  const skipped = task.corpus?.domains.filter((d) => d.skippedLines > 0) ?? [];
  if (skipped.length > 0) {
    err.write(`adomix train: skipped lines without usable text (--skip-bad-lines): ${skipped.map((d) => `${d.name} ${d.skippedLines}`).join(', ')}\n`);
  }
  let log: pino.Logger;
  try {
    await mkdir(outDir, { recursive: true });
    if (!resume) await writeFileAtomic(join(outDir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
    const logFile = join(outDir, 'train.log');
    resolveOutputTarget(logFile);
    log = pino({ name: 'adomix-train', level: process.env.ADOMIX_LOG_LEVEL ?? 'info' }, pino.destination({ dest: logFile, sync: true, append: true }));
  } catch (e) {
    task.dispose();
    throw e;
  }
  let domains: string[] = [];
  let firstStep: number | undefined;
  let result: BuiltinRunResult;
  try {
    log.info({ config, outDir, resume }, resume ? 'resuming' : 'starting');
    result = await runBuiltinTraining(config, {
      outDir,
      resume,
      backend,
      runId: config.runId,
      signal: hooks.signal,
      task,
      onBackend: (b) => {
        const skipped = b.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
        err.write(`adomix train: backend ${b.name} (${b.detail})${skipped ? ` — skipped ${skipped}` : ''}\n`);
        log.info({ backend: b.name, detail: b.detail, skipped: b.skipped, requested: b.requested }, 'backend');
      },
      onReady: (info) => {
        domains = info.domains;
        err.write(
          `adomix train: ${config.policy} on ${info.domains.join(', ')} (natural ${info.prior.map((p) => p.toFixed(2)).join('/')}), ` +
            `${Math.round(info.parameters / 1000)}k parameters, ${config.steps} steps × ${config.batchSize} examples → ${outDir}\n`,
        );
      },
      onStep: (p) => {
        if (domains.length === 0) domains = [...Array(p.loss.length).keys()].map(String);
        firstStep ??= p.step;
        const line = progressLine(p, domains, firstStep);
        if (tty) {
          const now = performance.now();
          if (now - lastLine > 100 || p.step === p.steps - 1) {
            err.write(`\r${line}\x1b[K`);
            lastLine = now;
          }
        } else if (!quiet && (p.evalLoss !== undefined || p.step === firstStep)) {
          err.write(`${line}\n`);
        }
        if (p.evalLoss !== undefined) {
          log.info(
            { step: p.step, evalLoss: Array.from(p.evalLoss), weights: Array.from(p.nextWeights), meanLoss: p.meanLoss, elapsedMs: Math.round(p.elapsedMs) },
            'evaluation',
          );
        }
        if (p.params !== undefined) log.info({ step: p.step, params: p.params }, 'laws refitted');
      },
      onCheckpoint: ({ step, path }) => log.info({ step, path }, 'checkpoint'),
    });
  } catch (e) {
    log.error({ err: e instanceof Error ? e.message : String(e) }, 'failed');
    throw e;
  } finally {
    if (tty) err.write('\n');
  }
  if (domains.length === 0) domains = result.domains;
  if (resume && result.lastStep < result.firstStep) {
    err.write(`adomix train: ${outDir} has already run ${result.firstStep} steps (steps 0–${result.firstStep - 1}); --steps ${config.steps} asks for no more, so there is nothing to do (raise --steps to continue)\n`);
  }
  // Examples each domain contributed over the whole run, from the step log.
  const steplog = await readStepLog(join(outDir, 'steps.jsonl'));
  const examples = new Array<number>(result.domains.length).fill(0);
  for (const r of steplog.records) r.count.forEach((c, k) => (examples[k] += c));
  // The built-in `random` domain cannot be learned (its loss stays near ln 96): the mean leaves it out.
  const unlearnable = isDiskData(config.data) ? '' : 'random';
  const learnable = result.domains.map((d, k) => (d === unlearnable ? NaN : result.heldOut[k])).filter((x) => Number.isFinite(x));
  const summary: TrainSummary = {
    outDir,
    backend: result.backend.name,
    policy: config.policy,
    steps: steplog.records.length,
    stopped: result.stopped,
    resumed: resume,
    seconds: Math.round(result.seconds * 10) / 10,
    msPerStep: Math.round(result.msPerStep * 100) / 100,
    parameters: result.parameters,
    domains: result.domains.map((name, k) => ({
      name,
      heldOut: Number.isFinite(result.heldOut[k]) ? result.heldOut[k] : null,
      weight: result.weights[k],
      natural: result.prior[k],
      examples: examples[k],
    })),
    meanHeldOutLearnable: learnable.length > 0 ? learnable.reduce((a, b) => a + b, 0) / learnable.length : null,
    lossUnit: !isDiskData(config.data) ? 'char' : config.data.tokenizer === 'gpt2' ? 'token' : 'byte',
    stepLog: join(outDir, 'steps.jsonl'),
    report: await writeRunReport(outDir, { countMode: config.ado.countMode ?? 'same-step' }),
  };
  log.info(summary, result.stopped === 'done' ? 'finished' : `stopped (${result.stopped})`);
  log.flush();
  return summary;
}

export function formatSummary(s: TrainSummary): string {
  const head = ['domain', 'held-out loss', 'final weight', 'natural', 'examples seen'];
  const rows = s.domains.map((d) => [d.name, d.heldOut === null ? '—' : d.heldOut.toFixed(4), d.weight.toFixed(3), d.natural.toFixed(3), String(d.examples)]);
  const width = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (c: string[]): string => c.map((v, j) => (j === 0 ? v.padEnd(width[j]) : v.padStart(width[j]))).join('  ');
  const stopped = s.stopped === 'done' ? '' : ` (stopped: ${s.stopped})`;
  return [
    `${s.policy} · ${s.steps} steps${stopped} · backend ${s.backend} · ${s.msPerStep} ms/step · ${s.seconds} s`,
    '',
    line(head),
    ...rows.map(line),
    '',
    `mean held-out loss over learnable domains: ${s.meanHeldOutLearnable === null ? '—' : s.meanHeldOutLearnable.toFixed(4)} nats/${s.lossUnit}` +
      (s.domains.some((d) => d.name === 'random') ? ` (random stays near ln 96 = ${Math.log(96).toFixed(3)})` : ''),
    `step log: ${s.stepLog}   (replay: adomix replay ${s.stepLog})`,
    `report:   ${s.report}`,
    `resume:   adomix train --resume ${s.outDir} --steps <more>`,
    '',
  ].join('\n');
}
