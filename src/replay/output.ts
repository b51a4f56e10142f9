/**
 * Where a replay's weight lines go: a file published atomically (--out), or stdout.
 *
 * A file output knows how much of it a checkpoint covers (`position()`: bytes and SHA-256,
 * durable in the temporary file), so a resumed replay can rebuild it whole: `resumeFrom`
 * looks for a file whose first bytes are exactly what the checkpoint recorded (the output
 * itself when the run finished, else the temporary file a killed run left), copies that
 * prefix, and the replay appends from there. The result is byte for byte the output of a
 * run that was never interrupted.
 */
import { AtomicFileWriter, removeStaleTemps, sha256OfPrefix, staleTempsOf } from '../runlog/index.js';

/** What a checkpoint records of a file output. */
export interface OutputPosition {
  /** The --out path as given, and the file it publishes (a symbolic link's target). */
  path: string;
  target: string;
  bytes: number;
  sha256: string;
}

export class ReplayOutput {
  private parts: string[] = [];
  private size = 0;
  private readonly file: AtomicFileWriter | undefined;

  constructor(path: string | undefined) {
    this.file = path === undefined ? undefined : new AtomicFileWriter(path);
  }

  get isFile(): boolean {
    return this.file !== undefined;
  }

  async write(line: string): Promise<void> {
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (this.file) this.file.write(chunk);
    else if (!process.stdout.write(chunk)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }

  /** Flushes and fsyncs a file output; what a checkpoint records of it (null for stdout). */
  async position(): Promise<OutputPosition | null> {
    await this.flush();
    if (this.file === undefined) return null;
    return { path: this.file.path, target: this.file.target, ...this.file.sync() };
  }

  /**
   * Starts a file output with the prefix a checkpoint recorded, taken from the first of
   * `--out`, the checkpoint's own output file and their leftover temporary files that
   * holds it; then removes the leftovers. Throws (naming what was looked at) when none does.
   */
  resumeFrom(recorded: OutputPosition): void {
    if (this.file === undefined) return;
    const candidates = [...new Set([this.file.target, ...staleTempsOf(this.file.target), recorded.target, ...staleTempsOf(recorded.target)])];
    const source = candidates.find((c) => sha256OfPrefix(c, recorded.bytes) === recorded.sha256);
    if (source === undefined) {
      throw new Error(
        `cannot make ${this.file.path} whole: the checkpoint covers its first ${recorded.bytes} bytes (sha256 ${recorded.sha256.slice(0, 12)}…), ` +
          `and none of ${candidates.join(', ')} holds them (deleted or changed since?); replay from the start, or resume without --out`,
      );
    }
    this.file.copyPrefix(source, recorded.bytes);
    for (const path of new Set([this.file.target, recorded.target])) removeStaleTemps(path);
  }

  /** Flushes and publishes a file output. */
  async close(): Promise<void> {
    await this.flush();
    this.file?.closeSync();
  }

  abort(): void {
    this.file?.abort();
  }
}
