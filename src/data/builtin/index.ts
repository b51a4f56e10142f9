// The built-in multi-domain text corpus (code, prose, JSON, random characters), generated offline and seeded.
export { VOCAB_SIZE, encodeText, decodeTokens } from './vocab.js';
export {
  BUILTIN_DOMAINS,
  DEFAULT_TRAIN_CHARS,
  DEFAULT_HELDOUT_CHARS,
  builtinCorpus,
  generateDomain,
  type BuiltinDomain,
  type BuiltinCorpusOptions,
  type CorpusDomain,
} from './builtin.js';
export { codeFunction } from './code.js';
export { proseParagraph, proseSentence } from './prose.js';
export { jsonRecord } from './json.js';
export { randomTokens } from './random.js';
