/**
 * Reading step logs: `readStepLog` (a whole file), `openStepLog` (a stream of records, for
 * logs too big to hold) and `parseStepLog` (a string, for tests and small inputs).
 * All three validate every line and honour `skipBad` (see StepLogParser).
 */
import { extname } from 'node:path';
import { parseStepLogCsv, readStepLogCsv } from './csv.js';
import { forEachLineOf, LineSource } from './lines.js';
import { StepLogParser } from './StepLogParser.js';
import type {
  ParseStepLogOptions,
  ReadStepLogOptions,
  SkippedLine,
  StepLog,
  StepLogFormat,
  StepLogHeader,
  StepRecord,
} from './types.js';

/** `csv` for a `.csv` path, else `jsonl`, unless the options say. */
export function stepLogFormat(path: string, options: { format?: StepLogFormat } = {}): StepLogFormat {
  return options.format ?? (extname(path).toLowerCase() === '.csv' ? 'csv' : 'jsonl');
}

/** Parse a step log held in a string (JSONL unless `format: 'csv'` or a `.csv` `file`). */
export function parseStepLog(text: string, options: ParseStepLogOptions = {}): StepLog {
  const file = options.file ?? '<input>';
  if (stepLogFormat(file, options) === 'csv') return parseStepLogCsv(text, { ...options, file });
  const records: StepRecord[] = [];
  const parser = new StepLogParser(file, options, (r) => records.push(r));
  forEachLineOf(text, (line, n) => parser.push(line, n));
  const header = parser.end();
  return { header, records, skipped: parser.skipped, skippedLines: parser.skippedLines };
}

/** Read and validate a whole step log file (JSONL, or CSV for `.csv`), streaming it line by line. */
export async function readStepLog(path: string, options: ReadStepLogOptions = {}): Promise<StepLog> {
  if (stepLogFormat(path, options) === 'csv') return readStepLogCsv(path, options);
  const records: StepRecord[] = [];
  const parser = new StepLogParser(path, options, (r) => records.push(r));
  const source = new LineSource(path, options);
  try {
    for (let line = await source.next(); line !== undefined; line = await source.next()) parser.push(line, source.lineNo);
  } finally {
    source.close();
  }
  const header = parser.end();
  return { header, records, skipped: parser.skipped, skippedLines: parser.skippedLines };
}

/** A step log read record by record: the header is known up front, records arrive as iterated. */
export interface StepLogStream extends AsyncIterable<StepRecord> {
  readonly header: StepLogHeader;
  /** Bad lines skipped so far (final once iteration has ended). */
  readonly skipped: number;
  readonly skippedLines: readonly SkippedLine[];
}

/**
 * Open a step log for one pass over its records without holding them all. Iterate it once;
 * breaking out of the loop closes the file. A CSV log is read whole first (its rows must be
 * grouped by step), then iterated.
 */
export async function openStepLog(path: string, options: ReadStepLogOptions = {}): Promise<StepLogStream> {
  if (stepLogFormat(path, options) === 'csv') {
    const log = await readStepLogCsv(path, options);
    return {
      header: log.header,
      skipped: log.skipped,
      skippedLines: log.skippedLines,
      async *[Symbol.asyncIterator]() {
        yield* log.records;
      },
    };
  }
  const queue: StepRecord[] = [];
  const parser = new StepLogParser(path, options, (r) => queue.push(r));
  const source = new LineSource(path, options);
  try {
    while (parser.header === undefined) {
      const line = await source.next();
      if (line === undefined) break;
      parser.push(line, source.lineNo);
    }
    parser.end(); // throws on a file without a header
  } catch (err) {
    source.close();
    throw err;
  }
  let started = false;
  return {
    header: parser.header!,
    get skipped() {
      return parser.skipped;
    },
    skippedLines: parser.skippedLines,
    async *[Symbol.asyncIterator]() {
      if (started) throw new Error(`step log ${path} is already being read (a StepLogStream is iterated once)`);
      started = true;
      try {
        for (;;) {
          while (queue.length === 0) {
            const line = await source.next();
            if (line === undefined) return;
            parser.push(line, source.lineNo);
          }
          yield queue.shift()!;
        }
      } finally {
        source.close();
      }
    },
  };
}
