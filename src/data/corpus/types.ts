/**
 * The public shape of a corpus of real files: what `openCorpus` takes and gives.
 * See docs/data.md for the layout of a data folder, the manifest, the cache and the errors.
 */
import type { TokenReader } from '../tokenReader.js';
import type { TokenizerName } from '../tokenizers/index.js';
import type { CorpusProgress } from './progress.js';

export interface CorpusOptions {
  /** Tokeniser of text files (default 'byte', or the manifest's). For a corpus of .bin files only, it declares the tokeniser they were made with. */
  tokenizer?: TokenizerName;
  /** Shard cache folder (default `<PATH>/.adomix-cache` for a folder, `.adomix-cache` next to a manifest). */
  cacheDir?: string;
  /** Fraction of each domain's stream held out from its end, in [0, 1) (default 0.01, the manifest's otherwise; at least one window); not used for domains with held-out files. */
  heldOut?: number;
  /**
   * Share in (0, 1) of each domain's files held out, drawn by path hash (heldOutFiles.ts), instead of
   * the tail of its stream: for domains of two or more files without held-out files or a held-out
   * setting of their own in a manifest; a domain of one file keeps the tail (`heldOut`).
   */
  heldOutFiles?: number;
  /** JSONL field / parquet column holding the text (default 'text'; a manifest domain's own `textField` wins). */
  textField?: string;
  /** Skip and count JSONL lines without usable text (bad JSON, no text field) instead of failing. */
  skipBadLines?: boolean;
  /** Tokens one window needs: every split of every domain must hold at least this many (default 1). */
  minTokens?: number;
  /** Called as input files are tokenised (only when the cache is (re)built). */
  onProgress?: (p: CorpusProgress) => void;
}

export interface CorpusDomainInfo {
  name: string;
  /** The files read, absolute paths, in stream order. */
  files: string[];
  /** Separate held-out files, when the domain has them. */
  heldOutFiles: string[];
  /** Files found with the domain's that are not corpus files, not read. */
  ignored: string[];
  trainTokens: number;
  heldOutTokens: number;
  /** JSONL lines skipped (skipBadLines). */
  skippedLines: number;
}

export interface TokenCorpus {
  readonly domains: readonly CorpusDomainInfo[];
  /** 256 for byte, 50257 for gpt2; a pre-tokenised corpus's declared size (65536 when undeclared). */
  readonly vocabSize: number;
  readonly tokenizer: TokenizerName | 'pretokenized';
  /** The manifest's prior if it has one (normalised), else each domain's share of the training tokens. */
  readonly prior: readonly number[];
  /** SHA-256 (hex) of the tokens themselves, the files' names, the tokeniser and the split: a checkpoint stores it to know it resumes on the same data. */
  readonly identity: string;
  /** Where the shard cache index lives. */
  readonly indexPath: string;
  /** Positional reads of one split of one domain (domain = index into `domains`). */
  reader(domain: number, split: 'train' | 'heldOut'): TokenReader;
  /** Closes the shard files; readers fail after it. */
  close(): void;
}
