// Logs in from other loggers: wide CSV/TSV (W&B exports), TensorBoard event files; format detection.
export { crc32c, maskCrc32c } from './crc32c.js';
export { TfRecordReader, frameTfRecord, type TfRecordResult } from './tfrecord.js';
export { decodeEvent, encodeEvent, type TbEvent, type SummaryValue } from './tensorboardProto.js';
export { readTensorBoard, eventFilesOf, isEventFileName, scalarOf, type TensorBoardOptions, type TensorBoardRead } from './tensorboard.js';
export { readWideCsv, parseWideCsv, numberCell, STEP_COLUMN_NAMES, type WideCsvOptions, type WideCsvRead } from './wideCsv.js';
export { wideTableToStepLog, type WideTable, type CountSource, type WideConversion } from './wideTable.js';
export { compilePattern, matchNames, type PatternMatch } from './columnPattern.js';
export { detectInput, startsWithTfRecord, isStepLogCsvHeader, formatName, type DetectedInput, type DetectedFormat } from './detect.js';
export { parseWeights, INPUT_FORMATS, type InputFormat, type ImportOptions, type ReadLogOptions } from './options.js';
export { readLog, openLog, importLog, streamOf, inputFilesOf, type ImportReport, type LogInput } from './readLog.js';
export { importToFile, type ImportedFile } from './importToFile.js';
