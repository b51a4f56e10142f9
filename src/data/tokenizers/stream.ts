/**
 * Encoding a document piece by piece, so that a 2 GB file never sits in memory as one string.
 *
 * - Byte level: bytes go straight to the sink; text is UTF-8 encoded into a reused buffer.
 * - GPT-2 BPE: bytes are decoded as a UTF-8 stream (a character split across two reads is
 *   joined), text accumulates until CHUNK_CHARS, then everything before the last safe cut
 *   (bpeCut.ts) is encoded and the rest carried over. The tokens are exactly those of
 *   encoding the whole document at once; the cost is only that a piece is re-scanned from
 *   its end for a cut (a few characters in real text). A text with no safe cut in
 *   MAX_CARRY_CHARS (a 4-million-character run without a lone space or newline: minified
 *   data, not prose) is cut anyway at a character boundary, which may change the one or two
 *   tokens at that seam; memory stays bounded either way. A cut piece ends where the last
 *   safe cut is, so after a cut the carry holds the rest of a line or word: short in text.
 *
 * After each document the tokeniser's end-of-text id is written, when it has one.
 */
import { charBoundary, lastSafeCut } from './bpeCut.js';
import type { TokenSink } from './sink.js';
import type { Tokenizer } from './tokenizer.js';

export interface StreamEncoder {
  /** The next UTF-8 bytes of the current document. */
  bytes(chunk: Uint8Array): void;
  /** The next text of the current document. */
  text(text: string): void;
  /** Ends the current document (flushes what is carried, writes end-of-text). */
  endDocument(): void;
}

/** Characters encoded per call of a BPE tokeniser. */
export const CHUNK_CHARS = 1 << 18;
/** Longest text carried without a safe cut before it is cut anyway. */
export const MAX_CARRY_CHARS = 1 << 22;

class ByteStream implements StreamEncoder {
  private scratch = new Uint8Array(1 << 16);
  private readonly utf8 = new TextEncoder();

  constructor(private readonly sink: TokenSink) {}

  bytes(chunk: Uint8Array): void {
    this.sink.pushBytes(chunk);
  }

  text(text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    if (this.scratch.length < text.length * 3) this.scratch = new Uint8Array(text.length * 3);
    const { written } = this.utf8.encodeInto(text, this.scratch);
    this.sink.pushBytes(this.scratch.subarray(0, written));
  }

  endDocument(): void {}
}

class BpeStream implements StreamEncoder {
  private readonly decoder = new TextDecoder('utf-8');
  private carry = '';

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly sink: TokenSink,
  ) {}

  bytes(chunk: Uint8Array): void {
    this.text(this.decoder.decode(chunk, { stream: true }));
  }

  text(text: string): void {
    this.carry += text;
    while (this.carry.length >= CHUNK_CHARS) {
      let cut = lastSafeCut(this.carry);
      if (cut < 0) {
        if (this.carry.length < MAX_CARRY_CHARS) return; // wait for more text and a cut
        cut = charBoundary(this.carry, this.carry.length - CHUNK_CHARS);
      }
      this.sink.push(this.tokenizer.encode(this.carry.slice(0, cut)));
      this.carry = this.carry.slice(cut);
    }
  }

  endDocument(): void {
    this.carry += this.decoder.decode();
    if (this.carry.length > 0) this.sink.push(this.tokenizer.encode(this.carry));
    this.carry = '';
    if (this.tokenizer.endOfText !== undefined) this.sink.push([this.tokenizer.endOfText]);
  }
}

/** The stream encoder of a tokeniser: byte level for 'byte', chunked BPE for any other. */
export function streamEncoder(tokenizer: Tokenizer, sink: TokenSink): StreamEncoder {
  return tokenizer.name === 'byte' ? new ByteStream(sink) : new BpeStream(tokenizer, sink);
}
