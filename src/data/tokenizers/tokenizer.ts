/**
 * What turns text into token ids. A corpus is tokenised once, into shards (src/data/shards),
 * so a tokeniser's speed matters only for building the cache; its vocabulary size decides
 * the shard dtype (uint16 up to 65,536 symbols, uint32 above) and the model's output layer.
 */

/** The tokenisers a corpus can be built with. */
export type TokenizerName = 'byte' | 'gpt2';

export interface Tokenizer {
  readonly name: string;
  /** Number of token ids: every id is in [0, vocabSize). */
  readonly vocabSize: number;
  /**
   * The end-of-text id written after each document, when the vocabulary has one (GPT-2's
   * `<|endoftext|>`, as nanoGPT's and Megatron's preprocessing append it). The byte
   * tokeniser has none: all 256 ids are bytes, so its documents simply abut.
   */
  readonly endOfText?: number;
  encode(text: string): ArrayLike<number>;
  decode?(tokens: ArrayLike<number>): string;
}
