/**
 * A corpus as found on disk, before any tokenising: its domains, each with its files in
 * order and the settings that apply to it. A data folder and a manifest both come down to it.
 */
import { basename, relative } from 'node:path';
import type { TokenizerName } from '../tokenizers/index.js';

export interface DomainSpec {
  name: string;
  /** Absolute paths of the files read, in order (sorted by path). */
  files: string[];
  /** Files found among the domain's files that are not corpus files (e.g. a README.pdf). */
  ignored: string[];
  /** Separate held-out files (a manifest's `heldOut` list, a folder's `heldout/`), or undefined. */
  heldOutFiles: string[] | undefined;
  /** JSONL field / parquet column of the text. */
  textField: string;
  /** Fraction of the stream held out from its end, when there are no held-out files. */
  heldOut: number;
  /** At most this many tokens of the stream are kept (the first ones, in file order). */
  maxTokens: number | undefined;
}

export interface CorpusSpec {
  /** The folder or manifest, resolved. */
  source: string;
  kind: 'directory' | 'manifest';
  /** Paths in the cache index are relative to it: the folder, or the manifest's folder. */
  root: string;
  domains: DomainSpec[];
  /** A manifest's prior, normalised, in domain order. */
  prior: number[] | undefined;
  /** A manifest's declared tokeniser and vocabulary size (for pre-tokenised shards). */
  tokenizer: TokenizerName | undefined;
  vocabSize: number | undefined;
}

/** Settings that apply to every domain unless it says otherwise. */
export interface SpecDefaults {
  textField: string | undefined;
  heldOut: number | undefined;
  /** A share of each domain's files held out (CorpusOptions.heldOutFiles). */
  heldOutFiles: number | undefined;
  /** Never read: the shard cache. */
  cacheDir: string;
}

export const DEFAULT_TEXT_FIELD = 'text';
export const DEFAULT_HELD_OUT = 0.01;

/** `a.txt, b.csv, … (12 in all)`: the first few names of a list, for messages. */
export function listText(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, … (${names.length} in all)` : shown;
}

/** `code/a.txt`: a path as the index records it, relative to the corpus root, '/'-separated. */
export function relativePath(root: string, file: string): string {
  return relative(root, file).split(/[\\/]/).join('/') || basename(file);
}
