/**
 * A checkpoint file back to a policy: the file layer (checkpoint.ts) reads the envelope, the
 * policy (src/mixing, `restorePolicy`) checks and restores its own snapshot. Errors name the
 * file first.
 */
import { restorePolicy, type MixturePolicy, type RefitRunner } from '../mixing/index.js';
import { readCheckpoint, type Checkpoint } from './checkpoint.js';

/** Rebuilds the policy a checkpoint holds; snapshot errors are prefixed with the source. */
export function restoreCheckpoint(checkpoint: Checkpoint, env: { refitRunner?: RefitRunner } = {}, source = '<checkpoint>'): MixturePolicy {
  try {
    return restorePolicy(checkpoint.policy, env);
  } catch (err) {
    throw new Error(`${source}: ${(err as Error).message}`);
  }
}

/** readCheckpoint + restoreCheckpoint. */
export async function loadCheckpoint(
  path: string,
  env: { refitRunner?: RefitRunner } = {},
): Promise<{ policy: MixturePolicy; checkpoint: Checkpoint }> {
  const checkpoint = await readCheckpoint(path);
  return { policy: restoreCheckpoint(checkpoint, env, path), checkpoint };
}
