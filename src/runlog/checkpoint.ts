/**
 * Checkpoint files: a policy's whole state, so a run (or a replay) resumes exactly.
 *
 *   {"adomix":"checkpoint/1","policy":{"kind":"ado","version":1,"step":4999,...},"meta":{...}}
 *
 * The policy owns its snapshot (src/mixing: `snapshot()`, `restorePolicy`); this file layer
 * only reads and writes the envelope: `policy` is the snapshot as JSON, `meta` free-form
 * JSON the writer wants back (replay and the training loop keep what identifies their run).
 * Files are written atomically (temporary file, then rename) and checked on read: corrupt
 * JSON, a foreign file and another format version are errors naming the file.
 * policyCheckpoint.ts joins the two: a checkpoint file to a policy.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic, writeFileAtomicSync } from './atomic.js';

/** A policy's snapshot as a checkpoint holds it: JSON with at least its kind (src/mixing checks the rest). */
export interface PolicySnapshotJson {
  kind: string;
  [field: string]: unknown;
}

/** Anything that can snapshot itself (every MixturePolicy). */
interface Snapshotting {
  snapshot(): PolicySnapshotJson;
}

export const CHECKPOINT_FORMAT = 'checkpoint/1';

export interface Checkpoint {
  adomix: typeof CHECKPOINT_FORMAT;
  policy: PolicySnapshotJson;
  meta?: Record<string, unknown>;
}

function toCheckpoint(policy: Snapshotting | PolicySnapshotJson, meta?: Record<string, unknown>): Checkpoint {
  const snapshot = 'snapshot' in policy && typeof policy.snapshot === 'function' ? policy.snapshot() : (policy as PolicySnapshotJson);
  return meta === undefined ? { adomix: CHECKPOINT_FORMAT, policy: snapshot } : { adomix: CHECKPOINT_FORMAT, policy: snapshot, meta };
}

/** The file's text: one JSON object (NaN never occurs: snapshots hold null instead). */
export function formatCheckpoint(policy: Snapshotting | PolicySnapshotJson, meta?: Record<string, unknown>): string {
  return `${JSON.stringify(toCheckpoint(policy, meta))}\n`;
}

/** Writes a checkpoint atomically (a reader never sees half a file). */
export async function writeCheckpoint(path: string, policy: Snapshotting | PolicySnapshotJson, meta?: Record<string, unknown>): Promise<void> {
  await writeFileAtomic(path, formatCheckpoint(policy, meta));
}

/** Synchronous `writeCheckpoint`, for training loops that do not await. */
export function writeCheckpointSync(path: string, policy: Snapshotting | PolicySnapshotJson, meta?: Record<string, unknown>): void {
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
