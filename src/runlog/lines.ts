/**
 * Streaming line reading for step logs and tables, so a 100 MB log never sits in memory as
 * one string, and a line of a gigabyte (a corrupt or hostile file) never reaches memory at
 * all: a line longer than `maxLineBytes` (64 MiB by default) is answered as `null`, its bytes
 * skipped through the next newline, and the caller decides whether that is fatal.
 */
import { closeSync, fstatSync, openSync, read } from 'node:fs';
import { Socket } from 'node:net';

/** The longest line a reader accepts by default: 64 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

const CHUNK_BYTES = 1 << 16;
const NEWLINE = 0x0a;

/** "64 MiB", "1.5 KiB", "12 bytes". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let x = n / 1024;
  let u = 0;
  while (x >= 1024 && u < units.length - 1) {
    x /= 1024;
    u++;
  }
  return `${Number.isInteger(x) ? x : x.toFixed(1)} ${units[u]}`;
}

/** The message for a line over the limit (without the `file:line:` prefix). */
export function overlongLineMessage(maxLineBytes: number): string {
  return `line is longer than ${formatBytes(maxLineBytes)} (the reader's limit; raise it with maxLineBytes if the line is real)`;
}

/**
 * An open file read line by line: `next()` answers the next line (without its `\n`), `null`
 * for a line longer than `maxLineBytes`, or undefined at the end. `lineNo` is the 1-based
 * number of the line last answered. Reads are asynchronous reads of 64 KiB (positional for
 * regular files, in order for pipes), so a process waiting on a pipe still handles signals;
 * an aborted `signal` ends the input early, as if the file ended there.
 */
export class LineSource {
  /** 1-based number of the last line returned. */
  lineNo = 0;
  private fd: number | undefined;
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private chunkEnd = 0;
  private chunkPos = 0;
  private position = 0;
  private eof = false;
  /** Pipes and terminals cannot be read at a position: read them in order instead. */
  private positional = true;
  /**
   * A FIFO or socket is read through the event loop (non-blocking), not the thread pool: a
   * thread blocked on an idle pipe would keep the process from exiting.
   */
  private stream: { socket: Socket; chunks: AsyncIterator<Buffer> } | undefined;
  private readonly parts: Buffer[] = [];
  private partBytes = 0;
  private overlong = false;
  readonly maxLineBytes: number;

  private readonly signal: AbortSignal | undefined;

  constructor(
    readonly path: string,
    options: { maxLineBytes?: number; signal?: AbortSignal } = {},
  ) {
    this.signal = options.signal;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!(Number.isInteger(this.maxLineBytes) && this.maxLineBytes > 0)) {
      throw new Error(`maxLineBytes must be a positive integer, got ${String(options.maxLineBytes)}`);
    }
    try {
      this.fd = openSync(path, 'r');
      const st = fstatSync(this.fd);
      this.positional = st.isFile();
      if (st.isFIFO() || st.isSocket()) {
        const socket = new Socket({ fd: this.fd, readable: true, writable: false });
        this.stream = { socket, chunks: socket[Symbol.asyncIterator]() };
      }
    } catch (err) {
      throw new Error(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  async next(): Promise<string | null | undefined> {
    for (;;) {
      if (this.chunkPos === this.chunkEnd) {
        if (this.eof || !(await this.fill())) return this.finishLast();
      }
      const nl = this.chunk.indexOf(NEWLINE, this.chunkPos);
      const end = nl < 0 || nl >= this.chunkEnd ? this.chunkEnd : nl;
      this.take(end);
      this.chunkPos = end;
      if (end < this.chunkEnd) {
        this.chunkPos++; // past the newline
        return this.emit();
      }
    }
  }

  /** Reads the next chunk; false at the end of the file (or once the signal is aborted). */
  private async fill(): Promise<boolean> {
    if (this.fd === undefined || this.signal?.aborted) return false;
    let n: number;
    try {
      n = this.stream !== undefined ? await this.readStream(this.stream.chunks) : await this.read(this.fd);
    } catch (err) {
      this.close();
      throw new Error(`cannot read ${this.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    this.position += n;
    this.chunkPos = 0;
    this.chunkEnd = n;
    if (n === 0) this.eof = true;
    return n > 0;
  }

  /** The next chunk of a pipe becomes `chunk`; answers its length (0 at the end or on abort). */
  private async readStream(chunks: AsyncIterator<Buffer>): Promise<number> {
    const next = await this.untilAborted(chunks.next());
    if (next === undefined || next.done) return 0;
    this.chunk = next.value;
    return next.value.length;
  }

  /** `p`, or undefined as soon as the signal is aborted. */
  private untilAborted<T>(p: Promise<T>): Promise<T | undefined> {
    const signal = this.signal;
    if (signal === undefined) return p;
    return new Promise<T | undefined>((resolve, reject) => {
      const onAbort = (): void => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  /** One read into `chunk`; answers 0 early when the signal is aborted meanwhile. */
  private async read(fd: number): Promise<number> {
    const pending = new Promise<number>((resolve, reject) => {
      read(fd, this.chunk, 0, CHUNK_BYTES, this.positional ? this.position : null, (err, n) => (err ? reject(err) : resolve(n)));
    });
    return (await this.untilAborted(pending)) ?? 0;
  }

  /** Keeps chunk[chunkPos, end) as part of the current line, unless the line is already too long. */
  private take(end: number): void {
    const n = end - this.chunkPos;
    if (n === 0 || this.overlong) return;
    if (this.partBytes + n > this.maxLineBytes) {
      this.overlong = true;
      this.parts.length = 0;
      this.partBytes = 0;
      return;
    }
    this.parts.push(Buffer.from(this.chunk.subarray(this.chunkPos, end)));
    this.partBytes += n;
  }

  private emit(): string | null {
    this.lineNo++;
    const overlong = this.overlong;
    const text = overlong ? null : this.parts.length === 1 ? this.parts[0].toString('utf8') : Buffer.concat(this.parts, this.partBytes).toString('utf8');
    this.parts.length = 0;
    this.partBytes = 0;
    this.overlong = false;
    return text;
  }

  /** The last line when the file does not end with a newline; undefined after it. */
  private finishLast(): string | null | undefined {
    if (this.partBytes === 0 && !this.overlong) return undefined;
    return this.emit();
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    if (this.stream !== undefined) {
      this.stream.socket.destroy(); // closes the descriptor
      return;
    }
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
  }
}

/** Call `fn(line, lineNo)` for every line of a string (any of \n, \r\n). */
export function forEachLineOf(text: string, fn: (line: string, lineNo: number) => void): void {
  let start = 0;
  let lineNo = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    if (!(end === text.length && start === end)) fn(text.slice(start, end), lineNo); // no phantom last line
    start = end + 1;
  }
}
