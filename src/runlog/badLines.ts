/**
 * The bad lines a reader meets: without `skipBad` the first is thrown, naming file and line;
 * with it each is counted and the first `maxSkippedLines` messages are kept, for the
 * `skipped N bad lines (first: …)` every command prints. One per reader (the JSONL parser,
 * the step-log CSV reader, the wide-table reader of src/import).
 */
import { StepLogError, type ReadStepLogOptions, type SkippedLine } from './types.js';

/** Messages kept by default. */
export const DEFAULT_MAX_SKIPPED_LINES = 100;

export class BadLines {
  /** Bad lines skipped so far. */
  count = 0;
  /** The first of them (at most maxSkippedLines). */
  readonly lines: SkippedLine[] = [];
  readonly skipBad: boolean;
  private readonly max: number;

  constructor(
    private readonly file: string,
    options: Pick<ReadStepLogOptions, 'skipBad' | 'maxSkippedLines'>,
  ) {
    this.skipBad = options.skipBad ?? false;
    this.max = options.maxSkippedLines ?? DEFAULT_MAX_SKIPPED_LINES;
  }

  /** `file:line: message` as an error. */
  error(lineNo: number, message: string): StepLogError {
    return new StepLogError(`${this.file}:${lineNo}: ${message}`, this.file, lineNo);
  }

  /** Throws the line's error without skipBad; else counts it. */
  add(lineNo: number, message: string): void {
    const err = this.error(lineNo, message);
    if (!this.skipBad) throw err;
    this.count++;
    if (this.lines.length < this.max) this.lines.push({ line: lineNo, message: err.message });
  }
}
