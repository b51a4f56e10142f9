/**
 * Writes one token stream to a shard file, atomically: tokens are buffered (one reused
 * typed array, no allocation per push), written to `<path>.tmp-<pid>`, fsynced, and renamed
 * over `path` by `close()`, by runlog's rules (the target must be a regular file or absent).
 * Until then `path` is untouched; `abort()` removes the temporary file.
 *
 * It counts the tokens and keeps a SHA-256 of the bytes written (the corpus identity is
 * built from it), and stops at `limit` tokens: a domain's `maxTokens`.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { resolveOutputTarget, tempPathFor } from '../../runlog/index.js';
import type { TokenSink } from '../tokenizers/index.js';
import { bytesPerToken, swapLittleEndian, type TokenDtype } from './dtype.js';

/** Tokens buffered before a write: 1 Mi tokens (2 MiB of uint16). */
const BUFFER_TOKENS = 1 << 20;

export class ShardWriter implements TokenSink {
  /** Tokens accepted so far (at most `limit`). */
  tokens = 0;
  readonly tempPath: string;
  private readonly target: string;
  private fd: number | undefined;
  private readonly buffer: Uint16Array | Uint32Array;
  private readonly bytes: Buffer;
  private fill = 0;
  private readonly hash = createHash('sha256');

  constructor(
    readonly path: string,
    readonly dtype: TokenDtype,
    readonly limit = Infinity,
  ) {
    this.target = resolveOutputTarget(path);
    this.tempPath = tempPathFor(this.target);
    this.buffer = dtype === 'uint16' ? new Uint16Array(BUFFER_TOKENS) : new Uint32Array(BUFFER_TOKENS);
    this.bytes = Buffer.from(this.buffer.buffer, 0, this.buffer.byteLength);
    this.fd = openSync(this.tempPath, 'w');
  }

  /** True once `limit` tokens were written: the caller can stop reading its input. */
  get full(): boolean {
    return this.tokens >= this.limit;
  }

  push(tokens: ArrayLike<number>): void {
    const n = Math.min(tokens.length, this.limit - this.tokens);
    if (ArrayBuffer.isView(tokens)) {
      this.pushView(tokens as unknown as Uint8Array, n);
      return;
    }
    for (let i = 0; i < n; i++) {
      this.buffer[this.fill++] = tokens[i];
      if (this.fill === BUFFER_TOKENS) this.flush();
    }
    this.tokens += n;
  }

  pushBytes(bytes: Uint8Array): void {
    this.pushView(bytes, Math.min(bytes.length, this.limit - this.tokens));
  }

  /** The first n ids of a typed array, copied (and widened) block by block by `set`. */
  private pushView(view: Uint8Array | Uint16Array | Uint32Array, n: number): void {
    for (let at = 0; at < n; ) {
      const k = Math.min(n - at, BUFFER_TOKENS - this.fill);
      this.buffer.set(view.subarray(at, at + k), this.fill);
      this.fill += k;
      at += k;
      if (this.fill === BUFFER_TOKENS) this.flush();
    }
    this.tokens += n;
  }

  /** Writes the buffered tokens to the temporary file. */
  private flush(): void {
    if (this.fd === undefined || this.fill === 0) return;
    const chunk = this.bytes.subarray(0, this.fill * bytesPerToken(this.dtype));
    swapLittleEndian(chunk, chunk.length, this.dtype);
    this.hash.update(chunk);
    let off = 0;
    while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
    this.fill = 0;
  }

  /** Flush, fsync, rename over `path`; answers the token count and the SHA-256 (hex) of the file. */
  close(): { tokens: number; sha256: string } {
    if (this.fd === undefined) throw new Error(`shard ${this.path}: already closed`);
    try {
      this.flush();
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
      renameSync(this.tempPath, this.target);
    } catch (err) {
      this.abort();
      throw new Error(`cannot write ${this.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return { tokens: this.tokens, sha256: this.hash.digest('hex') };
  }

  /** Discards everything; `path` stays as it was. Safe to call twice. */
  abort(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        /* a broken descriptor */
      }
      this.fd = undefined;
    }
    try {
      unlinkSync(this.tempPath);
    } catch {
      /* never created, or gone */
    }
  }
}
