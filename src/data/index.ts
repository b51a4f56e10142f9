// Corpora and how a model reads them: the built-in generated corpus, token windows, corpora of
// real files (a data folder or a manifest) tokenised once into token shards, tokenisers.
export * from './builtin/index.js';
export { TokenWindows, fillWindow, type TextDomain } from './windows.js';
export { ArrayTokenReader, type TokenReader } from './tokenReader.js';
export { CorpusError } from './errors.js';
export { openCorpus, HELDOUT_FOLDER, type CorpusOptions, type CorpusDomainInfo, type TokenCorpus, type CorpusProgress } from './corpus/index.js';
export { byteTokenizer, gpt2Tokenizer, GPT2_END_OF_TEXT, type Tokenizer, type TokenizerName } from './tokenizers/index.js';
export { SHARDS_FORMAT, ShardReader, ShardFile, type ShardIndex, type TokenDtype } from './shards/index.js';
