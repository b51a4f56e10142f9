/**
 * Positional reads from shard files: a TokenReader over a token range [start, end) of one
 * file reads a window with one `fs.readSync` at byte offset (start + i)·bytesPerToken into a
 * reused buffer, so memory is one window whatever the corpus size, and the operating
 * system's page cache does the caching. Synchronous, as a training step builds its batch.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { TokenReader } from '../tokenReader.js';
import { bytesPerToken, swapLittleEndian, type TokenDtype } from './dtype.js';

/** A shard file opened on first read; the readers of its ranges share the descriptor. */
export class ShardFile {
  private fd: number | undefined;
  private closed = false;

  constructor(
    readonly path: string,
    readonly dtype: TokenDtype,
  ) {}

  /**
   * Opens the file now (else at the first read). An open shard stays readable when another
   * process removes its name (POSIX), as a concurrent openCorpus with other settings may.
   */
  open(): this {
    this.descriptor();
    return this;
  }

  descriptor(): number {
    if (this.closed) throw new Error(`shard ${this.path}: the corpus was closed`);
    this.fd ??= openSync(this.path, 'r');
    return this.fd;
  }

  close(): void {
    this.closed = true;
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

export class ShardReader implements TokenReader {
  readonly length: number;
  private readonly bpt: 2 | 4;
  private bytes = new Uint8Array(0);
  private ids: Uint16Array | Uint32Array = new Uint16Array(0);
  private view: Uint16Array | Uint32Array = new Uint16Array(0);

  /** Tokens [start, end) of `file`; `what` names the range in messages (`domain "code" train split`). */
  constructor(
    readonly file: ShardFile,
    readonly start: number,
    readonly end: number,
    readonly what: string,
  ) {
    this.length = end - start;
    this.bpt = bytesPerToken(file.dtype);
  }

  read(start: number, count: number, out: Int32Array, offset = 0): void {
    if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= this.length)) {
      throw new Error(`${this.what}: tokens [${start}, ${start + count}) are outside [0, ${this.length})`);
    }
    if (!(Number.isInteger(offset) && offset >= 0 && offset + count <= out.length)) {
      throw new Error(`${this.what}: cannot put ${count} tokens at offset ${offset} of an array of ${out.length}`);
    }
    if (count === 0) return;
    const want = count * this.bpt;
    if (this.bytes.length < want) this.grow(want);
    const fd = this.file.descriptor();
    const position = (this.start + start) * this.bpt;
    for (let got = 0; got < want; ) {
      const n = readSync(fd, this.bytes, got, want - got, position + got);
      if (n === 0) {
        throw new Error(`${this.file.path}: ended at byte ${position + got}, ${want - got} bytes short of ${this.what}'s tokens [${start}, ${start + count}); the cache is damaged: delete it to rebuild`);
      }
      got += n;
    }
    swapLittleEndian(this.bytes, want, this.file.dtype);
    // The view of the last count is kept: a training loop reads one window length, so no
    // read allocates (and a typed-array set is twice as fast as an element loop).
    if (this.view.length !== count) this.view = this.ids.subarray(0, count);
    out.set(this.view, offset);
  }

  /** A buffer for at least `bytes` (doubling, so a run's reads allocate a few times at most). */
  private grow(bytes: number): void {
    let size = Math.max(4096, this.bytes.length);
    while (size < bytes) size *= 2;
    const buffer = new ArrayBuffer(size);
    this.bytes = new Uint8Array(buffer);
    this.ids = this.bpt === 2 ? new Uint16Array(buffer) : new Uint32Array(buffer);
    this.view = this.ids.subarray(0, 0);
  }
}
