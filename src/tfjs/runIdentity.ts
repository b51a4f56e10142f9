/**
 * What ties a training checkpoint to its run, so a resume never continues the wrong one:
 * the run's id, what must not change between invocations (the caller's `identity`, e.g. the
 * config without --steps), the step log as of the checkpoint (its length and SHA-256) and
 * the SHA-256 of the weights file. `verifyRunIdentity` names the first thing that differs.
 */
import { createHash } from 'node:crypto';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Canonical JSON: object keys sorted, so equal values hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

const show = (v: unknown): string => (v === undefined ? 'absent' : JSON.stringify(v));

/** The first place two JSON values differ, as `path: A here, B there`; undefined when equal. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  const at = path || '(the whole value)';
  if (a === b) return undefined;
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object';
  if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) return `${at} is ${show(a)} in one and ${show(b)} in the other`;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const k of keys) {
    const d = firstDifference(a[k], b[k], Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
    if (d !== undefined) return d;
  }
  return undefined;
}

/** What a training checkpoint records of its run. */
export interface RunIdentity {
  runId: string;
  /** What must not change across a resume (JSON), and its canonical hash. */
  identity: unknown;
  identitySha256: string;
  /** The step log as published with this checkpoint: steps, bytes, SHA-256 of its text. */
  stepLog: { steps: number; bytes: number; sha256: string };
  /** SHA-256 of the weights file. */
  weightsSha256: string;
}
