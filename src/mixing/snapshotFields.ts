/**
 * Field checks used when a policy is restored from a snapshot (which may come from a
 * file): each names the snapshot kind and the field, and says what was expected.
 */
import type { PolicySnapshot } from './policy.js';

export function snapshotError(kind: string, field: string, expected: string, got: unknown): Error {
  let shown: string;
  try {
    shown = JSON.stringify(got);
    if (shown === undefined) shown = String(got);
  } catch {
    shown = String(got);
  }
  if (shown.length > 80) shown = `${shown.slice(0, 77)}...`;
  return new Error(`${kind} snapshot: field "${field}" must be ${expected}, got ${shown}`);
}

/** Common header: kind, version, step, domains. */
export function checkSnapshotHeader(s: unknown, kind: string | readonly string[], version: number): PolicySnapshot {
  const kinds = typeof kind === 'string' ? [kind] : kind;
  if (s === null || typeof s !== 'object' || Array.isArray(s)) {
    throw new Error(`policy snapshot must be an object, got ${s === null ? 'null' : typeof s}`);
  }
  const o = s as Record<string, unknown>;
  if (typeof o.kind !== 'string' || !kinds.includes(o.kind)) {
    throw snapshotError('policy', 'kind', `one of ${kinds.join(', ')}`, o.kind);
  }
  const k = o.kind;
  if (o.version !== version) throw snapshotError(k, 'version', `${version} (this adomix)`, o.version);
  if (typeof o.step !== 'number' || !Number.isInteger(o.step) || o.step < -1) {
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

/** A number array of the given length; entries finite (or null → NaN where `allowNull`). */
export function numberArray(
  s: PolicySnapshot,
  field: string,
  length: number,
  opts: { allowNull?: boolean; min?: number } = {},
): Float64Array {
  const v = s[field];
  const expected = `an array of ${length} finite numbers${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}`;
  if (!Array.isArray(v) || v.length !== length) throw snapshotError(s.kind, field, expected, v);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const x = v[i];
    if (x === null && opts.allowNull) out[i] = NaN;
    else if (typeof x !== 'number' || !Number.isFinite(x) || (opts.min !== undefined && x < opts.min)) {
      throw snapshotError(s.kind, `${field}[${i}]`, `a finite number${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}`, x);
    } else out[i] = x;
  }
  return out;
}

export function booleanArray(s: PolicySnapshot, field: string, length: number): boolean[] {
  const v = s[field];
  if (!Array.isArray(v) || v.length !== length || v.some((x) => typeof x !== 'boolean')) {
    throw snapshotError(s.kind, field, `an array of ${length} booleans`, v);
  }
  return v as boolean[];
}

export function finiteNumber(s: PolicySnapshot, field: string, check?: (x: number) => boolean, expected = 'a finite number'): number {
  const v = s[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || (check && !check(v))) throw snapshotError(s.kind, field, expected, v);
  return v;
}

/** JSON cannot hold NaN: typed arrays go out with null where NaN. */
export function toJsonArray(v: ArrayLike<number>, length = v.length): (number | null)[] {
  const out: (number | null)[] = new Array(length);
  for (let i = 0; i < length; i++) out[i] = Number.isNaN(v[i]) ? null : v[i];
  return out;
}
