/**
 * A corpus's identity: SHA-256 over what a model trained on it has seen: the tokeniser and
 * vocabulary, and per domain its name, its files' relative paths, each stream's token count
 * and the SHA-256 of its bytes, and the split. It changes when any of the tokens, a file's
 * name, the tokeniser or the split changes, and not when a file is merely touched or the
 * corpus is copied to another machine with its cache (or rebuilt there from the same files).
 */
import { createHash } from 'node:crypto';
import type { ShardIndex } from '../shards/index.js';

export function corpusIdentity(index: Omit<ShardIndex, 'identity'>): string {
  const stream = (s: ShardIndex['domains'][number]['stream'] | null) => s && { files: s.files.map((f) => f.path), tokens: s.tokens, sha256: s.sha256 };
  const what = {
    format: index.format,
    tokenizer: index.tokenizer,
    vocabSize: index.vocabSize,
    dtype: index.dtype,
    domains: index.domains.map((d) => ({ name: d.name, stream: stream(d.stream), heldOutStream: stream(d.heldOutStream), split: d.split, train: d.train, heldOut: d.heldOut })),
  };
  return createHash('sha256').update(JSON.stringify(what)).digest('hex');
}
