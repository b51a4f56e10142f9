/**
 * Which reader an input needs, and why (`auto`): a directory is a TensorBoard log
 * directory; a name containing `tfevents` is an event file; `.tsv`/`.tab` is TSV; `.csv` is
 * a step-log CSV when its header row has `step` and `domain` columns, else a wide CSV; `.jsonl`,
 * a pipe or a FIFO is a step log (never peeked at, so a stream stays whole). Any other
 * regular file is looked at: a step-log header line, a valid TFRecord header, tabs or commas
 * in its first line; failing all, it is read as a step log (whose errors then say why not).
 */
import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { splitCsvLine } from '../runlog/index.js';
import { crc32c, maskCrc32c } from './crc32c.js';
import type { InputFormat } from './options.js';
import { isEventFileName } from './tensorboard.js';

/** The readers: adomix's step log (JSONL or its CSV form), a wide CSV or TSV, TensorBoard. */
export type DetectedFormat = 'steplog' | 'steplog-csv' | 'csv' | 'tsv' | 'tensorboard';

export interface DetectedInput {
  format: DetectedFormat;
  /** Why, for the line a command prints: `a directory (TensorBoard log directory)`. */
  reason: string;
}

const PEEK_BYTES = 64 * 1024;

/** The first bytes of a regular file (empty when unreadable). */
async function peek(path: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(PEEK_BYTES), 0, PEEK_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } catch {
    return Buffer.alloc(0);
  } finally {
    await handle?.close();
  }
}

/** Does `bytes` start with a TFRecord header whose length checksum holds? */
export function startsWithTfRecord(bytes: Uint8Array): boolean {
  if (bytes.length < 12) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 12);
  return view.getUint32(8, true) === maskCrc32c(crc32c(bytes, 0, 8));
}

function firstLine(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  const nl = text.indexOf('\n');
  return (nl < 0 ? text : text.slice(0, nl)).replace(/^\uFEFF/, '').replace(/\r$/, '');
}

/**
 * Is this header row a step-log CSV's? It has `step` and `domain` columns (a wide table
 * names its domains in its column names instead); the step-log reader then checks the rest
 * (a missing `count`, an unknown column) and says what is wrong.
 */
export function isStepLogCsvHeader(line: string): boolean {
  const cells = splitCsvLine(line);
  return cells !== undefined && cells.includes('step') && cells.includes('domain');
}

/** The CSV reader a header row needs. */
function csvKind(bytes: Buffer, why: string): DetectedInput {
  return isStepLogCsvHeader(firstLine(bytes))
    ? { format: 'steplog-csv', reason: `${why} with a step-log header row` }
    : { format: 'csv', reason: `${why} whose header row is not a step log's` };
}

/** The reader for `path` (see the file comment); `format` other than auto is taken as given. */
export async function detectInput(path: string, format: InputFormat = 'auto'): Promise<DetectedInput> {
  const ext = extname(path).toLowerCase();
  if (format === 'steplog') return ext === '.csv' ? { format: 'steplog-csv', reason: '--format steplog, a .csv file' } : { format: 'steplog', reason: '--format steplog' };
  if (format !== 'auto') return { format, reason: `--format ${format}` };
  let st;
  try {
    st = await stat(path);
  } catch {
    return { format: 'steplog', reason: 'not found' }; // the reader says it cannot read it
  }
  if (st.isDirectory()) return { format: 'tensorboard', reason: 'a directory: a TensorBoard log directory' };
  if (isEventFileName(basename(path))) return { format: 'tensorboard', reason: 'the name contains "tfevents": a TensorBoard event file' };
  if (ext === '.tsv' || ext === '.tab') return { format: 'tsv', reason: `a ${ext} file: tab-separated` };
  if (ext === '.jsonl') return { format: 'steplog', reason: 'a .jsonl file' };
  // A pipe or FIFO is never peeked at (what is read is gone): the extension decides, as for step logs.
  if (!st.isFile()) return ext === '.csv' ? { format: 'steplog-csv', reason: 'a .csv stream' } : { format: 'steplog', reason: 'a stream' };
  const bytes = await peek(path);
  if (ext === '.csv') return csvKind(bytes, 'a .csv file');
  if (/^\uFEFF?\s*\{/.test(bytes.subarray(0, 256).toString('utf8'))) return { format: 'steplog', reason: 'it starts with a JSON object' };
  if (startsWithTfRecord(bytes)) return { format: 'tensorboard', reason: 'it starts with a TFRecord header: a TensorBoard event file' };
  const line = firstLine(bytes);
  if (line.includes('\t')) return { format: 'tsv', reason: 'its first line has tabs' };
  if (line.includes(',')) return csvKind(bytes, 'a file with commas in its first line');
  return { format: 'steplog', reason: 'no other format fits' };
}

/** The words for a detected format: `wide CSV`, `TensorBoard`, … */
export function formatName(format: DetectedFormat): string {
  return { steplog: 'step log', 'steplog-csv': 'step log (CSV form)', csv: 'wide CSV', tsv: 'wide TSV', tensorboard: 'TensorBoard' }[format];
}
