/**
 * Tokenising one stream (a domain's files, or its held-out files) into one shard: the files
 * in order, each through its format's reader and the tokeniser's stream encoder, into a
 * ShardWriter, stopping at maxTokens. Then the shard's own record `<shard>.json` is written
 * beside it, so that a shard survives a later domain's failure: the next open finds it by
 * its key and does not tokenise it again.
 *
 * A shard's name holds its key (`code.3f9c27aa01e4b5d2.u16`): a rebuilt domain gets a new
 * file, and the index, renamed over the old one last, switches to it atomically.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../../runlog/index.js';
import { CorpusError } from '../errors.js';
import { SHARDS_FORMAT, ShardWriter, type FileFingerprint, type ShardStream, type TokenDtype } from '../shards/index.js';
import { readCorpusFile, type ReadContext } from '../sources/index.js';
import { streamEncoder, type StreamEncoder, type Tokenizer } from '../tokenizers/index.js';
import type { BuildProgress } from './progress.js';

/** What one stream is built from. */
export interface StreamPlan {
  domain: string;
  heldOut: boolean;
  files: string[];
  fingerprints: FileFingerprint[];
  textField: string;
  maxTokens: number | null;
  skipBadLines: boolean;
}

/** What every stream of a corpus is built with. */
export interface BuildSettings {
  /** undefined for a pre-tokenised corpus (only .bin files). */
  tokenizer: Tokenizer | undefined;
  tokenizerName: string;
  vocabSize: number;
  dtype: TokenDtype;
  cacheDir: string;
}

/** SHA-256 of everything a shard's bytes depend on: the same key, the same shard. */
export function streamKey(plan: StreamPlan, settings: BuildSettings): string {
  const { tokenizerName, vocabSize, dtype } = settings;
  const { fingerprints, textField, maxTokens, skipBadLines } = plan;
  return createHash('sha256')
    .update(JSON.stringify({ format: SHARDS_FORMAT, tokenizerName, vocabSize, dtype, textField, maxTokens, skipBadLines, fingerprints }))
    .digest('hex');
}

/** `code.3f9c27aa01e4b5d2.u16`, `code.heldout.…`: the domain (made file-safe), the key, the dtype. */
export function shardFileName(domain: string, heldOut: boolean, key: string, dtype: TokenDtype): string {
  const safe = domain.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 64) || 'domain';
  return `${safe}${heldOut ? '.heldout' : ''}.${key.slice(0, 16)}.${dtype === 'uint16' ? 'u16' : 'u32'}`;
}

/** A pre-tokenised corpus has only .bin files; a text file there would be a bug upstream. */
const noTextEncoder: StreamEncoder = {
  bytes: () => {
    throw new Error('a pre-tokenised corpus has no tokeniser for text');
  },
  text: () => {
    throw new Error('a pre-tokenised corpus has no tokeniser for text');
  },
  endDocument: () => {},
};

export async function buildStream(plan: StreamPlan, key: string, settings: BuildSettings, progress: BuildProgress): Promise<ShardStream> {
  const file = shardFileName(plan.domain, plan.heldOut, key, settings.dtype);
  const writer = new ShardWriter(join(settings.cacheDir, file), settings.dtype, plan.maxTokens ?? Infinity);
  const encoder = settings.tokenizer === undefined ? noTextEncoder : streamEncoder(settings.tokenizer, writer);
  let skippedLines = 0;
  let result: { tokens: number; sha256: string };
  try {
    for (const [i, path] of plan.files.entries()) {
      const size = plan.fingerprints[i].size;
      if (!writer.full) {
        const ctx: ReadContext = {
          encoder,
          sink: writer,
          textField: plan.textField,
          skipBadLines: plan.skipBadLines,
          vocabSize: settings.vocabSize,
          tokenizerName: settings.tokenizerName,
          tempDir: settings.cacheDir,
          progress: (n) => progress.report(plan.domain, path, n, size),
          skip: () => skippedLines++,
        };
        await readCorpusFile(path, ctx);
      }
      progress.fileDone(plan.domain, path, size);
    }
    result = writer.close();
  } catch (err) {
    writer.abort();
    if (err instanceof CorpusError && err.domain === undefined) {
      throw new CorpusError(err.message, { file: err.file, line: err.line, domain: plan.domain }, { cause: err.cause });
    }
    throw err;
  }
  const stream: ShardStream = {
    file,
    tokens: result.tokens,
    sha256: result.sha256,
    key,
    files: plan.fingerprints,
    textField: plan.textField,
    maxTokens: plan.maxTokens,
    skipBadLines: plan.skipBadLines,
    skippedLines,
  };
  writeFileAtomicSync(join(settings.cacheDir, `${file}.json`), `${JSON.stringify(stream)}\n`);
  return stream;
}
