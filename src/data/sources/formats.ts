/**
 * How a file is read, by its name: `.txt` and `.md` (one document per file), `.jsonl` (one
 * per line, its text in a field), `.parquet` (one per row, its text in a column), `.bin`
 * (tokens already: flat little-endian uint16, nanoGPT's layout), each also gzip-compressed
 * with a further `.gz`. Case-insensitive.
 *
 * A folder's files (a data folder, a folder a manifest names) are read only when they have
 * one of these names; the others are listed as ignored. A file a manifest names by its path
 * or by a glob is read whatever its name, as text unless it is one of the structured formats
 * (so `"files": ["src/**\/*.ts"]` makes a code domain).
 */

export type FileKind = 'text' | 'jsonl' | 'parquet' | 'bin';

export interface FileFormat {
  kind: FileKind;
  gzip: boolean;
}

const KINDS: Record<string, FileKind> = { '.txt': 'text', '.md': 'text', '.jsonl': 'jsonl', '.parquet': 'parquet', '.bin': 'bin' };

/** What the readers accept, for messages. */
export const USABLE_FILES = '.txt, .md, .jsonl, .parquet, .bin, each optionally gzip-compressed (.gz)';

/** The format of a file from its name, or undefined when it is not a corpus file. */
export function fileFormat(path: string): FileFormat | undefined {
  let name = path.toLowerCase();
  const gzip = name.endsWith('.gz');
  if (gzip) name = name.slice(0, -3);
  const dot = name.lastIndexOf('.');
  const kind = dot < 0 ? undefined : KINDS[name.slice(dot)];
  return kind === undefined ? undefined : { kind, gzip };
}

/** The format of a file named explicitly: as `fileFormat`, or text (gunzipped when `.gz`) for any other name. */
export function explicitFileFormat(path: string): FileFormat {
  return fileFormat(path) ?? { kind: 'text', gzip: path.toLowerCase().endsWith('.gz') };
}
