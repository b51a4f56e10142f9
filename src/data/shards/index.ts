// Token shards: flat little-endian files of token ids, their writer, positional reader and index.
export { dtypeFor, bytesPerToken, type TokenDtype } from './dtype.js';
export { ShardWriter } from './writer.js';
export { ShardFile, ShardReader } from './reader.js';
export { fingerprint, type FileFingerprint } from './fingerprint.js';
export {
  SHARDS_FORMAT,
  parseShardIndex,
  parseShardStream,
  formatShardIndex,
  type ShardIndex,
  type IndexDomain,
  type ShardStream,
  type SplitRule,
  type TokenRange,
} from './format.js';
