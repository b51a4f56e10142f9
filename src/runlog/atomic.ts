/**
 * Atomic file writing: data goes to `<path>.tmp-<pid>` and is renamed over `path` only once
 * it is complete and flushed, so a reader (or a crash) never sees a half-written file.
 * On failure the temporary file is removed and `path` is left as it was.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';

/** The temporary name a file is written under before its rename. */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

function failure(path: string, err: unknown): Error {
  return new Error(`cannot write ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** Write `data` to `path` atomically (temporary file, fsync, rename). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw failure(path, err);
  }
}

/** Synchronous `writeFileAtomic`. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(path);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeFileFully(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* it may never have been created */
    }
    throw failure(path, err);
  }
}

function writeFileFully(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

/**
 * A file written piece by piece and published atomically: `write()` appends (buffered,
 * synchronous, so a training loop need not await it), `close()` flushes, fsyncs and renames
 * the temporary file over `path`; `abort()` discards it. Until `close()`, `path` is untouched.
 */
export class AtomicFileWriter {
  readonly tempPath: string;
  private fd: number | undefined;
  private buffer: string[] = [];
  private buffered = 0;

  /** Flush to disk once this many characters are buffered. */
  static readonly FLUSH_CHARS = 1 << 20;

  constructor(readonly path: string) {
    this.tempPath = tempPathFor(path);
    try {
      this.fd = openSync(this.tempPath, 'w');
    } catch (err) {
      throw failure(path, err);
    }
  }

  /** True until close() or abort(). */
  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  write(chunk: string): void {
    if (this.fd === undefined) throw new Error(`cannot write ${this.path}: the writer is already closed`);
    this.buffer.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered >= AtomicFileWriter.FLUSH_CHARS) this.flush();
  }

  /** Push buffered data to the temporary file (not yet visible at `path`). */
  flush(): void {
    if (this.fd === undefined || this.buffered === 0) return;
    const data = Buffer.from(this.buffer.join(''), 'utf8');
    this.buffer = [];
    this.buffered = 0;
    try {
      writeFileFully(this.fd, data);
    } catch (err) {
      this.abort();
      throw failure(this.path, err);
    }
  }

  /** Flush, fsync and rename over `path`. Safe to call twice. */
  closeSync(): void {
    if (this.fd === undefined) return;
    this.flush();
    const fd = this.fd;
    this.fd = undefined;
    try {
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(this.tempPath, this.path);
    } catch (err) {
      try {
        unlinkSync(this.tempPath);
      } catch {
        /* already gone */
      }
      throw failure(this.path, err);
    }
  }

  async close(): Promise<void> {
    this.closeSync();
  }

  /** Discard everything written; `path` stays as it was. Safe to call twice. */
  abort(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    this.buffer = [];
    this.buffered = 0;
    try {
      closeSync(fd);
    } catch {
      /* closing a broken descriptor */
    }
    try {
      unlinkSync(this.tempPath);
    } catch {
      /* already gone */
    }
  }
}
