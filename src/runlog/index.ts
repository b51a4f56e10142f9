// The step-log format: reading, validating, writing (JSONL / CSV), atomic files.
export {
  STEPLOG_FORMAT,
  StepLogError,
  type StepLog,
  type StepLogFormat,
  type StepLogHeader,
  type StepLogParams,
  type StepLogUnit,
  type StepRecord,
  type SkippedLine,
  type ReadStepLogOptions,
  type ParseStepLogOptions,
} from './types.js';
export { parseStepLog, readStepLog, openStepLog, stepLogFormat, type StepLogStream } from './readStepLog.js';
export { BadLines } from './badLines.js';
export { parseStepLogCsv, readStepLogCsv, csvLineText, splitCsvLine, CSV_COLUMNS, type CsvOptions } from './csv.js';
export {
  StepLogWriter,
  writeStepLog,
  formatStepLine,
  formatHeaderLine,
  formatStepLogCsv,
  checkStepRecord,
  type StepRecordInput,
} from './writeStepLog.js';
export {
  validateHeader as validateStepLogHeader,
  validateRecord as validateStepRecord,
  PRIOR_SUM_TOLERANCE,
  WEIGHTS_SUM_TOLERANCE,
} from './validate.js';
export { writeFileAtomic, writeFileAtomicSync, AtomicFileWriter, tempPathFor, staleTempsOf, removeStaleTemps, removeStaleTempsIn, sha256OfPrefix } from './atomic.js';
export { resolveOutputTarget, assertNotAnInput, isSameFile, describeFileType, type NamedPath } from './outputTarget.js';
export { toDomainHistory, DomainHistoryBuilder, type StepLogHistory } from './toDomainHistory.js';
export { sparseWindow, sparseFitSettings, evaluationsPerDomain, evaluationHistory, DENSE_WINDOW, MIN_SPARSE_WINDOW } from './sparse.js';
export { parseRunsTable, readRunsTable, RunsTableError, type RunsTable } from './readRunsTable.js';
export { CHECKPOINT_FORMAT, formatCheckpoint, writeCheckpoint, writeCheckpointSync, parseCheckpoint, readCheckpoint, type Checkpoint, type PolicySnapshotJson } from './checkpoint.js';
export { restoreCheckpoint, loadCheckpoint } from './policyCheckpoint.js';
export { StepLogDigest } from './recordDigest.js';
export { formatBytes, DEFAULT_MAX_LINE_BYTES, LineSource, forEachLineOf, overlongLineMessage } from './lines.js';
