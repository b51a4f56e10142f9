/** One corpus file into the domain's stream, by its format (any file that got this far is read: see formats.ts). */
import { readBinFile } from './bin.js';
import type { ReadContext } from './context.js';
import { explicitFileFormat } from './formats.js';
import { readJsonlFile } from './jsonl.js';
import { readParquetFile } from './parquet.js';
import { readTextFile } from './text.js';

export async function readCorpusFile(path: string, ctx: ReadContext): Promise<void> {
  const format = explicitFileFormat(path);
  switch (format.kind) {
    case 'text':
      return readTextFile(path, format.gzip, ctx);
    case 'jsonl':
      return readJsonlFile(path, format.gzip, ctx);
    case 'parquet':
      return readParquetFile(path, format.gzip, ctx);
    case 'bin':
      return readBinFile(path, format.gzip, ctx);
  }
}
