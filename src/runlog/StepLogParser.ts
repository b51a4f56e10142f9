/**
 * Line-by-line JSONL step-log parser: the one place that turns lines into a header and
 * records, checks step order, and applies `skipBad`. The string parser, the file reader
 * and the streaming reader all feed it lines.
 */
import { validateHeader, validateRecord } from './validate.js';
import { DEFAULT_MAX_LINE_BYTES, overlongLineMessage } from './lines.js';
import { BadLines } from './badLines.js';
import { StepLogError, type ReadStepLogOptions, type SkippedLine, type StepLogHeader, type StepRecord } from './types.js';

export class StepLogParser {
  header: StepLogHeader | undefined;
  /** Records accepted so far. */
  recordCount = 0;

  private readonly badLines: BadLines;
  private readonly skipBad: boolean;
  private readonly maxLineBytes: number;
  private firstStep = -1;
  private lastStep = -1;
  /** Lines skipped since the last accepted record: how far the next step may jump. */
  private skippedSinceLast = 0;

  constructor(
    readonly file: string,
    options: ReadStepLogOptions,
    private readonly onRecord: (record: StepRecord) => void,
  ) {
    this.badLines = new BadLines(file, options);
    this.skipBad = this.badLines.skipBad;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  /** Bad lines skipped (with skipBad). */
  get skipped(): number {
    return this.badLines.count;
  }

  /** The first of them. */
  get skippedLines(): SkippedLine[] {
    return this.badLines.lines;
  }

  /** Feed one line (without its newline) with its 1-based number; null: a line over the length limit. */
  push(raw: string | null, lineNo: number): void {
    if (raw === null) {
      if (this.header === undefined) throw this.error(lineNo, overlongLineMessage(this.maxLineBytes));
      return this.bad(lineNo, overlongLineMessage(this.maxLineBytes));
    }
    let text = raw;
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // BOM
    if (text.length > 0 && text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1); // CRLF
    if (text.trim() === '') return; // blank lines carry nothing

    if (this.header === undefined) {
      // Header errors are always fatal: without the domains no line can be read.
      const header = validateHeader(this.parseJson(text, lineNo, true));
      if (typeof header === 'string') throw this.error(lineNo, header);
      this.header = header;
      return;
    }

    const value = this.parseJson(text, lineNo, false);
    if (value === SKIP) return;
    const record = validateRecord(value, this.header.domains);
    if (typeof record === 'string') return this.bad(lineNo, record);

    const step = record.step;
    if (this.firstStep < 0) {
      this.firstStep = step;
    } else if (this.header.sparse === true) {
      // A sparse log has one record per evaluation: steps increase, with gaps.
      if (step <= this.lastStep)
        return this.bad(lineNo, `step must be greater than ${this.lastStep} (a sparse log's steps increase), got ${step}: a repeated or out-of-order step`);
    } else if (step !== this.lastStep + 1) {
      const message =
        step <= this.lastStep
          ? `step must be ${this.lastStep + 1} (steps are consecutive integers starting at ${this.firstStep}), got ${step}: a repeated or out-of-order step`
          : `step must be ${this.lastStep + 1} (steps are consecutive integers starting at ${this.firstStep}), got ${step}: step${step - this.lastStep > 2 ? `s ${this.lastStep + 1}..${step - 1} are` : ` ${this.lastStep + 1} is`} missing`;
      // With skipBad a repeated or out-of-order line is skipped on its own; a gap costs one bad
      // line (unless skipped lines already account for it) and the record is kept, so one
      // missing or swapped line never discards the rest of the log.
      if (!this.skipBad || step <= this.lastStep) return this.bad(lineNo, message);
      if (step - this.lastStep - 1 > this.skippedSinceLast) this.bad(lineNo, message);
    }
    this.lastStep = step;
    this.skippedSinceLast = 0;
    this.recordCount++;
    this.onRecord(record);
  }

  /** The header, once the input has ended; throws if there was none. */
  end(): StepLogHeader {
    if (this.header === undefined)
      throw new StepLogError(
        `${this.file}: empty step log: expected a header line {"adomix":"steplog/1","domains":[...]}`,
        this.file,
        undefined,
      );
    return this.header;
  }

  private parseJson(text: string, lineNo: number, fatal: boolean): unknown {
    try {
      return JSON.parse(text);
    } catch (err) {
      const why = err instanceof SyntaxError ? err.message : String(err);
      const message = `not valid JSON: ${why}`;
      if (fatal) throw this.error(lineNo, message);
      this.bad(lineNo, message);
      return SKIP;
    }
  }

  private bad(lineNo: number, message: string): void {
    this.badLines.add(lineNo, message);
    this.skippedSinceLast++;
  }

  private error(lineNo: number, message: string): StepLogError {
    return this.badLines.error(lineNo, message);
  }
}

const SKIP: unique symbol = Symbol('skip');
