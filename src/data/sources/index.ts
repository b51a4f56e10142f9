// Reading corpus files: formats, gunzip, lines, and one reader per format.
export { fileFormat, explicitFileFormat, USABLE_FILES, type FileFormat, type FileKind } from './formats.js';
export { fileChunks } from './chunks.js';
export { forEachLine } from './lines.js';
export { jsonlText } from './jsonl.js';
export { readCorpusFile } from './readFile.js';
export type { ReadContext } from './context.js';
