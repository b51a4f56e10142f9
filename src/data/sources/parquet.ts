/**
 * `.parquet`: one document per row, its text in a string column (`text` by default), read
 * with hyparquet (every codec through hyparquet-compressors) one row group at a time, so
 * memory holds one row group's text column, whatever the file's size (writers cut row
 * groups at 64–128 MiB or ~1M rows). Null and empty texts are passed over.
 *
 * A `.parquet.gz` (parquet needs random access to its footer) is first gunzipped, streamed,
 * into a temporary file next to the shards, and removed after.
 */
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AsyncBuffer } from 'hyparquet';
import { CorpusError, messageOf } from '../errors.js';
import { fileChunks } from './chunks.js';
import type { ReadContext } from './context.js';

/** A file as hyparquet's AsyncBuffer: positional reads of the slices it asks for. */
async function fileBuffer(path: string): Promise<{ buffer: AsyncBuffer; close(): Promise<void> }> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  const buffer: AsyncBuffer = {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      const out = new Uint8Array(Math.max(0, end - start));
      for (let got = 0; got < out.length; ) {
        const { bytesRead } = await handle.read(out, got, out.length - got, start + got);
        if (bytesRead === 0) throw new Error(`the file ends at byte ${start + got}, a read asked for bytes up to ${end}`);
        got += bytesRead;
      }
      return out.buffer;
    },
  };
  return { buffer, close: () => handle.close() };
}

/** Reads the parquet file at `path`; messages name `name` (the original of a gunzipped copy). */
async function readParquet(path: string, name: string, ctx: ReadContext, reportBytes: boolean): Promise<void> {
  const [{ parquetMetadataAsync, parquetSchema, parquetRead }, { compressors }] = await Promise.all([import('hyparquet'), import('hyparquet-compressors')]);
  const { buffer, close } = await fileBuffer(path);
  try {
    let metadata;
    try {
      metadata = await parquetMetadataAsync(buffer);
    } catch (err) {
      throw new CorpusError(`${name}: not a readable parquet file (${messageOf(err)})`, { file: name }, { cause: err });
    }
    const columns = parquetSchema(metadata).children;
    const column = columns.find((c) => c.element.name === ctx.textField);
    if (column === undefined) {
      const names = columns.map((c) => JSON.stringify(c.element.name)).join(', ');
      throw new CorpusError(`${name}: no column "${ctx.textField}" (its columns: ${names}); name the text column with textField (--text-field)`, { file: name });
    }
    if (column.children.length > 0 || column.element.type !== 'BYTE_ARRAY') {
      const type = column.children.length > 0 ? 'nested' : (column.element.type ?? 'untyped');
      throw new CorpusError(`${name}: column "${ctx.textField}" holds ${type} values, not text (BYTE_ARRAY strings)`, { file: name });
    }
    const totalRows = Number(metadata.num_rows);
    let rowStart = 0;
    for (const [g, group] of metadata.row_groups.entries()) {
      const rowEnd = rowStart + Number(group.num_rows);
      const texts: unknown[] = new Array(rowEnd - rowStart);
      try {
        await parquetRead({
          file: buffer,
          metadata,
          columns: [ctx.textField],
          rowStart,
          rowEnd,
          compressors,
          // A chunk may hold rows outside the range asked for: keep the range's.
          onChunk: (c) => {
            for (let r = Math.max(c.rowStart, rowStart); r < Math.min(c.rowEnd, rowEnd); r++) texts[r - rowStart] = c.columnData[r - c.rowStart];
          },
        });
      } catch (err) {
        throw new CorpusError(`${name}: row group ${g} (rows ${rowStart}–${rowEnd - 1}) cannot be read: ${messageOf(err)}`, { file: name }, { cause: err });
      }
      for (const text of texts) {
        if (typeof text === 'string') {
          if (text.length === 0) continue;
          ctx.encoder.text(text);
        } else if (text instanceof Uint8Array) {
          if (text.length === 0) continue;
          ctx.encoder.bytes(text);
        } else continue; // null: no text in this row
        ctx.encoder.endDocument();
        if (ctx.sink.full) return;
      }
      if (reportBytes) ctx.progress(Math.round((buffer.byteLength * rowEnd) / Math.max(1, totalRows)));
      rowStart = rowEnd;
    }
  } finally {
    await close();
  }
}

export async function readParquetFile(path: string, gzip: boolean, ctx: ReadContext): Promise<void> {
  if (!gzip) return readParquet(path, path, ctx, true);
  const temp = join(ctx.tempDir, `${basename(path)}.tmp-${process.pid}`);
  const fd = openSync(temp, 'w');
  try {
    try {
      for await (const chunk of fileChunks(path, true, (n) => ctx.progress(n))) {
        for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off);
      }
    } finally {
      closeSync(fd);
    }
    await readParquet(temp, path, ctx, false);
  } finally {
    unlinkSync(temp);
  }
}
