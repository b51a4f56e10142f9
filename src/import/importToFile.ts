/**
 * `adomix import`'s work: read any log (readLog) and write it as a step log, atomically
 * (writeStepLog: a temporary file renamed into place), after checking that the output is
 * none of the files read and is a regular file or a new one.
 */
import { assertNotAnInput, writeStepLog, type StepLog } from '../runlog/index.js';
import type { DetectedInput } from './detect.js';
import type { ReadLogOptions } from './options.js';
import { inputFilesOf, readLog, type ImportReport } from './readLog.js';

export interface ImportedFile {
  input: string;
  out: string;
  detected: DetectedInput;
  /** What the conversion did (undefined when the input was a step log already, rewritten as is). */
  report?: ImportReport;
  log: StepLog;
}

/** Convert `input` (any format readLog reads) to the step log `out` (.jsonl; .csv for the CSV form of a dense log). */
export async function importToFile(input: string, out: string, options: ReadLogOptions = {}): Promise<ImportedFile> {
  const inputs = (await inputFilesOf(input, options)).map((path) => ({ path, what: 'the input' }));
  assertNotAnInput([{ path: out, what: '--to' }], inputs);
  const r = await readLog(input, options);
  if (r.log.records.length === 0) throw new Error(`${input}: no steps to write`);
  await writeStepLog(out, r.log);
  return { input, out, detected: r.detected, report: r.imported, log: r.log };
}
