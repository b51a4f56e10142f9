/**
 * TFRecord framing, the container of TensorBoard event files. A file is a sequence of
 *
 *   uint64 length (little-endian)
 *   uint32 masked CRC-32C of the 8 length bytes
 *   byte   data[length]
 *   uint32 masked CRC-32C of the data
 *
 * and nothing else: no magic number, no index, no sync marker. Both CRCs are checked.
 *
 * What a bad record costs: a record whose DATA checksum fails has a trustworthy length (its
 * own checksum passed), so it can be skipped and reading goes on at the next record. A
 * record whose LENGTH checksum fails, or whose length runs past the end of the file
 * (truncated, e.g. a file still being written), leaves no way to find the next record —
 * TFRecord has no marker to resynchronise on — so the rest of the file cannot be read.
 *
 * The file is read with positional reads, one record at a time, so a large event file
 * (images, histograms) is never held in memory whole.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { crc32c, hex32, maskCrc32c } from './crc32c.js';

/** One record, or why none could be read at `offset`. */
export type TfRecordResult =
  | { ok: true; offset: number; data: Uint8Array }
  /** `resumable`: reading can go on at the next record (only after a bad data checksum). */
  | { ok: false; offset: number; message: string; resumable: boolean };

const HEADER_BYTES = 12;
const FOOTER_BYTES = 4;

/** Reads the records of one TFRecord file in order. `next()` answers undefined at the end. */
export class TfRecordReader {
  private handle: FileHandle | undefined;
  private position = 0;
  private size = 0;
  private stopped = false;
  private readonly header = Buffer.alloc(HEADER_BYTES);

  private constructor(readonly path: string) {}

  static async open(path: string): Promise<TfRecordReader> {
    const reader = new TfRecordReader(path);
    try {
      reader.handle = await open(path, 'r');
      const st = await reader.handle.stat();
      if (!st.isFile()) throw new Error('not a regular file');
      reader.size = st.size;
    } catch (err) {
      await reader.close();
      throw new Error(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return reader;
  }

  /** Bytes of the file not read (yet, or ever: after a record that cannot be resumed from). */
  get unread(): number {
    return this.size - this.position;
  }

  /** The next record; a failure that cannot be resumed from ends the file. */
  async next(): Promise<TfRecordResult | undefined> {
    if (this.stopped || this.position >= this.size) return undefined;
    const offset = this.position;
    const left = this.size - offset;
    if (left < HEADER_BYTES) return this.stop(offset, `truncated record: the file ends ${left} byte${left === 1 ? '' : 's'} into a 12-byte record header (a file still being written?)`);
    await this.readAt(this.header, 0, HEADER_BYTES, offset);
    const storedLengthCrc = this.header.readUInt32LE(8);
    const lengthCrc = maskCrc32c(crc32c(this.header, 0, 8));
    if (storedLengthCrc !== lengthCrc)
      return this.stop(offset, `record length checksum mismatch (stored ${hex32(storedLengthCrc)}, computed ${hex32(lengthCrc)}): the length cannot be trusted`);
    const length = this.header.readUInt32LE(0) + this.header.readUInt32LE(4) * 2 ** 32;
    if (length > left - HEADER_BYTES - FOOTER_BYTES)
      return this.stop(offset, `truncated record: its ${length} bytes of data and 4 of checksum run past the end of the file (${left - HEADER_BYTES} bytes left; a file still being written?)`);
    const body = Buffer.allocUnsafe(length + FOOTER_BYTES);
    await this.readAt(body, 0, body.length, offset + HEADER_BYTES);
    this.position = offset + HEADER_BYTES + body.length;
    const storedDataCrc = body.readUInt32LE(length);
    const dataCrc = maskCrc32c(crc32c(body, 0, length));
    if (storedDataCrc !== dataCrc)
      return { ok: false, offset, message: `record data checksum mismatch (stored ${hex32(storedDataCrc)}, computed ${hex32(dataCrc)}) in its ${length} bytes`, resumable: true };
    return { ok: true, offset, data: body.subarray(0, length) };
  }

  private stop(offset: number, message: string): TfRecordResult {
    this.stopped = true;
    this.position = offset;
    return { ok: false, offset, message, resumable: false };
  }

  private async readAt(buffer: Buffer, at: number, length: number, position: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle!.read(buffer, at + done, length - done, position + done);
      if (bytesRead === 0) throw new Error(`cannot read ${this.path}: it ended at byte ${position + done} while being read (did it shrink?)`);
      done += bytesRead;
    }
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }
}

/** One TFRecord: its length, the length's masked CRC, the data, the data's masked CRC. */
export function frameTfRecord(data: Uint8Array): Uint8Array {
  const out = Buffer.alloc(HEADER_BYTES + data.length + FOOTER_BYTES);
  out.writeUInt32LE(data.length >>> 0, 0);
  out.writeUInt32LE(Math.floor(data.length / 2 ** 32), 4);
  out.writeUInt32LE(maskCrc32c(crc32c(out, 0, 8)), 8);
  out.set(data, HEADER_BYTES);
  out.writeUInt32LE(maskCrc32c(crc32c(data)), HEADER_BYTES + data.length);
  return out;
}
