/**
 * GPT-2's byte-pair encoding (r50k_base, 50,257 ids, `<|endoftext|>` = 50256) from
 * gpt-tokenizer, loaded on first use: its merge table is a few MB of JavaScript that
 * `import 'adomix'` should not pay for.
 *
 * Text is encoded as ordinary text (tiktoken's `encode_ordinary`): a document that contains
 * the characters `<|endoftext|>` gets the tokens of those characters, not the special id,
 * so a scraped page cannot forge a document boundary.
 */
import type { Tokenizer } from './tokenizer.js';

/** GPT-2's end-of-text id. */
export const GPT2_END_OF_TEXT = 50256;

let loading: Promise<Tokenizer> | undefined;

/** The GPT-2 tokeniser (one shared instance; its merge cache is warm across corpora). */
export function gpt2Tokenizer(): Promise<Tokenizer> {
  loading ??= import('gpt-tokenizer/encoding/r50k_base').then((bpe) => {
    // No special token is disallowed, none allowed: every string is plain text.
    const ordinary = { disallowedSpecial: new Set<string>() };
    return {
      name: 'gpt2',
      vocabSize: bpe.vocabularySize,
      endOfText: GPT2_END_OF_TEXT,
      encode: (text: string) => bpe.encode(text, ordinary),
      decode: (tokens: ArrayLike<number>) => bpe.decode(Array.from(tokens)),
    };
  });
  return loading;
}
