/**
 * The CSV form of a step log: one row per (step, domain) pair.
 *
 *   step,domain,loss,count[,weight][,evalLoss]
 *   0,code,2.91,32
 *   0,prose,3.40,24
 *
 * A header row is required; columns may come in any order. Domains are numbered in order
 * of first appearance. A (step, domain) pair without a row is absent in that step (loss
 * null, count 0); an empty `loss` cell means the same and needs count 0. Rows may come in
 * any order, but every step between the first and the last must have at least one row.
 * A step's weights are recorded when any of its rows has one (missing ones count as 0).
 * The resulting log has no prior and unit `examples` unless told otherwise.
 */
import { BadLines } from './badLines.js';
import { validateRecord } from './validate.js';
import { DEFAULT_MAX_LINE_BYTES, forEachLineOf, LineSource, overlongLineMessage } from './lines.js';
import {
  STEPLOG_FORMAT,
  StepLogError,
  type ParseStepLogOptions,
  type ReadStepLogOptions,
  type StepLog,
  type StepLogUnit,
  type StepRecord,
} from './types.js';

export const CSV_COLUMNS = ['step', 'domain', 'loss', 'count', 'weight', 'evalLoss'] as const;
type Column = (typeof CSV_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['step', 'domain', 'loss', 'count'];

export interface CsvOptions {
  /** What the `count` column counts (default `examples`). */
  unit?: StepLogUnit;
}

/**
 * A CSV line as read, ready to split: a byte-order mark on line 1 and a CR line end taken
 * off; null for a blank line (skipped by every CSV reader).
 */
export function csvLineText(raw: string, lineNo: number): string | null {
  let text = raw;
  if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length > 0 && text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
  return text.trim() === '' ? null : text;
}

/**
 * Split one CSV line (RFC 4180 quoting, no embedded newlines) at `delimiter` (`,`; `\t` for
 * TSV); cells are trimmed. Undefined on an unterminated quote.
 */
export function splitCsvLine(line: string, delimiter = ','): string[] | undefined {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34 /* " */) {
      let cell = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return undefined;
        cell += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 34) {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      const comma = line.indexOf(delimiter, i);
      cell += (comma < 0 ? line.slice(i) : line.slice(i, comma)).trim();
      cells.push(cell);
      if (comma < 0) return cells;
      i = comma + 1;
    } else {
      const comma = line.indexOf(delimiter, i);
      cells.push((comma < 0 ? line.slice(i) : line.slice(i, comma)).trim());
      if (comma < 0) return cells;
      i = comma + 1;
    }
  }
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** One step being assembled from its rows. */
interface PendingStep {
  /** Line of the step's first row, for errors found when the step is assembled. */
  line: number;
  loss: (number | null)[];
  count: number[];
  weight: (number | undefined)[];
  evalLoss: (number | null)[];
  /** Line of the row that gave each domain, to name duplicates. */
  rowLine: number[];
}

/** Accumulates CSV rows and assembles the step log at the end. */
class CsvStepLogBuilder {
  private columns: Partial<Record<Column, number>> | undefined;
  private columnCount = 0;
  private readonly domainIndex = new Map<string, number>();
  private readonly domains: string[] = [];
  private readonly steps = new Map<number, PendingStep>();
  private readonly badLines: BadLines;
  private readonly maxLineBytes: number;
  /** Steps of rows skipped as bad: a gap they explain costs nothing more. */
  private readonly badRowSteps = new Set<number>();

  constructor(
    private readonly file: string,
    options: ReadStepLogOptions & CsvOptions,
    private readonly unit: StepLogUnit = options.unit ?? 'examples',
  ) {
    this.badLines = new BadLines(file, options);
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  push(raw: string | null, lineNo: number): void {
    if (raw === null) {
      const message = overlongLineMessage(this.maxLineBytes);
      if (this.columns === undefined) throw this.error(lineNo, message);
      return this.bad(lineNo, message);
    }
    const text = csvLineText(raw, lineNo);
    if (text === null) return;
    const cells = splitCsvLine(text);
    if (this.columns === undefined) {
      if (cells === undefined) throw this.error(lineNo, 'header row has an unterminated quote');
      this.readHeader(cells, lineNo);
      return;
    }
    if (cells === undefined) return this.bad(lineNo, 'unterminated quote');
    const message = this.readRow(cells, lineNo);
    if (message === undefined) return;
    this.bad(lineNo, message);
    const step = this.columns.step === undefined ? NaN : Number(cells[this.columns.step]);
    if (Number.isSafeInteger(step)) this.badRowSteps.add(step);
  }

  private readHeader(cells: string[], lineNo: number): void {
    const columns: Partial<Record<Column, number>> = {};
    cells.forEach((name, i) => {
      if (!(CSV_COLUMNS as readonly string[]).includes(name))
        throw this.error(lineNo, `unknown column ${JSON.stringify(name)} (columns: ${CSV_COLUMNS.join(', ')})`);
      if (columns[name as Column] !== undefined) throw this.error(lineNo, `column ${JSON.stringify(name)} appears twice`);
      columns[name as Column] = i;
    });
    const missing = REQUIRED.filter((c) => columns[c] === undefined);
    if (missing.length > 0)
      throw this.error(
        lineNo,
        `the header row must name the columns ${REQUIRED.join(',')}; missing ${missing.map((m) => JSON.stringify(m)).join(', ')}`,
      );
    this.columns = columns;
    this.columnCount = cells.length;
  }

  /** Parse one row into its step; returns an error message or undefined. */
  private readRow(cells: string[], lineNo: number): string | undefined {
    const cols = this.columns!;
    if (cells.length !== this.columnCount) return `expected ${this.columnCount} cells, got ${cells.length}`;
    const cell = (c: Column): string | undefined => (cols[c] === undefined ? undefined : cells[cols[c]!]);

    const stepText = cell('step')!;
    const step = Number(stepText);
    if (!DECIMAL.test(stepText) || !Number.isSafeInteger(step) || step < 0)
      return `column "step" must be a non-negative integer, got ${JSON.stringify(stepText)}`;
    const domain = cell('domain')!;
    if (domain === '') return 'column "domain" must name a domain, got ""';

    const lossText = cell('loss')!;
    let loss: number | null = null;
    if (lossText !== '') {
      loss = Number(lossText);
      if (!DECIMAL.test(lossText) || !Number.isFinite(loss) || loss < 0)
        return `column "loss" must be a finite non-negative number or empty, got ${JSON.stringify(lossText)}`;
    }
    const countText = cell('count')!;
    const count = Number(countText);
    if (!DECIMAL.test(countText) || !Number.isSafeInteger(count) || count < 0)
      return `column "count" must be a non-negative integer, got ${JSON.stringify(countText)}`;
    if (count === 0 && loss !== null)
      return `column "loss" is ${lossText} but "count" is 0: domain ${JSON.stringify(domain)} had no examples in step ${step}, so its loss must be empty`;
    if (count > 0 && loss === null)
      return `column "loss" is empty but "count" is ${count}: domain ${JSON.stringify(domain)} had examples in step ${step}, so it needs a loss`;

    let weight: number | undefined;
    const weightText = cell('weight');
    if (weightText !== undefined && weightText !== '') {
      weight = Number(weightText);
      if (!DECIMAL.test(weightText) || !Number.isFinite(weight) || weight < 0)
        return `column "weight" must be a finite non-negative number or empty, got ${JSON.stringify(weightText)}`;
    }
    let evalLoss: number | null = null;
    const evalText = cell('evalLoss');
    if (evalText !== undefined && evalText !== '') {
      evalLoss = Number(evalText);
      if (!DECIMAL.test(evalText) || !Number.isFinite(evalLoss) || evalLoss < 0)
        return `column "evalLoss" must be a finite non-negative number or empty, got ${JSON.stringify(evalText)}`;
    }

    let pending = this.steps.get(step);
    const known = this.domainIndex.get(domain);
    if (pending !== undefined && known !== undefined && pending.rowLine[known] > 0)
      return `step ${step}, domain ${JSON.stringify(domain)} already has a row on line ${pending.rowLine[known]}`;
    // Only now, with the row known good, may it add a domain or a step.
    let k = known;
    if (k === undefined) {
      k = this.domains.length;
      this.domains.push(domain);
      this.domainIndex.set(domain, k);
    }
    if (pending === undefined) {
      pending = { line: lineNo, loss: [], count: [], weight: [], evalLoss: [], rowLine: [] };
      this.steps.set(step, pending);
    }
    pending.loss[k] = loss;
    pending.count[k] = count;
    pending.weight[k] = weight;
    pending.evalLoss[k] = evalLoss;
    pending.rowLine[k] = lineNo;
    return undefined;
  }

  end(): StepLog {
    if (this.columns === undefined)
      throw new StepLogError(
        `${this.file}: empty CSV step log: expected a header row naming the columns ${REQUIRED.join(',')}`,
        this.file,
        undefined,
      );
    if (this.steps.size === 0 && this.domains.length === 0)
      throw new StepLogError(`${this.file}: the CSV step log has no rows`, this.file, undefined);
    const order = [...this.steps.keys()].sort((a, b) => a - b);
    const K = this.domains.length;
    const hasWeight = this.columns.weight !== undefined;
    const hasEval = this.columns.evalLoss !== undefined;
    const records: StepRecord[] = [];
    let prev = -1;
    for (const step of order) {
      const p = this.steps.get(step)!;
      if (prev >= 0 && step !== prev + 1) {
        const message = `no rows for step ${prev + 1}${step > prev + 2 ? `..${step - 1}` : ''} (steps must be consecutive from ${order[0]} to ${order[order.length - 1]})`;
        if (!this.badLines.skipBad) throw new StepLogError(`${this.file}: ${message}`, this.file, undefined);
        // A gap that skipped rows do not explain is one bad row (the step's own rows stay):
        // the rest of the log is kept.
        let explained = step - prev - 1 <= this.badRowSteps.size;
        for (let t = prev + 1; explained && t < step; t++) explained = this.badRowSteps.has(t);
        if (!explained) this.bad(p.line, message);
      }
      prev = step;
      const loss: (number | null)[] = new Array(K);
      const count: number[] = new Array(K);
      for (let k = 0; k < K; k++) {
        loss[k] = p.loss[k] ?? null;
        count[k] = p.count[k] ?? 0;
      }
      const value: Record<string, unknown> = { step, loss, count };
      if (hasWeight && p.weight.some((w) => w !== undefined)) {
        const w = new Array<number>(K);
        for (let k = 0; k < K; k++) w[k] = p.weight[k] ?? 0;
        value.weights = w;
      }
      if (hasEval && p.evalLoss.some((x) => x !== null && x !== undefined)) {
        const e = new Array<number | null>(K);
        for (let k = 0; k < K; k++) e[k] = p.evalLoss[k] ?? null;
        value.evalLoss = e;
      }
      const record = validateRecord(value, this.domains);
      if (typeof record === 'string') {
        this.bad(p.line, `step ${step}: ${record}`);
        continue;
      }
      records.push(record);
    }
    return {
      header: { adomix: STEPLOG_FORMAT, domains: this.domains, unit: this.unit },
      records,
      skipped: this.badLines.count,
      skippedLines: this.badLines.lines,
    };
  }

  private bad(lineNo: number, message: string): void {
    this.badLines.add(lineNo, message);
  }

  private error(lineNo: number, message: string): StepLogError {
    return this.badLines.error(lineNo, message);
  }
}

/** Parse a CSV step log held in a string. */
export function parseStepLogCsv(text: string, options: ParseStepLogOptions & CsvOptions = {}): StepLog {
  const builder = new CsvStepLogBuilder(options.file ?? '<input>', options);
  forEachLineOf(text, (line, n) => builder.push(line, n));
  return builder.end();
}

/** Read a CSV step log from a file, line by line. */
export async function readStepLogCsv(path: string, options: ReadStepLogOptions & CsvOptions = {}): Promise<StepLog> {
  const builder = new CsvStepLogBuilder(path, options);
  const source = new LineSource(path, options);
  try {
    for (let line = await source.next(); line !== undefined; line = await source.next()) builder.push(line, source.lineNo);
  } finally {
    source.close();
  }
  return builder.end();
}
