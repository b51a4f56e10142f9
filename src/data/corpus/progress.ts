/**
 * Progress of a cache build, for a progress bar: bytes of input files (as stored on disk,
 * compressed when they are) done out of all the files being tokenised in this build (files
 * of domains whose shards are reused are not counted), and the rate so far in MB/s (10^6
 * bytes per second of wall time since the build started).
 */
export interface CorpusProgress {
  domain: string;
  /** The file being read. */
  file: string;
  bytesDone: number;
  bytesTotal: number;
  mbPerSecond: number;
}

export class BuildProgress {
  private base = 0;
  private last = -1;
  private readonly started = performance.now();

  constructor(
    readonly bytesTotal: number,
    private readonly onProgress: ((p: CorpusProgress) => void) | undefined,
  ) {}

  /** `bytesRead` bytes of `file` (of `size`) are done. */
  report(domain: string, file: string, bytesRead: number, size: number): void {
    if (this.onProgress === undefined) return;
    const bytesDone = this.base + Math.min(bytesRead, size);
    if (bytesDone === this.last) return; // a file's end is reported once
    this.last = bytesDone;
    const seconds = Math.max((performance.now() - this.started) / 1000, 1e-6);
    this.onProgress({ domain, file, bytesDone, bytesTotal: this.bytesTotal, mbPerSecond: bytesDone / 1e6 / seconds });
  }

  /** `file` is done (reported as complete, whatever its reader reported last). */
  fileDone(domain: string, file: string, size: number): void {
    this.report(domain, file, size, size);
    this.base += size;
  }
}
