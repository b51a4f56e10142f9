/**
 * The options that read logs from other loggers, shared by `import`, `fit`, `replay` and
 * `report`, and the stderr lines that say what was detected and done.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { INPUT_FORMATS, type ImportOptions, type InputFormat, type LogInput } from '../import/index.js';

/** The parsed CLI options behind ImportOptions (commander's names; --weights is text there). */
export type ImportCliOptions = Omit<ImportOptions, 'weights'> & { weights?: string };

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('It must be a positive number.');
  return n;
}

/**
 * The two flags whose names another command may need for itself (`schedule export` has its
 * own --format and --weights): renamed there to --input-format and --input-weights.
 */
export interface ImportFlagNames {
  format: '--format' | '--input-format';
  weights: '--weights' | '--input-weights';
}

const PLAIN: ImportFlagNames = { format: '--format', weights: '--weights' };

/** Adds --format and the pattern and count options to a command. */
export function addImportOptions(command: Command, flags: ImportFlagNames = PLAIN): Command {
  return command
    .addOption(new Option(`${flags.format} <format>`, 'input format: auto (from the extension, name, directory or first bytes), steplog, csv, tsv or tensorboard').choices(INPUT_FORMATS))
    .option('--loss-columns <regex>', "CSV/TSV: the loss columns; the first group names the domain (e.g. 'train/loss_(.*)')")
    .option('--count-columns <regex>', 'CSV/TSV: per-domain count columns (what the domain saw since the previous row)')
    .option('--step-column <name>', 'CSV/TSV: the step column (default: trainer/global_step, global_step, step, Step, _step, iter or iteration)')
    .option('--tokens-column <name>', 'CSV/TSV: a cumulative tokens column; counts are its increments times --weights')
    .option('--loss-tags <regex>', "TensorBoard: the scalar loss tags; the first group names the domain (e.g. 'loss/(.*)')")
    .option('--count-tags <regex>', 'TensorBoard: per-domain count tags')
    .addOption(new Option('--batch <n>', 'examples (or tokens, with --unit) per training step, shared by --weights').argParser(positiveNumber))
    .option(`${flags.weights} <list>`, 'static mixture for --batch and --tokens-column: domain=weight,… summing to 1 (default uniform)')
    .addOption(new Option('--unit <unit>', 'what --batch and count columns count').choices(['examples', 'tokens']));
}

/** The ImportOptions of parsed CLI options (with the renamed flags: their values). */
export function importOptionsOf(
  o: Omit<ImportCliOptions, 'format' | 'weights'> & { format?: unknown; weights?: unknown; inputFormat?: InputFormat; inputWeights?: string },
  flags: ImportFlagNames = PLAIN,
): ImportOptions {
  return {
    format: flags.format === '--input-format' ? o.inputFormat : (o.format as InputFormat | undefined),
    lossColumns: o.lossColumns,
    countColumns: o.countColumns,
    stepColumn: o.stepColumn,
    tokensColumn: o.tokensColumn,
    lossTags: o.lossTags,
    countTags: o.countTags,
    batch: o.batch,
    weights: flags.weights === '--input-weights' ? o.inputWeights : (o.weights as string | undefined),
    unit: o.unit,
  };
}

/** `adomix fit: runs.csv: <what was read>` and its notes, for stderr; nothing for a step log. */
export function describeInput(command: string, path: string, input: LogInput): string {
  if (input.imported === undefined) return '';
  return [`${path}: ${input.imported.description}`, ...input.imported.notes].map((l) => `adomix ${command}: ${l}\n`).join('');
}
