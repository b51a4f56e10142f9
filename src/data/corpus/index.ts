// Corpora of real files: a data folder or a manifest, tokenised once into a shard cache.
export { openCorpus } from './openCorpus.js';
export type { CorpusOptions, CorpusDomainInfo, TokenCorpus } from './types.js';
export type { CorpusProgress } from './progress.js';
export { globRegExp, expandGlob, hasGlob } from './glob.js';
export { walkFiles } from './walk.js';
export { HELDOUT_FOLDER } from './directory.js';
export { tailSplit } from './split.js';
