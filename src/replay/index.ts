// Replaying a logged run through a mixture policy (`adomix replay`), resumable exactly.
export { runReplay, type ReplayOptions, type ReplaySummary } from './runReplay.js';
export { ReplayOutput, type OutputPosition } from './output.js';
export { parseReplayMeta, REPLAY_META_FORMAT, type ReplayCheckpointMeta } from './checkpointMeta.js';
export type { ReplayPolicyName, ReplayPolicyOptions } from './policy.js';
export { replayWeights, type ReplayWeightsOptions, type ReplayedWeights } from './weights.js';
