/**
 * `.jsonl`: one JSON object per line, its text in a string field (`text` by default, as in
 * most published corpora; `content` in The Stack). Each record is one document. Blank lines
 * and records whose text is "" are passed over; any other line without usable text is an
 * error naming `file:line`, or, with skipBadLines, skipped and counted.
 */
import { DEFAULT_MAX_LINE_BYTES, formatBytes } from '../../runlog/index.js';
import { CorpusError } from '../errors.js';
import { fileChunks } from './chunks.js';
import type { ReadContext } from './context.js';
import { forEachLine } from './lines.js';

/** What a JSON value is, for messages. */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** The record's keys for a message: `id, content` (the first ten). */
function keysText(record: object): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return 'it has no fields';
  const shown = keys.slice(0, 10).map((k) => JSON.stringify(k));
  return `its fields: ${shown.join(', ')}${keys.length > 10 ? `, … (${keys.length} in all)` : ''}`;
}

/**
 * The text of one line: the string in `field`; undefined for a blank line; otherwise what is
 * wrong with the line.
 */
export function jsonlText(line: string, field: string): string | undefined | { problem: string } {
  if (line.trim() === '') return undefined;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (err) {
    return { problem: `not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { problem: `the line is ${kindOf(record)}, not an object with a "${field}" field` };
  }
  if (!Object.hasOwn(record, field)) return { problem: `no field "${field}" (${keysText(record)})` };
  const text = (record as Record<string, unknown>)[field];
  if (typeof text !== 'string') return { problem: `field "${field}" is ${kindOf(text)}, not a string` };
  return text;
}

export async function readJsonlFile(path: string, gzip: boolean, ctx: ReadContext): Promise<void> {
  await forEachLine(fileChunks(path, gzip, (n) => ctx.progress(n)), DEFAULT_MAX_LINE_BYTES, (line, lineNo) => {
    const text = line === null ? { problem: `the line is longer than ${formatBytes(DEFAULT_MAX_LINE_BYTES)}` } : jsonlText(line, ctx.textField);
    if (typeof text === 'string') {
      if (text.length > 0) {
        ctx.encoder.text(text);
        ctx.encoder.endDocument();
      }
    } else if (text !== undefined) {
      if (!ctx.skipBadLines) {
        throw new CorpusError(`${path}:${lineNo}: ${text.problem} (skipBadLines / --skip-bad-lines skips and counts such lines)`, { file: path, line: lineNo });
      }
      ctx.skip();
    }
    return !ctx.sink.full;
  });
}
