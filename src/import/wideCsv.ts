/**
 * Wide CSV and TSV, as Weights & Biases and most loggers export a run: a header row, then
 * one row per logged step with a step column (or a cumulative tokens column) and one loss
 * column per domain, picked by a pattern whose first group names the domain
 * (`--loss-columns 'train/loss_(.*)'`), optionally one count column per domain.
 *
 *   "Step","run-7 - train/loss_code","run-7 - train/loss_code__MIN",…,"run-7 - train/loss_prose"
 *   "0","2.91","2.91",…,"3.40"
 *
 * - The step column: `--step-column`, else the first of trainer/global_step, global_step,
 *   step, Step, _step, iter, iteration that the header has. With only a tokens column the
 *   rows are numbered 0, 1, 2, ….
 * - Columns ending in `__MIN` or `__MAX` (W&B's band of a sampled chart), the step and
 *   tokens columns, and columns without a name are never matched.
 * - An empty cell (or `NaN`) is "not measured at that row". Numbers are decimal
 *   (`1e-3`, `.5`); anything else is an error naming file, line and column:
 *   `runs.csv:17: column "train/loss_code": "abc" is not a number`.
 * - Rows must be in step order; rows with the same step are merged (a train row and an eval
 *   row logged at one step), but one domain's loss twice at a step is an error. A row with
 *   an empty step cell is skipped, unless it has a loss.
 * - Quoting follows RFC 4180 within a line (no newlines inside cells).
 *
 * With `skipBad`, a bad row is skipped on its own and counted.
 */
import {
  BadLines,
  DEFAULT_MAX_LINE_BYTES,
  LineSource,
  StepLogError,
  forEachLineOf,
  overlongLineMessage,
  csvLineText,
  splitCsvLine,
  type ReadStepLogOptions,
  type SkippedLine,
} from '../runlog/index.js';
import { GrowableRows } from '../numerics/index.js';
import { compilePattern, listNames, matchNames } from './columnPattern.js';
import type { WideTable } from './wideTable.js';

/** Step columns looked for, in this order, when `--step-column` is not given. */
export const STEP_COLUMN_NAMES = ['trainer/global_step', 'global_step', 'step', 'Step', '_step', 'iter', 'iteration'] as const;

export interface WideCsvOptions extends Pick<ReadStepLogOptions, 'skipBad' | 'maxSkippedLines' | 'maxLineBytes' | 'signal'> {
  /** `,` (CSV, the default) or `\t` (TSV). */
  delimiter?: ',' | '\t';
  /** Pattern of the loss columns; its first group names the domain. Without it the error lists the columns. */
  lossColumns?: string;
  /** Pattern of per-domain count columns (what the domain saw since the previous row). */
  countColumns?: string;
  /** The step column (default: the first of STEP_COLUMN_NAMES present). */
  stepColumn?: string;
  /** A cumulative tokens column (all domains). */
  tokensColumn?: string;
}

/** What a wide CSV held, beyond its table. */
export interface WideCsvRead {
  table: WideTable;
  /** The step column used (undefined: rows numbered, from a tokens column). */
  stepColumn?: string;
  lossColumns: string[];
  countColumns: string[];
  /** Columns left out as W&B min/max bands. */
  bandColumns: number;
  /** Data rows read (merged rows count once each). */
  rows: number;
  skipped: number;
  skippedLines: SkippedLine[];
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NOT_MEASURED = /^(nan|NaN|NAN)$/;

/** A cell as a number: NaN when empty or `NaN` (not measured), or the message for a bad one. */
export function numberCell(text: string, column: string): number | string {
  if (text === '' || NOT_MEASURED.test(text)) return NaN;
  if (!DECIMAL.test(text)) {
    return /^[+-]?(inf|infinity)$/i.test(text)
      ? `column ${JSON.stringify(column)}: ${JSON.stringify(text)} is not a finite number`
      : `column ${JSON.stringify(column)}: ${JSON.stringify(text)} is not a number`;
  }
  const x = Number(text);
  return Number.isFinite(x) ? x : `column ${JSON.stringify(column)}: ${JSON.stringify(text)} is not a finite number`;
}

/** A growable Float64Array. */
interface Layout {
  width: number;
  step: number | undefined;
  tokens: number | undefined;
  loss: number[];
  count: number[] | undefined;
  names: string[];
  domains: string[];
  bandColumns: number;
}

/** One row's values, parsed and checked, before it joins the table. */
interface ParsedRow {
  step: number;
  loss: Float64Array;
  count: Float64Array | undefined;
  tokens: number;
}

class WideCsvBuilder {
  private layout: Layout | undefined;
  private readonly delimiter: string;
  private readonly badLines: BadLines;
  private readonly maxLineBytes: number;
  private steps = new GrowableRows(1);
  private loss: GrowableRows[] = [];
  private count: GrowableRows[] = [];
  private tokens = new GrowableRows(1);
  /** Line of each row's first CSV line, and the line that gave each domain's loss in the last row. */
  private lastLine = 0;
  private lastLossLine: Int32Array = new Int32Array(0);
  private lastTokens = -Infinity;
  private lastTokensLine = 0;
  private rows = 0;

  constructor(
    private readonly file: string,
    private readonly options: WideCsvOptions,
  ) {
    this.delimiter = options.delimiter ?? ',';
    this.badLines = new BadLines(file, options);
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  push(raw: string | null, lineNo: number): void {
    if (raw === null) {
      const message = overlongLineMessage(this.maxLineBytes);
      if (this.layout === undefined) throw this.error(lineNo, message);
      return this.bad(lineNo, message);
    }
    const text = csvLineText(raw, lineNo);
    if (text === null) return;
    const cells = splitCsvLine(text, this.delimiter);
    if (this.layout === undefined) {
      if (cells === undefined) throw this.error(lineNo, 'header row has an unterminated quote');
      this.layout = this.readHeader(cells, lineNo);
      return;
    }
    if (cells === undefined) return this.bad(lineNo, 'unterminated quote (cells cannot hold line breaks)');
    const row = this.parseRow(cells, lineNo);
    if (typeof row === 'string') return this.bad(lineNo, row);
    if (row === undefined) return;
    const merged = this.join(row, lineNo);
    if (merged !== undefined) this.bad(lineNo, merged);
  }

  private readHeader(cells: string[], lineNo: number): Layout {
    const o = this.options;
    const find = (name: string, option: string): number => {
      const i = cells.indexOf(name);
      if (i < 0) throw this.error(lineNo, `${option} ${JSON.stringify(name)} is not a column (columns: ${listNames(cells)})`);
      return i;
    };
    const tokens = o.tokensColumn !== undefined ? find(o.tokensColumn, '--tokens-column') : undefined;
    let step: number | undefined;
    if (o.stepColumn !== undefined) step = find(o.stepColumn, '--step-column');
    else {
      const name = STEP_COLUMN_NAMES.find((n) => cells.includes(n));
      if (name !== undefined) step = cells.indexOf(name);
      else if (tokens === undefined)
        throw this.error(lineNo, `no step column: none of ${STEP_COLUMN_NAMES.join(', ')} is a column; name it with --step-column, or give --tokens-column (columns: ${listNames(cells)})`);
    }
    let bandColumns = 0;
    const skip = (name: string, i: number): boolean => {
      if (name.endsWith('__MIN') || name.endsWith('__MAX')) {
        bandColumns++;
        return true;
      }
      return name === '' || i === step || i === tokens;
    };
    if (o.lossColumns === undefined)
      throw this.error(lineNo, `which columns are losses? give --loss-columns PATTERN (a regular expression whose first group names the domain, e.g. 'train/loss_(.*)' or '(.*) - train/loss'; columns: ${listNames(cells)})`);
    const losses = matchNames(cells, compilePattern(o.lossColumns, '--loss-columns'), '--loss-columns', 'column', this.file, skip);
    if (losses.length === 0)
      throw this.error(lineNo, `--loss-columns ${JSON.stringify(o.lossColumns)} matches no column (columns: ${listNames(cells)})`);
    const lossIndex = new Set(losses.map((m) => m.index));
    const bands = bandColumns;
    let count: number[] | undefined;
    if (o.countColumns !== undefined) {
      const counts = matchNames(cells, compilePattern(o.countColumns, '--count-columns'), '--count-columns', 'column', this.file, (n, i) => skip(n, i) || lossIndex.has(i));
      const byDomain = new Map(counts.map((m) => [m.domain, m.index]));
      for (const m of counts)
        if (!losses.some((l) => l.domain === m.domain))
          throw this.error(lineNo, `count column ${JSON.stringify(m.name)} gives domain ${JSON.stringify(m.domain)}, which no loss column has (domains: ${losses.map((l) => l.domain).join(', ')})`);
      const missing = losses.filter((l) => !byDomain.has(l.domain)).map((l) => l.domain);
      if (missing.length > 0)
        throw this.error(lineNo, `--count-columns ${JSON.stringify(o.countColumns)} gives no count column for domain${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
      count = losses.map((l) => byDomain.get(l.domain)!);
    }
    const K = losses.length;
    this.loss = Array.from({ length: K }, () => new GrowableRows(1));
    if (count) this.count = Array.from({ length: K }, () => new GrowableRows(1));
    this.lastLossLine = new Int32Array(K);
    return { width: cells.length, step, tokens, loss: losses.map((m) => m.index), count, names: cells, domains: losses.map((m) => m.domain), bandColumns: bands };
  }

  /** The row's values, undefined for a row to pass over (no step, nothing measured), or why it is bad. */
  private parseRow(cells: string[], lineNo: number): ParsedRow | string | undefined {
    const L = this.layout!;
    if (cells.length !== L.width) return `expected ${L.width} cells (as the header has), got ${cells.length}`;
    const K = L.domains.length;
    const loss = new Float64Array(K);
    let measured = -1;
    for (let k = 0; k < K; k++) {
      const name = L.names[L.loss[k]];
      const x = numberCell(cells[L.loss[k]], name);
      if (typeof x === 'string') return x;
      if (x < 0) return `column ${JSON.stringify(name)}: ${cells[L.loss[k]]} is negative (a loss must be ≥ 0)`;
      loss[k] = x;
      if (measured < 0 && !Number.isNaN(x)) measured = k;
    }
    let count: Float64Array | undefined;
    if (L.count !== undefined) {
      count = new Float64Array(K);
      for (let k = 0; k < K; k++) {
        const name = L.names[L.count[k]];
        const x = numberCell(cells[L.count[k]], name);
        if (typeof x === 'string') return x;
        if (x < 0) return `column ${JSON.stringify(name)}: ${cells[L.count[k]]} is negative (a count must be ≥ 0)`;
        count[k] = Number.isNaN(x) ? 0 : x;
      }
    }
    let tokens = NaN;
    if (L.tokens !== undefined) {
      const name = L.names[L.tokens];
      const x = numberCell(cells[L.tokens], name);
      if (typeof x === 'string') return x;
      if (x < 0) return `column ${JSON.stringify(name)}: ${cells[L.tokens]} is negative (a token count must be ≥ 0)`;
      if (x < this.lastTokens)
        return `column ${JSON.stringify(name)}: ${cells[L.tokens]} is less than ${this.lastTokens} on line ${this.lastTokensLine} (the tokens column counts all tokens so far, so it cannot decrease)`;
      tokens = x;
    }
    let step: number;
    if (L.step === undefined) step = this.rows;
    else {
      const name = L.names[L.step];
      const text = cells[L.step];
      if (text === '') {
        if (measured >= 0) return `column ${JSON.stringify(name)} is empty, but column ${JSON.stringify(L.names[L.loss[measured]])} has a loss: a loss needs its step`;
        return undefined;
      }
      const x = numberCell(text, name);
      if (typeof x === 'string') return x;
      if (!Number.isSafeInteger(x) || x < 0) return `column ${JSON.stringify(name)}: ${JSON.stringify(text)} is not a step (a non-negative integer); choose the step column with --step-column`;
      const last = this.steps.rows > 0 ? this.steps.at(this.steps.rows - 1) : -1;
      if (x < last) return `column ${JSON.stringify(name)}: step ${x} comes after step ${last} (line ${this.lastLine}): rows must be in step order`;
      step = x;
    }
    if (!Number.isNaN(tokens)) {
      this.lastTokens = tokens;
      this.lastTokensLine = lineNo;
    }
    return { step, loss, count, tokens };
  }

  /** Adds the row to the table (merging it into the last row at the same step); a message when it cannot. */
  private join(row: ParsedRow, lineNo: number): string | undefined {
    const K = row.loss.length;
    const n = this.steps.rows;
    if (n > 0 && this.steps.at(n - 1) === row.step) {
      for (let k = 0; k < K; k++) {
        if (!Number.isNaN(row.loss[k]) && !Number.isNaN(this.loss[k].at(n - 1)))
          return `step ${row.step} already has a loss for domain ${JSON.stringify(this.layout!.domains[k])} (line ${this.lastLossLine[k]})`;
      }
      for (let k = 0; k < K; k++) {
        if (!Number.isNaN(row.loss[k])) {
          this.loss[k].set(n - 1, 0, row.loss[k]);
          this.lastLossLine[k] = lineNo;
        }
        if (row.count) this.count[k].set(n - 1, 0, this.count[k].at(n - 1) + row.count[k]);
      }
      if (!Number.isNaN(row.tokens)) this.tokens.set(n - 1, 0, row.tokens);
      return undefined;
    }
    this.steps.pushValue(row.step);
    for (let k = 0; k < K; k++) {
      this.loss[k].pushValue(row.loss[k]);
      if (!Number.isNaN(row.loss[k])) this.lastLossLine[k] = lineNo;
      if (row.count) this.count[k].pushValue(row.count[k]);
    }
    this.tokens.pushValue(row.tokens);
    this.lastLine = lineNo;
    this.rows++;
    return undefined;
  }

  end(): WideCsvRead {
    const L = this.layout;
    if (L === undefined) throw new StepLogError(`${this.file}: empty file: expected a header row`, this.file, undefined);
    const table: WideTable = { source: this.file, domains: L.domains, step: this.steps.values(), loss: this.loss.map((c) => c.values()) };
    if (L.count !== undefined) table.count = this.count.map((c) => c.values());
    if (L.tokens !== undefined) table.tokens = this.tokens.values();
    return {
      table,
      stepColumn: L.step === undefined ? undefined : L.names[L.step],
      lossColumns: L.loss.map((i) => L.names[i]),
      countColumns: (L.count ?? []).map((i) => L.names[i]),
      bandColumns: L.bandColumns,
      rows: this.rows,
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

/** Read a wide CSV (or TSV) file line by line. */
export async function readWideCsv(path: string, options: WideCsvOptions): Promise<WideCsvRead> {
  const builder = new WideCsvBuilder(path, options);
  const source = new LineSource(path, options);
  try {
    for (let line = await source.next(); line !== undefined; line = await source.next()) builder.push(line, source.lineNo);
  } finally {
    source.close();
  }
  return builder.end();
}

/** Parse a wide CSV (or TSV) held in a string; `file` names it in errors. */
export function parseWideCsv(text: string, options: WideCsvOptions & { file?: string }): WideCsvRead {
  const builder = new WideCsvBuilder(options.file ?? '<input>', options);
  forEachLineOf(text, (line, n) => builder.push(line, n));
  return builder.end();
}
