/**
 * What the cache remembers of an input file to know it is unchanged: its size, its mtime,
 * and a SHA-256 of its first and last MiB.
 *
 * Not a hash of all its bytes: that would read the whole corpus (2 GB: seconds) at every
 * start of a run, to learn what size and mtime say almost always. The sampled hash catches
 * what they miss when a tool restores mtimes (`cp -p`, `rsync -t`, an unpacked archive): a
 * replaced file of the same size whose head or tail differ (headers, appended records,
 * re-sorted lines). An edit confined to the middle of a file of the same size whose mtime
 * was put back is not seen; delete the cache after such surgery.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface FileFingerprint {
  /** The file's path relative to the corpus root, '/'-separated. */
  path: string;
  size: number;
  mtimeMs: number;
  /** SHA-256 (hex) of the first MiB and the last MiB (the whole file when it is ≤ 2 MiB). */
  sample: string;
}

const SAMPLE_BYTES = 1 << 20;

/** Reads `length` bytes at `position` into a new buffer. */
function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  for (let got = 0; got < length; ) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) return buf.subarray(0, got);
    got += n;
  }
  return buf;
}

/** The fingerprint of `file`, recorded under the name `path`. */
export function fingerprint(file: string, path: string): FileFingerprint {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    const hash = createHash('sha256');
    if (st.size <= 2 * SAMPLE_BYTES) hash.update(readAt(fd, 0, st.size));
    else hash.update(readAt(fd, 0, SAMPLE_BYTES)).update(readAt(fd, st.size - SAMPLE_BYTES, SAMPLE_BYTES));
    return { path, size: st.size, mtimeMs: st.mtimeMs, sample: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}
