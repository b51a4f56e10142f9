/**
 * `adomix schedule export <run dir or steplog> --format …`: a run's mixture, compressed into
 * its closest piecewise-constant stages, written for the engine that trains with it
 * (src/schedule does the work, src/stages the math).
 *
 * The export goes to --out (written atomically; stdout then gets a summary table, or one
 * JSON object with --json) or, without --out, to stdout. A line on stderr sums it up.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { exportSchedule, exportSummary, SCHEDULE_FORMATS, type ExportOptions, type ExportResult } from '../schedule/index.js';
import { DEFAULT_MAX_BLOCKS, MAX_DECIMALS } from '../stages/index.js';
import { integerOption, seedOption } from './options.js';
import { addImportOptions, importOptionsOf, type ImportCliOptions, type ImportFlagNames } from './importOptions.js';

/** Export has its own --format (the engine) and --weights (their source), so the input's are renamed. */
const INPUT_FLAGS: ImportFlagNames = { format: '--input-format', weights: '--input-weights' };

interface ExportCliOptions extends Omit<ExportOptions, 'import' | 'weights'>, Omit<ImportCliOptions, 'format' | 'weights'> {
  weights?: ExportOptions['weights'];
  inputFormat?: ImportCliOptions['format'];
  inputWeights?: string;
  json?: boolean;
}

/** `--paths code=PATH,prose=PATH` (the option may be repeated): dataset paths by domain. */
export function parsePaths(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const paths = { ...previous };
  for (const entry of value.split(',')) {
    const eq = entry.indexOf('=');
    const name = entry.slice(0, eq).trim();
    const path = entry.slice(eq + 1).trim();
    if (eq < 0 || name === '' || path === '') throw new InvalidArgumentError(`"${entry}" is not NAME=PATH (entries are separated by commas).`);
    if (Object.hasOwn(paths, name)) throw new InvalidArgumentError(`"${name}" is given twice.`);
    paths[name] = path;
  }
  return paths;
}

export function register(program: Command): void {
  const schedule = program
    .command('schedule')
    .summary('hand a run\'s mixture to static or staged training engines (Megatron-LM, OLMo-core, MosaicML, HF datasets)')
    .description(
      'Turn the mixture a run used (or that a policy would choose for a logged run) into the static or staged ' +
        'data mixtures that training engines read.',
    );

  const exportCommand = schedule
    .command('export')
    .summary('compress a run\'s mixture into N stages and write them for a training engine')
    .description(
      [
        'Read the weights every step of a run was drawn with (a run directory, or a step log: each step\'s "weights"; ' +
          'a log without them is replayed through --policy, as `adomix replay` does, and step t gets the mixture the ' +
          'policy chose after step t−1), and compress that trajectory into the --stages N piecewise-constant stages ' +
          'closest to it: least total squared distance Σ_t ‖w(t) − w_stage(t)‖², each stage holding the mean mixture of ' +
          'its steps. Exact dynamic programming on at most --blocks blocks of consecutive steps, whose boundaries are ' +
          'the candidate stage boundaries. The RMS distance √(Σ/T) is reported.',
        'Formats: megatron (a --data-path "weight prefix …" blend and --train-iters per stage, as bash arrays), ' +
          'olmo-core (a SourceMixtureList YAML document per stage), mosaic (a streams: YAML document per stage), ' +
          'hf (a Python snippet with one datasets.interleave_datasets call per stage), csv (stage,start_step,end_step,' +
          '<domain>… rows). --paths NAME=PATH,… gives the engines the datasets; without it the domain names stand in, ' +
          'marked with a "fill in" comment.',
        'Without --out the export goes to stdout; with --out to that file (written atomically, never over the step log ' +
          'or the run\'s files) and stdout gets a summary (one JSON object with --json: stages, boundaries, weights, RMS).',
      ].join('\n\n'),
    )
    .argument('<run>', 'a run directory (adomix train or simulate), a step log (.jsonl, or .csv), or a log adomix import reads (W&B CSV/TSV, TensorBoard)')
    .addOption(new Option('--format <format>', 'what to write').choices([...SCHEDULE_FORMATS]).makeOptionMandatory())
    .addOption(new Option('--stages <n>', 'N, the number of stages (1: the run\'s mean mixture)').argParser(integerOption(1)).default(1))
    .addOption(new Option('--min-steps <n>', 'the shortest stage, in steps').argParser(integerOption(1)).default(1))
    .addOption(new Option('--blocks <n>', 'search stage boundaries on at most n blocks of consecutive steps').argParser(integerOption(1)).default(DEFAULT_MAX_BLOCKS))
    .addOption(new Option('--decimals <n>', 'decimal places of the written weights (they sum to exactly 1)').argParser(integerOption(1, MAX_DECIMALS)).default(6))
    .option('--paths <name=path,...>', 'dataset paths (Megatron prefixes, .npy globs, MDS dirs or URLs, HF ids or files) by domain', parsePaths)
    .addOption(new Option('--seed <n>', 'the seed the hf snippet passes (default: the run\'s, else 0)').argParser(seedOption))
    .addOption(new Option('--weights <source>', 'the log\'s own weights, or a replay (auto: the log\'s when it has them)').choices(['auto', 'log', 'replay']).default('auto'))
    .addOption(new Option('--policy <policy>', 'replay: the mixture policy (default ado)').choices(['ado', 'natural', 'balanced', 'odm']))
    .addOption(new Option('--preset <preset>', 'replay, ADO preset: default, or reference (the authors\' code)').choices(['default', 'reference']))
    .addOption(new Option('--start-step <n>', 'replay, ADO: first step that may refit').argParser(integerOption(0)))
    .addOption(new Option('--refit-interval <n>', 'replay, ADO: refit after every step that is a multiple of n').argParser(integerOption(1)))
    .addOption(new Option('--ignore-steps <n>', 'replay, ADO: steps dropped at the start of every fit').argParser(integerOption(0)))
    .addOption(
      new Option('--count-mode <mode>', 'replay, ADO: how n grows: same-step or per-domain').choices(['same-step', 'per-domain']),
    )
    .option('--out <file>', 'write the export to this file (atomically) instead of stdout')
    .option('--skip-bad', 'skip bad step lines (and steps a replayed policy rejects), and say how many')
    .addOption(new Option('--max-line-bytes <n>', 'longest step-log line accepted (default 64 MiB)').argParser(integerOption(1)))
    .option('--json', 'with --out: print the summary as one JSON object instead of a table');
  addImportOptions(exportCommand, INPUT_FLAGS).action(async (input: string, options: ExportCliOptions & { blocks?: number }) => {
      if (options.json && options.out === undefined) throw new Error('--json needs --out: without it the export itself goes to stdout');
      const result = await exportSchedule(input, { ...options, maxBlocks: options.blocks, import: importOptionsOf(options, INPUT_FLAGS) });
      process.stderr.write(describeExport(result));
      if (options.out === undefined) process.stdout.write(result.text);
      else process.stdout.write(options.json ? `${JSON.stringify(exportSummary(result))}\n` : formatExportSummary(result));
    });
}

/** Where the weights came from, in a few words. */
function weightsWords(r: ExportResult): string {
  const t = r.trajectory;
  if (t.source === 'log') return 'from the step log';
  return `replayed with ${t.policy}${t.lawUpdates !== null && t.policy === 'ado' ? ` (${t.lawUpdates} law update${t.lawUpdates === 1 ? '' : 's'})` : ''}`;
}

/** The stderr lines at the end of an export. */
function describeExport(r: ExportResult): string {
  const p = r.plan;
  const t = r.trajectory;
  const skipped = t.skipped > 0 ? `adomix schedule export: skipped ${t.skipped} bad step${t.skipped === 1 ? '' : 's'}${t.firstSkipped ? ` (first: ${t.firstSkipped})` : ''}\n` : '';
  return (
    skipped +
    `adomix schedule export: ${p.stages.length} stage${p.stages.length === 1 ? '' : 's'} from ${p.steps} steps (${p.firstStep}–${p.lastStep}), ` +
    `weights ${weightsWords(r)}, RMS distance ${p.rms.toPrecision(4)}; ${r.format} → ${r.out ?? 'stdout'}\n`
  );
}

/** The summary table printed with --out. */
export function formatExportSummary(r: ExportResult): string {
  const p = r.plan;
  const rows: [string, string][] = [
    ['step log', r.steplog],
    ['weights', `${weightsWords(r)}, over ${p.steps} steps (${p.firstStep}–${p.lastStep})`],
    ['format', `${r.format} → ${r.out}`],
    ['stages', `${p.stages.length}, RMS distance ${p.rms.toPrecision(4)} (searched on ${p.blocks} blocks of up to ${p.blockSize} record${p.blockSize === 1 ? '' : 's'})`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const head = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
  const table = [
    ['stage', 'steps', ...p.domains, 'rms'],
    ...p.stages.map((s) => [String(s.stage), `${s.startStep}–${s.endStep}`, ...s.decimals, s.rms.toPrecision(4)]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const lines = table.map((row) => row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
  return `${head}\n\n${lines.join('\n')}\n`;
}
