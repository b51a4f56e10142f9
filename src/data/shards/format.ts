/**
 * The shard cache's index, `index.json` in the cache folder (or `<manifest>.index.json` for
 * a manifest corpus), format "adomix-shards/1":
 *
 *   {
 *     "format": "adomix-shards/1", "tokenizer": "gpt2", "vocabSize": 50257, "dtype": "uint16",
 *     "identity": "<sha256>",
 *     "domains": [{
 *       "name": "code",
 *       "stream": {                      // the domain's files, tokenised in path order
 *         "file": "code.3f9c…e1.u16",      // in the cache folder
 *         "tokens": 1234567, "sha256": "<of the shard's bytes>",
 *         "key": "<sha256 of everything below: a build with the same key is the same shard>",
 *         "files": [{"path": "code/a.jsonl", "size": 1048576, "mtimeMs": 1.7e12, "sample": "<sha256>"}],
 *         "textField": "text", "maxTokens": null, "skipBadLines": false, "skippedLines": 0
 *       },
 *       "heldOutStream": null,             // or the same for the held-out files a manifest names
 *       "split": {"rule": "tail", "fraction": 0.01, "minTokens": 257},   // or {"rule": "files"}
 *       "train": {"start": 0, "end": 1222221},
 *       "heldOut": {"start": 1222221, "end": 1234567}   // in heldOutStream for rule "files"
 *     }]
 *   }
 *
 * Paths are relative to the corpus root (the data folder, or the manifest's folder), so a
 * corpus moved with its cache keeps its cache. The index is a cache: one that does not parse
 * against this schema is rebuilt, never an error.
 */
import { z } from 'zod';
import type { FileFingerprint } from './fingerprint.js';
import type { TokenDtype } from './dtype.js';

export const SHARDS_FORMAT = 'adomix-shards/1';

export interface ShardStream {
  file: string;
  tokens: number;
  sha256: string;
  key: string;
  files: FileFingerprint[];
  textField: string;
  maxTokens: number | null;
  skipBadLines: boolean;
  skippedLines: number;
}

export type SplitRule = { rule: 'tail'; fraction: number; minTokens: number } | { rule: 'files' };

export interface TokenRange {
  start: number;
  end: number;
}

export interface IndexDomain {
  name: string;
  stream: ShardStream;
  heldOutStream: ShardStream | null;
  split: SplitRule;
  train: TokenRange;
  heldOut: TokenRange;
}

export interface ShardIndex {
  format: typeof SHARDS_FORMAT;
  tokenizer: 'byte' | 'gpt2' | 'pretokenized';
  vocabSize: number;
  dtype: TokenDtype;
  identity: string;
  domains: IndexDomain[];
}

const count = z.number().int().min(0);
const hex = z.string().regex(/^[0-9a-f]{64}$/);
const fingerprintSchema = z.strictObject({ path: z.string(), size: count, mtimeMs: z.number(), sample: hex });
const streamSchema = z.strictObject({
  file: z.string().regex(/^[^/\\]+$/),
  tokens: count,
  sha256: hex,
  key: hex,
  files: z.array(fingerprintSchema),
  textField: z.string(),
  maxTokens: count.nullable(),
  skipBadLines: z.boolean(),
  skippedLines: count,
});
const rangeSchema = z.strictObject({ start: count, end: count });
const indexSchema = z.strictObject({
  format: z.literal(SHARDS_FORMAT),
  tokenizer: z.enum(['byte', 'gpt2', 'pretokenized']),
  vocabSize: z.number().int().min(1),
  dtype: z.enum(['uint16', 'uint32']),
  identity: hex,
  domains: z.array(
    z.strictObject({
      name: z.string(),
      stream: streamSchema,
      heldOutStream: streamSchema.nullable(),
      split: z.union([z.strictObject({ rule: z.literal('tail'), fraction: z.number(), minTokens: count }), z.strictObject({ rule: z.literal('files') })]),
      train: rangeSchema,
      heldOut: rangeSchema,
    }),
  ),
});

/** A shard's own record (`<shard>.json`, the stream entry it was built as), or undefined when it does not parse. */
export function parseShardStream(text: string): ShardStream | undefined {
  try {
    const r = streamSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** The index in `text`, or undefined when it is not one this version wrote (then the cache is rebuilt). */
export function parseShardIndex(text: string): ShardIndex | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const r = indexSchema.safeParse(json);
  return r.success ? r.data : undefined;
}

/** The index as written: two-space JSON and a final newline (the same index, the same bytes). */
export function formatShardIndex(index: ShardIndex): string {
  return `${JSON.stringify(index, null, 2)}\n`;
}
