/** What a file reader writes to and reports to while it reads one file of a domain. */
import type { StreamEncoder, TokenSink } from '../tokenizers/index.js';

export interface ReadContext {
  /** Text and text bytes go through the tokeniser's stream encoder... */
  readonly encoder: StreamEncoder;
  /** ...which writes here; pre-tokenised ids (.bin) are written here directly. */
  readonly sink: TokenSink & { readonly full: boolean };
  /** The JSONL field / parquet column holding the text. */
  readonly textField: string;
  /** Skip (and count) JSONL lines without usable text instead of failing. */
  readonly skipBadLines: boolean;
  /** Every pre-tokenised id must be below it. */
  readonly vocabSize: number;
  /** The tokeniser's name, for messages. */
  readonly tokenizerName: string;
  /** A folder for temporary files (a gunzipped parquet file). */
  readonly tempDir: string;
  /** Bytes of the file on disk read so far. */
  progress(bytesRead: number): void;
  /** One line skipped. */
  skip(): void;
}
