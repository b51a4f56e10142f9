/**
 * Atomic file writing: data goes to `<path>.tmp-<pid>` and is renamed over `path` only once
 * it is complete and flushed, so a reader (or a crash) never sees a half-written file.
 * On failure the temporary file is removed and `path` is left as it was.
 *
 * The target is checked before anything is written (outputTarget.ts): a directory, FIFO,
 * socket or device node is refused, and a symbolic link is written through (the file it
 * points to is replaced; the link stays).
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { resolveOutputTarget } from './outputTarget.js';

/** The temporary name a file is written under before its rename. */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true; // this process's own temporary file is in use
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Temporary files `<path>.tmp-<pid>` that a killed writer left behind (its process is gone),
 * full paths, sorted. `removeStaleTemps` deletes them; a resume calls it before writing.
 */
export function staleTempsOf(path: string): string[] {
  const dir = dirname(path);
  const prefix = `${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)) && !isAlive(Number(n.slice(prefix.length))))
    .sort()
    .map((n) => join(dir, n));
}

/** Deletes the temporary files of dead writers of any file in `dir`; returns the paths removed. */
export function removeStaleTempsIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const targets = new Set(names.map((n) => /^(.*)\.tmp-\d+$/.exec(n)?.[1]).filter((t): t is string => t !== undefined));
  return [...targets].flatMap((t) => removeStaleTemps(join(dir, t)));
}

/** Deletes what `staleTempsOf(path)` lists; returns the paths removed. */
export function removeStaleTemps(path: string): string[] {
  const stale = staleTempsOf(path);
  for (const p of stale) {
    try {
      unlinkSync(p);
    } catch {
      /* gone already */
    }
  }
  return stale;
}

function failure(path: string, err: unknown): Error {
  return new Error(`cannot write ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** Write `data` to `path` atomically (temporary file, fsync, rename). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const target = resolveOutputTarget(path);
  const tmp = tempPathFor(target);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw failure(path, err);
  }
}

/** Synchronous `writeFileAtomic`. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const target = resolveOutputTarget(path);
  const tmp = tempPathFor(target);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeFileFully(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
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
 *
 * It keeps the byte count and a running SHA-256 of everything written, so a checkpoint can
 * record exactly how much output it covers (`sync()`), and a resumed writer can start from a
 * verified prefix of an earlier file (`copyPrefix`).
 */
export class AtomicFileWriter {
  readonly tempPath: string;
  /** The file the rename publishes: `path`, or the file a symbolic link `path` points to. */
  readonly target: string;
  private fd: number | undefined;
  private buffer: string[] = [];
  private buffered = 0;
  private written = 0;
  private readonly hash = createHash('sha256');

  /** Flush to disk once this many characters are buffered. */
  static readonly FLUSH_CHARS = 1 << 20;

  constructor(readonly path: string) {
    this.target = resolveOutputTarget(path);
    this.tempPath = tempPathFor(this.target);
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
    this.writeBytes(data);
  }

  /**
   * Flush and fsync what was written so far; answers its length and SHA-256 (hex). The data
   * is durable in the temporary file (a resume can find it there) but not yet at `path`.
   */
  sync(): { bytes: number; sha256: string } {
    this.flush();
    if (this.fd !== undefined) fsyncSync(this.fd);
    return { bytes: this.written, sha256: this.hash.copy().digest('hex') };
  }

  /** Writes the first `bytes` bytes of `file` (the output of an interrupted run) first. */
  copyPrefix(file: string, bytes: number): void {
    this.flush();
    forEachChunk(file, bytes, (chunk) => this.writeBytes(chunk));
  }

  private writeBytes(data: Uint8Array): void {
    if (this.fd === undefined) return;
    try {
      writeFileFully(this.fd, data);
    } catch (err) {
      this.abort();
      throw failure(this.path, err);
    }
    this.hash.update(data);
    this.written += data.byteLength;
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
      renameSync(this.tempPath, this.target);
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

/** Calls `fn` with the first `bytes` bytes of `file`, in chunks; throws if the file is shorter. */
function forEachChunk(file: string, bytes: number, fn: (chunk: Uint8Array) => void): void {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let at = 0;
    while (at < bytes) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, bytes - at), at);
      if (n === 0) throw new Error(`${file} has only ${at} bytes, expected at least ${bytes}`);
      fn(buf.subarray(0, n));
      at += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** SHA-256 (hex) of the first `bytes` bytes of `file`; undefined when it is missing or shorter. */
export function sha256OfPrefix(file: string, bytes: number): string | undefined {
  const hash = createHash('sha256');
  try {
    forEachChunk(file, bytes, (chunk) => hash.update(chunk));
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}
