/**
 * Real corpus files for the data tests: temporary folders (removed after the suite), files
 * written in them (gzip by node:zlib), generated text, and a reader's whole content.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll } from 'vitest';
import { codeFunction, jsonRecord, proseParagraph, type TokenReader } from '../../src/data/index.js';
import { Rng } from '../../src/random/index.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A new empty folder, removed after the test file. */
export function tempDir(name = 'corpus'): string {
  const d = mkdtempSync(join(tmpdir(), `adomix-${name}-`));
  made.push(d);
  return d;
}

/** Writes `content` at `dir/rel` (folders made as needed); `.gz` names are gzip-compressed. Answers the path. */
export function put(dir: string, rel: string, content: string | Uint8Array): string {
  const path = join(dir, rel);
  mkdirSync(dirname(path), { recursive: true });
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  writeFileSync(path, rel.endsWith('.gz') ? gzipSync(bytes) : bytes);
  return path;
}

/** `{"text": …}` lines (or `field`), one per document. */
export function jsonl(docs: readonly string[], field = 'text'): string {
  return docs.map((d) => `${JSON.stringify({ id: 1, [field]: d })}\n`).join('');
}

/** Deterministic text of about `chars` characters: code, prose and JSON lines, with non-ASCII words mixed in. */
export function sampleText(seed: number, chars: number): string {
  const rng = new Rng(seed);
  const extra = ['naïve café', '日本語のテキスト', 'emoji 🚀✨', 'Ελληνικά', 'ﬁ ligature', 'tab\there', '  two  spaces', '\n\n\n'];
  const parts: string[] = [];
  let n = 0;
  while (n < chars) {
    const k = rng.int(4);
    const s = k === 0 ? codeFunction(rng) : k === 1 ? proseParagraph(rng) : k === 2 ? jsonRecord(rng) : `${extra[rng.int(extra.length)]} `;
    parts.push(s);
    n += s.length;
  }
  return parts.join('');
}

/** All tokens of a reader. */
export function readAll(reader: TokenReader): number[] {
  const out = new Int32Array(reader.length);
  reader.read(0, reader.length, out);
  return Array.from(out);
}

/** UTF-8 bytes of a text, as numbers (the byte tokeniser's ids). */
export function utf8(text: string): number[] {
  return Array.from(Buffer.from(text, 'utf8'));
}
