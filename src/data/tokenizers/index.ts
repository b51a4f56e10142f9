// Tokenisers (byte level, GPT-2 BPE) and their streaming encoders.
export type { Tokenizer, TokenizerName } from './tokenizer.js';
export type { TokenSink } from './sink.js';
export { byteTokenizer } from './byte.js';
export { gpt2Tokenizer, GPT2_END_OF_TEXT } from './gpt2.js';
export { streamEncoder, CHUNK_CHARS, MAX_CARRY_CHARS, type StreamEncoder } from './stream.js';
export { lastSafeCut } from './bpeCut.js';
