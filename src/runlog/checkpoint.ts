/**
 * Checkpoint files: a policy's whole state, so a run (or a replay) resumes exactly.
 *
 *   {"adomix":"checkpoint/1","policy":{"kind":"ado","version":1,"step":4999,...},"meta":{...}}
 *
 * `policy` is a `PolicySnapshot` (src/mixing); `meta` is free-form JSON the writer wants
 * back (replay stores the log step it reached). Files are written atomically (temporary
 * file, then rename), and checked on load: corrupt JSON, a foreign file, another format
 * version and every malformed snapshot field are errors naming the file and the field.
 */
import { readFile } from 'node:fs/promises';
import { restorePolicy, type MixturePolicy, type PolicySnapshot, type RefitRunner } from '../mixing/index.js';
import { writeFileAtomic, writeFileAtomicSync } from './atomic.js';

export const CHECKPOINT_FORMAT = 'checkpoint/1';

export interface Checkpoint {
  adomix: typeof CHECKPOINT_FORMAT;
  policy: PolicySnapshot;
  meta?: Record<string, unknown>;
}

function toCheckpoint(policy: MixturePolicy | PolicySnapshot, meta?: Record<string, unknown>): Checkpoint {
  const snapshot = 'snapshot' in policy && typeof policy.snapshot === 'function' ? policy.snapshot() : (policy as PolicySnapshot);
  return meta === undefined ? { adomix: CHECKPOINT_FORMAT, policy: snapshot } : { adomix: CHECKPOINT_FORMAT, policy: snapshot, meta };
}

/** The file's text: one JSON object (NaN never occurs: snapshots hold null instead). */
export function formatCheckpoint(policy: MixturePolicy | PolicySnapshot, meta?: Record<string, unknown>): string {
  return `${JSON.stringify(toCheckpoint(policy, meta))}\n`;
}

/** Writes a checkpoint atomically (a reader never sees half a file). */
export async function writeCheckpoint(path: string, policy: MixturePolicy | PolicySnapshot, meta?: Record<string, unknown>): Promise<void> {
  await writeFileAtomic(path, formatCheckpoint(policy, meta));
}

/** Synchronous `writeCheckpoint`, for training loops that do not await. */
export function writeCheckpointSync(path: string, policy: MixturePolicy | PolicySnapshot, meta?: Record<string, unknown>): void {
  writeFileAtomicSync(path, formatCheckpoint(policy, meta));
}

/** Parses and checks a checkpoint's envelope; `source` names it in errors. */
export function parseCheckpoint(text: string, source = '<checkpoint>'): Checkpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const what = text.trim().length === 0 ? 'the file is empty' : (err as Error).message;
    throw new Error(`${source}: not a valid checkpoint: corrupt JSON (${what})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${source}: not an adomix checkpoint: expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
  }
  const o = value as Record<string, unknown>;
  if (!('adomix' in o)) {
    const keys = Object.keys(o).slice(0, 5).join(', ');
    throw new Error(`${source}: not an adomix checkpoint: no "adomix" field (keys: ${keys || 'none'})`);
  }
  if (o.adomix !== CHECKPOINT_FORMAT) {
    const tag = JSON.stringify(o.adomix);
    if (typeof o.adomix === 'string' && o.adomix.startsWith('checkpoint/')) {
      throw new Error(`${source}: checkpoint format ${tag} is not supported; this adomix reads "${CHECKPOINT_FORMAT}"`);
    }
    throw new Error(`${source}: not an adomix checkpoint: "adomix" is ${tag}, expected "${CHECKPOINT_FORMAT}"`);
  }
  const p = o.policy;
  if (p === null || typeof p !== 'object' || Array.isArray(p)) {
    throw new Error(`${source}: field "policy" must be a policy snapshot object, got ${JSON.stringify(p)}`);
  }
  if (o.meta !== undefined && (o.meta === null || typeof o.meta !== 'object' || Array.isArray(o.meta))) {
    throw new Error(`${source}: field "meta" must be an object when present`);
  }
  return o as unknown as Checkpoint;
}

/** Reads and checks a checkpoint file (the envelope; `restoreCheckpoint` checks the snapshot). */
export async function readCheckpoint(path: string): Promise<Checkpoint> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read checkpoint ${path}: ${(err as Error).message}`);
  }
  return parseCheckpoint(text, path);
}

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
