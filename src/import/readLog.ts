/**
 * Any log in, a step log out: adomix's own step logs are read as before (streamed), and
 * logs from other loggers — wide CSV/TSV (W&B exports), TensorBoard event files or log
 * directories — are converted (wideTableToStepLog) and handed on in memory. Each answer
 * says what was detected and, for a conversion, what was done, so a command can print it.
 */
import {
  openStepLog,
  readStepLog,
  StepLogError,
  type SkippedLine,
  type StepLog,
  type StepLogStream,
} from '../runlog/index.js';
import { detectInput, formatName, type DetectedInput } from './detect.js';
import { describeWeights, parseWeights, type ImportOptions, type ReadLogOptions } from './options.js';
import { eventFilesOf, readTensorBoard } from './tensorboard.js';
import { readWideCsv } from './wideCsv.js';
import { wideTableToStepLog, type CountSource, type WideConversion, type WideTable } from './wideTable.js';

/** What a conversion did, for the user. */
export interface ImportReport {
  /** One line: the reader and its settings, the counts, and the resulting log. */
  description: string;
  /** Further lines: bad rows or records skipped, losses dropped, values replaced. */
  notes: string[];
  /** The files read (a directory's event files). */
  files: string[];
  sparse: boolean;
}

export interface LogInput {
  detected: DetectedInput;
  /** Set when the input was converted from another format. */
  imported?: ImportReport;
  /** The files the log was read from (to keep outputs off them). */
  files: string[];
}

/** The counts of a wide table, from the options (exactly one of count columns/tags, a tokens column, a batch). */
function countSource(table: WideTable, o: ImportOptions, kind: 'csv' | 'tensorboard'): { source: CountSource; text: string } {
  const countOption = kind === 'csv' ? '--count-columns' : '--count-tags';
  const given = [
    table.count !== undefined ? countOption : undefined,
    o.tokensColumn !== undefined ? '--tokens-column' : undefined,
    o.batch !== undefined ? '--batch' : undefined,
  ].filter((x): x is string => x !== undefined);
  if (given.length === 0)
    throw new Error(`${table.source}: no counts: give ${countOption} PATTERN (per-domain counts)${kind === 'csv' ? ', --tokens-column NAME (cumulative tokens)' : ''} or --batch N (examples per step), so that each loss has its n`);
  if (given.length > 1) throw new Error(`${table.source}: give one source of counts, not ${given.join(' and ')}`);
  if (table.count !== undefined) {
    if (o.weights !== undefined) throw new Error(`--weights applies with --batch or --tokens-column; ${countOption} give the counts themselves`);
    return { source: { kind: 'columns', unit: o.unit ?? 'examples' }, text: `counts from ${countOption} (${o.unit ?? 'examples'})` };
  }
  const weights = parseWeights(o.weights, table.domains);
  const w = describeWeights(o.weights, weights, table.domains);
  if (o.tokensColumn !== undefined) {
    if (o.unit === 'examples') throw new Error('--unit examples contradicts --tokens-column (its counts are tokens)');
    return { source: { kind: 'tokens', weights }, text: `counts: tokens column ${JSON.stringify(o.tokensColumn)} × ${w}` };
  }
  if (!(Number.isFinite(o.batch) && o.batch! > 0)) throw new Error(`--batch must be a positive number, got ${String(o.batch)}`);
  const unit = o.unit ?? 'examples';
  return { source: { kind: 'batch', batch: o.batch!, weights, unit }, text: `counts: batch ${o.batch} ${unit} per step × ${w}` };
}

/** `→ 385 steps (dense)`, or `→ sparse curve: 100 evaluations, median gap 5 steps`. */
function describeResult(c: WideConversion): string {
  const n = c.log.records.length;
  return c.sparse
    ? `sparse curve: ${n} evaluation${n === 1 ? '' : 's'}, median gap ${c.medianGap} steps`
    : `${n} step${n === 1 ? '' : 's'} (dense${c.filledSteps > 0 ? `, ${c.filledSteps} step${c.filledSteps === 1 ? '' : 's'} without a row left absent` : ''})`;
}

function conversionNotes(c: WideConversion, skipped: number, skippedLines: readonly SkippedLine[], what: string): string[] {
  const notes: string[] = [];
  if (skipped > 0) notes.push(`skipped ${skipped} bad ${what}${skipped === 1 ? '' : 's'} (first: ${skippedLines[0]?.message ?? ''})`);
  if (c.droppedLosses > 0)
    notes.push(
      `dropped ${c.droppedLosses} loss${c.droppedLosses === 1 ? '' : 'es'} measured with a count that rounds to 0 (first: domain ${JSON.stringify(c.firstDropped!.domain)} at step ${c.firstDropped!.step}); their examples count toward the next measurement`,
    );
  return notes;
}

/** Convert a wide CSV/TSV or TensorBoard input to a step log (adomix's own formats are not for this). */
export async function importLog(path: string, options: ReadLogOptions = {}, detected?: DetectedInput): Promise<{ log: StepLog; report: ImportReport; detected: DetectedInput }> {
  const d = detected ?? (await detectInput(path, options.format));
  if (d.format === 'tensorboard') {
    if (options.lossColumns !== undefined || options.countColumns !== undefined || options.stepColumn !== undefined || options.tokensColumn !== undefined)
      throw new Error(`${path} is TensorBoard (${d.reason}): --loss-columns, --count-columns, --step-column and --tokens-column are for CSV/TSV; use --loss-tags and --count-tags`);
    const tb = await readTensorBoard(path, { lossTags: options.lossTags, countTags: options.countTags, skipBad: options.skipBad, maxSkippedLines: options.maxSkippedLines });
    const counts = countSource(tb.table, options, 'tensorboard');
    const c = wideTableToStepLog(tb.table, counts.source);
    c.log.skipped = tb.skipped;
    c.log.skippedLines = tb.skippedLines;
    const notes = conversionNotes(c, tb.skipped, tb.skippedLines, 'record');
    if (tb.replaced > 0) notes.push(`${tb.replaced} value${tb.replaced === 1 ? ' was' : 's were'} logged twice at one step (a restarted run?): the later one kept`);
    const description =
      `TensorBoard (${d.reason}): ${tb.files.length} event file${tb.files.length === 1 ? '' : 's'}, ${tb.records} records, ` +
      `${tb.table.domains.length} domain${tb.table.domains.length === 1 ? '' : 's'} from --loss-tags '${options.lossTags}' (${tb.lossSeries.join(', ')}); ` +
      `${counts.text}; ${tb.table.step.length} logged steps → ${describeResult(c)}`;
    return { log: c.log, report: { description, notes, files: tb.files, sparse: c.sparse }, detected: d };
  }
  if (d.format === 'csv' || d.format === 'tsv') {
    if (options.lossTags !== undefined || options.countTags !== undefined)
      throw new Error(`${path} is a wide ${d.format.toUpperCase()} (${d.reason}): --loss-tags and --count-tags are for TensorBoard; use --loss-columns and --count-columns`);
    const csv = await readWideCsv(path, {
      delimiter: d.format === 'tsv' ? '\t' : ',',
      lossColumns: options.lossColumns,
      countColumns: options.countColumns,
      stepColumn: options.stepColumn,
      tokensColumn: options.tokensColumn,
      skipBad: options.skipBad,
      maxSkippedLines: options.maxSkippedLines,
      maxLineBytes: options.maxLineBytes,
      signal: options.signal,
    });
    const counts = countSource(csv.table, options, 'csv');
    const c = wideTableToStepLog(csv.table, counts.source);
    c.log.skipped = csv.skipped;
    c.log.skippedLines = csv.skippedLines;
    const K = csv.table.domains.length;
    const description =
      `${formatName(d.format)} (${d.reason}): ${csv.stepColumn !== undefined ? `step column ${JSON.stringify(csv.stepColumn)}` : 'rows numbered (no step column)'}, ` +
      `${K} domain${K === 1 ? '' : 's'} from --loss-columns '${options.lossColumns}'` +
      `${csv.bandColumns > 0 ? ` (${csv.bandColumns} W&B __MIN/__MAX columns left out)` : ''}; ${counts.text}; ${csv.rows} rows → ${describeResult(c)}`;
    return { log: c.log, report: { description, notes: conversionNotes(c, csv.skipped, csv.skippedLines, 'row'), files: [path], sparse: c.sparse }, detected: d };
  }
  throw new Error(`${path} is a ${formatName(d.format)} (${d.reason}): there is nothing to convert`);
}

/** Options that only a conversion uses: refused for a step log, where they would be ignored silently. */
function refuseImportOptions(path: string, d: DetectedInput, o: ImportOptions): void {
  const flags: [keyof ImportOptions, string][] = [
    ['lossColumns', '--loss-columns'],
    ['countColumns', '--count-columns'],
    ['stepColumn', '--step-column'],
    ['tokensColumn', '--tokens-column'],
    ['lossTags', '--loss-tags'],
    ['countTags', '--count-tags'],
    ['batch', '--batch'],
    ['weights', '--weights'],
    ['unit', '--unit'],
  ];
  const given = flags.filter(([k]) => o[k] !== undefined).map(([, f]) => f);
  if (given.length > 0) throw new StepLogError(`${path} is a ${formatName(d.format)} (${d.reason}): ${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} only to logs from other loggers`, path, undefined);
}

/** Read any log whole: a step log as it is, a foreign one converted. */
export async function readLog(path: string, options: ReadLogOptions = {}): Promise<{ log: StepLog } & LogInput> {
  const detected = await detectInput(path, options.format);
  if (detected.format === 'steplog' || detected.format === 'steplog-csv') {
    refuseImportOptions(path, detected, options);
    return { log: await readStepLog(path, { ...options, format: detected.format === 'steplog-csv' ? 'csv' : 'jsonl' }), detected, files: [path] };
  }
  const r = await importLog(path, options, detected);
  return { log: r.log, detected, imported: r.report, files: r.report.files };
}

/** A read log as a stream (its records iterated once). */
export function streamOf(log: StepLog): StepLogStream {
  let started = false;
  return {
    header: log.header,
    skipped: log.skipped,
    skippedLines: log.skippedLines,
    async *[Symbol.asyncIterator]() {
      if (started) throw new Error('this step log is already being read (a StepLogStream is iterated once)');
      started = true;
      yield* log.records;
    },
  };
}

/** Open any log for one pass: a JSONL step log streamed line by line, anything else read first. */
export async function openLog(path: string, options: ReadLogOptions = {}): Promise<{ stream: StepLogStream } & LogInput> {
  const detected = await detectInput(path, options.format);
  if (detected.format === 'steplog' || detected.format === 'steplog-csv') {
    refuseImportOptions(path, detected, options);
    return { stream: await openStepLog(path, { ...options, format: detected.format === 'steplog-csv' ? 'csv' : 'jsonl' }), detected, files: [path] };
  }
  const r = await importLog(path, options, detected);
  return { stream: streamOf(r.log), detected, imported: r.report, files: r.report.files };
}

/** The files a log input reads: itself, or the event files of a TensorBoard directory. */
export async function inputFilesOf(path: string, options: Pick<ImportOptions, 'format'> = {}): Promise<string[]> {
  const d = await detectInput(path, options.format);
  if (d.format !== 'tensorboard') return [path];
  try {
    return await eventFilesOf(path);
  } catch {
    return [path];
  }
}
