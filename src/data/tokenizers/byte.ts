/**
 * The byte-level tokeniser: a text's tokens are its UTF-8 bytes, 256 symbols, no merges, no
 * unknown symbol. A file's token count is its byte count, and any text (any language, any
 * binary junk in a scraped file) encodes.
 */
import type { Tokenizer } from './tokenizer.js';

const utf8Encoder = new TextEncoder();
// Non-fatal: a window cut inside a multi-byte character decodes with U+FFFD, it does not throw.
const utf8Decoder = new TextDecoder('utf-8');

export const byteTokenizer: Tokenizer = {
  name: 'byte',
  vocabSize: 256,
  encode: (text) => utf8Encoder.encode(text),
  decode: (tokens) => utf8Decoder.decode(tokens instanceof Uint8Array ? tokens : Uint8Array.from(tokens)),
};
