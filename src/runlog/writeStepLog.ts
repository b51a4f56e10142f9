/**
 * Writing step logs. Everything written is validated first (same rules as the reader) and
 * files appear atomically: a `StepLogWriter` streams to `<path>.tmp-<pid>` and renames on
 * `close()`. Numbers are written by JSON.stringify, i.e. with full double precision.
 */
import { AtomicFileWriter, writeFileAtomic } from './atomic.js';
import { stepLogFormat } from './readStepLog.js';
import { validateHeader, validateRecord } from './validate.js';
import {
  STEPLOG_FORMAT,
  type StepLog,
  type StepLogFormat,
  type StepLogHeader,
  type StepLogParams,
  type StepRecord,
} from './types.js';

/**
 * A step record as a training loop has it: any array-like (Float64Array, Float32Array, …),
 * with NaN standing for null in `loss` and `evalLoss`.
 */
export interface StepRecordInput {
  step: number;
  loss: ArrayLike<number | null>;
  count: ArrayLike<number>;
  weights?: ArrayLike<number>;
  evalLoss?: ArrayLike<number | null>;
  params?: ArrayLike<Readonly<StepLogParams> | ArrayLike<number> | null>;
}

const nanToNull = (x: number | null): number | null => (x === null || Number.isNaN(x) ? null : x);

/** Plain-array record in the canonical field order, NaN → null. Not yet validated. */
function normalise(record: StepRecordInput): Record<string, unknown> {
  const out: Record<string, unknown> = {
    step: record.step,
    loss: Array.from(record.loss, nanToNull),
    count: Array.from(record.count),
  };
  if (record.weights !== undefined) out.weights = Array.from(record.weights);
  if (record.evalLoss !== undefined) out.evalLoss = Array.from(record.evalLoss, nanToNull);
  if (record.params !== undefined) out.params = Array.from(record.params, (p) => (p === null ? null : Array.from(p)));
  return out;
}

/** Placeholder names when a record is checked without its header. */
function anonymousDomains(k: number): string[] {
  return Array.from({ length: k }, (_, i) => `domain ${i}`);
}

/** Validate a record for writing; throws `step N: <field> …` on a bad one. */
export function checkStepRecord(record: StepRecordInput, domains?: readonly string[]): StepRecord {
  const value = normalise(record);
  const names = domains ?? anonymousDomains((value.loss as unknown[]).length);
  const checked = validateRecord(value, names);
  if (typeof checked === 'string') throw new Error(`step ${String(record.step)}: ${checked}`);
  return checked;
}

/** The header line (no newline). Throws on an invalid header. */
export function formatHeaderLine(header: Omit<StepLogHeader, 'adomix' | 'unit'> & Partial<StepLogHeader>): string {
  const value: Record<string, unknown> = { adomix: header.adomix ?? STEPLOG_FORMAT, domains: header.domains };
  if (header.prior !== undefined) value.prior = Array.from(header.prior);
  value.unit = header.unit ?? 'examples';
  if (header.sparse === true) value.sparse = true;
  if (header.budget !== undefined) value.budget = Array.from(header.budget);
  if (header.maxEpochs !== undefined) value.maxEpochs = typeof header.maxEpochs === 'number' ? header.maxEpochs : Array.from(header.maxEpochs);
  if (header.plannedSteps !== undefined) value.plannedSteps = header.plannedSteps;
  const checked = validateHeader(value);
  if (typeof checked === 'string') throw new Error(checked);
  return JSON.stringify(value);
}

/**
 * One step line (no newline), validated: with `domains`, lengths must match them; without,
 * all per-domain arrays must have the length of `loss`. Throws `step N: …` on a bad record.
 */
export function formatStepLine(record: StepRecordInput, domains?: readonly string[]): string {
  return JSON.stringify(checkStepRecord(record, domains));
}

/**
 * Why `step` cannot follow `previous` (undefined: it can). Dense logs need consecutive
 * steps; a sparse log's steps only increase.
 */
function stepOrderError(step: number, previous: number | undefined, sparse: boolean): string | undefined {
  if (previous === undefined) return undefined;
  if (sparse) return step > previous ? undefined : `step ${step}: step must be greater than ${previous} (a sparse log's steps increase)`;
  return step === previous + 1 ? undefined : `step ${step}: step must be ${previous + 1} (steps are consecutive integers)`;
}

/**
 * Streams a step log to disk: `open(path, header)`, `append(record)` per step, `close()`
 * to publish it (atomic rename). Steps must be consecutive (increasing, in a sparse log).
 * `abort()` discards the file.
 */
export class StepLogWriter {
  readonly header: StepLogHeader;
  private readonly out: AtomicFileWriter;
  private lastStep: number | undefined;
  private written = 0;

  static open(path: string, header: Omit<StepLogHeader, 'adomix' | 'unit'> & Partial<StepLogHeader>): StepLogWriter {
    return new StepLogWriter(path, header);
  }

  constructor(readonly path: string, header: Omit<StepLogHeader, 'adomix' | 'unit'> & Partial<StepLogHeader>) {
    const line = formatHeaderLine(header);
    this.header = validateHeader(JSON.parse(line)) as StepLogHeader;
    this.out = new AtomicFileWriter(path);
    this.out.write(line + '\n');
  }

  /** Records appended so far. */
  get steps(): number {
    return this.written;
  }

  /** Validate and append one step; throws (and writes nothing) on a bad record. */
  append(record: StepRecordInput): void {
    const checked = checkStepRecord(record, this.header.domains);
    const orderError = stepOrderError(checked.step, this.lastStep, this.header.sparse === true);
    if (orderError !== undefined) throw new Error(orderError);
    this.out.write(JSON.stringify(checked) + '\n');
    this.lastStep = checked.step;
    this.written++;
  }

  /** Push buffered lines to the temporary file (the log is still not visible at `path`). */
  flush(): void {
    this.out.flush();
  }

  /** Finish: flush, fsync, rename onto `path`. Safe to call twice. */
  async close(): Promise<void> {
    this.out.closeSync();
  }

  closeSync(): void {
    this.out.closeSync();
  }

  /** Discard the partial log; `path` is left as it was. */
  abort(): void {
    this.out.abort();
  }
}

/**
 * The CSV form (`step,domain,loss,count[,weight][,evalLoss]`): a row per present (or
 * weighted, or evaluated) domain, and a row per domain in the first step. CSV has no header
 * line, so the prior and the unit are not kept.
 */
export function formatStepLogCsv(log: Pick<StepLog, 'header' | 'records'>): string {
  const { domains } = log.header;
  if (log.header.sparse === true) throw new Error('a sparse step log cannot be written as CSV: the CSV form has no header line to say "sparse": true');
  const hasWeight = log.records.some((r) => r.weights !== undefined);
  const hasEval = log.records.some((r) => r.evalLoss !== undefined);
  const quote = (s: string): string => (/[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const names = domains.map(quote);
  const lines = [['step', 'domain', 'loss', 'count', ...(hasWeight ? ['weight'] : []), ...(hasEval ? ['evalLoss'] : [])].join(',')];
  log.records.forEach((r, i) => {
    for (let k = 0; k < domains.length; k++) {
      const w = r.weights?.[k];
      const e = r.evalLoss?.[k] ?? null;
      // Absent domains need no row, unless it carries a weight or an eval loss; the first
      // step lists every domain so a reader numbers them in the header's order.
      if (i > 0 && r.count[k] === 0 && !(w !== undefined && w > 0) && e === null) continue;
      const row = [String(r.step), names[k], r.loss[k] === null ? '' : String(r.loss[k]), String(r.count[k])];
      if (hasWeight) row.push(w === undefined ? '' : String(w));
      if (hasEval) row.push(e === null ? '' : String(e));
      lines.push(row.join(','));
    }
  });
  return lines.join('\n') + '\n';
}

/**
 * Write a whole step log atomically: JSONL, or CSV for a `.csv` path (or `format: 'csv'`).
 * Every record is validated first; nothing is written if one is bad.
 */
export async function writeStepLog(
  path: string,
  log: Pick<StepLog, 'header' | 'records'>,
  options: { format?: StepLogFormat } = {},
): Promise<void> {
  const headerLine = formatHeaderLine(log.header);
  const { domains } = log.header;
  const sparse = log.header.sparse === true;
  const lines: string[] = [headerLine];
  let previous: number | undefined;
  for (const record of log.records) {
    const checked = checkStepRecord(record, domains);
    const orderError = stepOrderError(checked.step, previous, sparse);
    if (orderError !== undefined) throw new Error(orderError);
    previous = checked.step;
    lines.push(JSON.stringify(checked));
  }
  if (stepLogFormat(path, options) === 'csv') {
    if (sparse) throw new Error(`cannot write ${path}: a sparse step log needs its header line ("sparse": true), which the CSV form has not; write JSONL (.jsonl)`);
    await writeFileAtomic(path, formatStepLogCsv(log));
    return;
  }
  await writeFileAtomic(path, lines.join('\n') + '\n');
}
