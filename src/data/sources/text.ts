/** `.txt` / `.md`: the whole file is one document, streamed through the encoder. */
import { fileChunks } from './chunks.js';
import type { ReadContext } from './context.js';

export async function readTextFile(path: string, gzip: boolean, ctx: ReadContext): Promise<void> {
  for await (const chunk of fileChunks(path, gzip, (n) => ctx.progress(n))) {
    ctx.encoder.bytes(chunk);
    if (ctx.sink.full) break;
  }
  ctx.encoder.endDocument();
}
