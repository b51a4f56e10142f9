/**
 * A file's bytes in chunks of up to 1 MiB, gunzipped on the fly (node:zlib's streaming
 * gunzip, concatenated members included) when it is gzip-compressed, so that no file is
 * ever read whole. Stopping early (a domain's maxTokens reached) closes the file.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CorpusError, messageOf } from '../errors.js';

export const CHUNK_BYTES = 1 << 20;

function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/**
 * The (decompressed) bytes of `path`; `onPosition(n)` after each chunk says how many bytes of
 * the file on disk were read so far (for progress). A corrupt or truncated gzip stream
 * throws a CorpusError naming the file and how far it got.
 */
export async function* fileChunks(path: string, gzip: boolean, onPosition: (bytesRead: number) => void = () => {}): AsyncGenerator<Buffer> {
  const file = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  // pipeline() forwards a read error of the file to the gunzip stream, which the loop reads.
  const out = gzip ? pipeline(file, createGunzip({ chunkSize: CHUNK_BYTES }), () => {}) : file;
  let decompressed = 0;
  try {
    for await (const chunk of out as AsyncIterable<Buffer>) {
      decompressed += chunk.length;
      onPosition(file.bytesRead);
      yield chunk;
    }
  } catch (err) {
    if (gzip && isZlibError(err)) {
      throw new CorpusError(
        `${path}: corrupt gzip data (${messageOf(err)}) after ${decompressed} decompressed bytes, within the first ${file.bytesRead} bytes of the file`,
        { file: path },
        { cause: err },
      );
    }
    throw new CorpusError(`cannot read ${path}: ${messageOf(err)}`, { file: path }, { cause: err });
  } finally {
    out.destroy();
    file.destroy();
  }
}
