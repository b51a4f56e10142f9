/**
 * The step log: adomix's exchange format for a training run (see DESIGN.md, "Step log").
 *
 * JSONL: one header line, then one line per step.
 *
 *   {"adomix":"steplog/1","domains":["code","prose"],"prior":[0.6,0.4],"unit":"examples"}
 *   {"step":0,"loss":[2.91,null],"count":[32,0],"weights":[0.6,0.4]}
 *
 * Invariants every reader and writer enforces:
 * - steps are consecutive integers starting at the first record's step, except in a sparse
 *   log (`"sparse": true`: one record per evaluation), where they only increase;
 * - `loss[k] === null` exactly when `count[k] === 0` (null means "domain absent");
 * - every per-domain array has one entry per domain.
 */

/** The format tag of the header line. */
export const STEPLOG_FORMAT = 'steplog/1';

/** What `count` counts. */
export type StepLogUnit = 'examples' | 'tokens';

export interface StepLogHeader {
  adomix: typeof STEPLOG_FORMAT;
  /** Domain names, unique and non-empty, in the order of every per-domain array. */
  domains: string[];
  /** Prior mixture μ: non-negative, sums to 1 (±1e-6). Absent when the run did not say. */
  prior?: number[];
  /** What `count` counts; `examples` when the header omits it. */
  unit: StepLogUnit;
  /**
   * A sparse curve: one record per evaluation (e.g. a held-out loss every few hundred steps).
   * `step` is the training step of the evaluation (increasing, gaps allowed) and `count` is
   * what each domain saw since its previous record. Absent (never `false`) for a dense log.
   */
  sparse?: true;
  /**
   * Data budgets (optional, for replay and serve: budgets.ts): per domain, the examples (or
   * tokens, per `unit`) it holds, null where unlimited; the most epochs over each (one number
   * or one per domain, default 1); and the run's planned number of steps.
   */
  budget?: (number | null)[];
  maxEpochs?: number | number[];
  plannedSteps?: number;
}

/** A fitted law (a, e, α) as stored in a step log: β = exp(a), ε = exp(e). */
export type StepLogParams = [a: number, e: number, alpha: number];

export interface StepRecord {
  /** Global step index. */
  step: number;
  /** Mean training loss of each domain in this step; null where the domain was absent. */
  loss: (number | null)[];
  /** Examples (or tokens) of each domain in this step: non-negative integers, 0 ⇔ loss null. */
  count: number[];
  /** The mixture this step was drawn with: non-negative, sums to 1 (±1e-5). */
  weights?: number[];
  /** Held-out loss per domain; null where not evaluated. */
  evalLoss?: (number | null)[];
  /** Fitted law per domain in force at this step; null where none yet. */
  params?: (StepLogParams | null)[];
}

/** The two forms of a step log on disk. */
export type StepLogFormat = 'jsonl' | 'csv';

/** A bad line that a reader skipped (with `skipBad`). */
export interface SkippedLine {
  /** 1-based line number in the file. */
  line: number;
  /** The full error message, `file:line: …`. */
  message: string;
}

export interface StepLog {
  header: StepLogHeader;
  /**
   * The steps, in order. Step numbers are consecutive, except where `skipBad` skipped
   * bad lines: then a skipped step is simply missing (see `toDomainHistory`).
   */
  records: StepRecord[];
  /** How many bad lines `skipBad` skipped (0 without it). */
  skipped: number;
  skippedLines: SkippedLine[];
}

export interface ReadStepLogOptions {
  /** `jsonl` or `csv`; by default a path ending in `.csv` is CSV and anything else JSONL. */
  format?: StepLogFormat;
  /** Skip bad step lines (and CSV rows) instead of failing; header errors stay fatal. */
  skipBad?: boolean;
  /** Keep at most this many entries in `skippedLines` (default 100); `skipped` counts all. */
  maxSkippedLines?: number;
  /** The longest line accepted, in bytes (default 64 MiB); a longer one is a bad line. */
  maxLineBytes?: number;
  /** Ends a streamed read early when aborted (e.g. a replay stopped by SIGTERM while it waits on a pipe). */
  signal?: AbortSignal;
}

export interface ParseStepLogOptions extends ReadStepLogOptions {
  /** The name errors give the input (default `<input>`). */
  file?: string;
}

/** An input error with its location; `message` is the full `file:line: …` text. */
export class StepLogError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number | undefined,
  ) {
    super(message);
    this.name = 'StepLogError';
  }
}
