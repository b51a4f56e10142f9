/**
 * `.bin`: tokens already, as nanoGPT's prepare scripts write them (`np.uint16` ids, flat,
 * little-endian, no header). They are copied into the domain's stream unchanged, every id
 * checked against the corpus vocabulary, so a file made with another tokeniser is refused
 * before a model trains on garbage.
 */
import { statSync } from 'node:fs';
import { CorpusError } from '../errors.js';
import { swapLittleEndian } from '../shards/dtype.js';
import { fileChunks } from './chunks.js';
import type { ReadContext } from './context.js';

function oddSize(path: string, bytes: number, what: string): CorpusError {
  return new CorpusError(`${path}: ${what} of ${bytes} bytes is not a whole number of 2-byte tokens (a .bin file holds little-endian uint16 token ids)`, { file: path });
}

export async function readBinFile(path: string, gzip: boolean, ctx: ReadContext): Promise<void> {
  if (!gzip) {
    const size = statSync(path).size;
    if (size % 2 !== 0) throw oddSize(path, size, 'its size');
  }
  let scratch = new Uint16Array(0);
  let carry = -1; // an odd byte left at the end of a chunk
  let offset = 0; // tokens read so far
  let bytes = 0;
  for await (const chunk of fileChunks(path, gzip, (n) => ctx.progress(n))) {
    bytes += chunk.length;
    const need = (chunk.length + 2) >> 1;
    if (scratch.length < need) scratch = new Uint16Array(need);
    const raw = new Uint8Array(scratch.buffer);
    let fill = 0;
    let at = 0;
    if (carry >= 0) {
      raw[0] = carry;
      raw[1] = chunk[0];
      fill = 2;
      at = 1;
      carry = -1;
    }
    const whole = (chunk.length - at) & ~1;
    raw.set(chunk.subarray(at, at + whole), fill);
    fill += whole;
    if (at + whole < chunk.length) carry = chunk[at + whole];
    swapLittleEndian(raw, fill, 'uint16');
    const ids = scratch.subarray(0, fill >> 1);
    if (ctx.vocabSize < 65536) {
      for (let i = 0; i < ids.length; i++) {
        if (ids[i] >= ctx.vocabSize) {
          throw new CorpusError(
            `${path}: token ${ids[i]} at token offset ${offset + i} is outside the vocabulary [0, ${ctx.vocabSize}) of the ${ctx.tokenizerName} tokeniser; declare the tokeniser the file was made with (tokenizer / --tokenizer, or "vocabSize" in a manifest)`,
            { file: path },
          );
        }
      }
    }
    ctx.sink.push(ids);
    offset += ids.length;
    if (ctx.sink.full) return;
  }
  if (carry >= 0) throw oddSize(path, bytes, 'its decompressed data');
}
