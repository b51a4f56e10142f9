/**
 * The common header of every policy snapshot (kind, version, step, domains) and the
 * sentence a failed snapshot check throws: it names the snapshot kind and the field, and
 * says what was expected and what was there.
 */
import type { PolicySnapshot } from './policy.js';
import { describeValue } from './schemaText.js';

/** `<kind> snapshot: field "<field>" <text>, got <value>` (text: "must be …", "must include …"). */
export function snapshotFail(kind: string, field: string, text: string, got: unknown): Error {
  return new Error(`${kind} snapshot: field "${field}" ${text}, got ${describeValue(got)}`);
}

/** `<kind> snapshot: field "<field>" must be <expected>, got <value>`. */
export function snapshotError(kind: string, field: string, expected: string, got: unknown): Error {
  return snapshotFail(kind, field, `must be ${expected}`, got);
}

/** Common header: kind, version, step, domains. */
export function checkSnapshotHeader(s: unknown, kind: string | readonly string[], version: number | readonly number[]): PolicySnapshot {
  const versions = typeof version === 'number' ? [version] : version;
  const kinds = typeof kind === 'string' ? [kind] : kind;
  if (s === null || typeof s !== 'object' || Array.isArray(s)) {
    throw new Error(`policy snapshot must be an object, got ${s === null ? 'null' : Array.isArray(s) ? 'an array' : typeof s}`);
  }
  const o = s as Record<string, unknown>;
  if (typeof o.kind !== 'string' || !kinds.includes(o.kind)) {
    throw snapshotError('policy', 'kind', `one of ${kinds.join(', ')}`, o.kind);
  }
  const k = o.kind;
  if (!versions.includes(o.version as number)) throw snapshotError(k, 'version', `${versions.join(' or ')} (this adomix)`, o.version);
  if (typeof o.step !== 'number' || !Number.isSafeInteger(o.step) || o.step < -1) {
    throw snapshotError(k, 'step', 'an integer ≥ -1', o.step);
  }
  if (
    !Array.isArray(o.domains) ||
    o.domains.length === 0 ||
    o.domains.some((d) => typeof d !== 'string' || d.length === 0) ||
    new Set(o.domains).size !== o.domains.length
  ) {
    throw snapshotError(k, 'domains', 'a non-empty array of distinct names', o.domains);
  }
  return o as PolicySnapshot;
}
