/**
 * How the policies' option and snapshot checks say what was wrong: the value shown short,
 * the field's path (`history.loss[2][4]`), the closest known key to a misspelt one, and one
 * zod issue turned into one sentence.
 *
 * Options read `AdoPolicy: lag must be an integer ≥ 0, got -1` or
 * `AdoPolicy: unknown option "refitIntreval" (did you mean "refitInterval"?)`; snapshots read
 * `ado snapshot: field "weights" must sum to 1 (±1e-9), sums to 3` or
 * `ado snapshot: unknown field "foo"`.
 */
import { z } from 'zod';

/** A short, JSON-like rendering of a value (NaN and Infinity stay readable; undefined is "nothing"). */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  let shown: string | undefined;
  try {
    shown = JSON.stringify(v);
  } catch {
    shown = undefined;
  }
  if (shown === undefined) shown = String(v);
  return shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
}

/** `['history', 'loss', 2, 4]` → `history.loss[2][4]`. */
export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** Levenshtein distance, case-insensitive (keys are short: a plain table). */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The known key closest to `key` when it is a likely misspelling (≤ 2 edits, and fewer than half its letters). */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(key, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return bestD <= Math.min(2, Math.floor(key.length / 2)) ? best : undefined;
}

/** `"refitIntreval" (did you mean "refitInterval"?)`, the prefix (a path) on both. */
function unknownKeyText(key: string, known: readonly string[], prefix: string): string {
  const near = closestKey(key, known);
  return `"${prefix}${key}"${near !== undefined ? ` (did you mean "${prefix}${near}"?)` : ''}`;
}

/**
 * A strict object. Its unknown-key issue's message lists the keys with their paths and the
 * closest known key (`"history.extr" (did you mean "history.extra"?)`); the caller puts
 * `unknown field` or `unknown option` in front. Anything but an object: `must be an object, got …`.
 */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T): z.ZodObject<T, z.core.$strict> {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code !== 'unrecognized_keys') return `must be an object, got ${describeValue(iss.input)}`;
      const prefix = iss.path && iss.path.length > 0 ? `${pathText(iss.path)}.` : '';
      return iss.keys.map((k) => unknownKeyText(k, known, prefix)).join(', ');
    },
  });
}

/** An issue's message `must be <expected>, got <the value>` (for `{ error }` of any zod schema). */
export const mustBe =
  (expected: string) =>
  (iss: { input?: unknown }): string =>
    `must be ${expected}, got ${describeValue(iss.input)}`;

/**
 * A safe integer ≥ min (`must be an integer ≥ 0, got 1.5`). Safe: steps and counts past 2^53
 * cannot be incremented, so they are no integers a policy could have written.
 */
export const integer = (min: number) =>
  z.number({ error: mustBe(`an integer ≥ ${min}`) }).refine((x) => Number.isSafeInteger(x) && x >= min, { error: mustBe(`an integer ≥ ${min}`) });

/** Unknown keys first (a typo is the likely cause of the rest), then the shallowest issue. */
function firstIssue(error: z.ZodError): z.core.$ZodIssue {
  const issues = error.issues;
  const unknown = issues.find((i) => i.code === 'unrecognized_keys');
  if (unknown) return unknown;
  let best = issues[0];
  for (const i of issues) if (i.path.length < best.path.length) best = i;
  return best;
}

function unknownKeysText(iss: z.core.$ZodIssueUnrecognizedKeys, noun: string): string {
  return `unknown ${noun}${iss.keys.length > 1 ? 's' : ''} ${iss.message}`;
}

/** `AdoPolicy: lag must be …` / `AdoPolicy: unknown option "x"`: the first issue of an options check. */
export function optionsError(where: string, error: z.ZodError): Error {
  const iss = firstIssue(error);
  if (iss.code === 'unrecognized_keys') return new Error(`${where}: ${unknownKeysText(iss, 'option')}`);
  const path = pathText(iss.path);
  return new Error(`${where}: ${path ? `${path} ` : ''}${iss.message}`);
}

/** `ado snapshot: field "h" must be …` / `ado snapshot: unknown field "foo"`: the first issue of a snapshot check. */
export function snapshotIssueError(kind: string, error: z.ZodError): Error {
  const iss = firstIssue(error);
  if (iss.code === 'unrecognized_keys') return new Error(`${kind} snapshot: ${unknownKeysText(iss, 'field')}`);
  return new Error(`${kind} snapshot: field "${pathText(iss.path)}" ${iss.message}`);
}

/** Parses `value` or throws the options error for its first issue. */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw optionsError(where, r.error);
  return r.data;
}

/**
 * Forwards the issues of a nested strict object parsed inside a transform (an option such as
 * `fitChecks: "off" | {…}`), naming unknown keys with the option's key in front
 * (`"fitChecks.maxRMS" (did you mean "fitChecks.maxRms"?)`), as a nested strictObject would.
 */
export function forwardIssues(ctx: z.RefinementCtx, issues: readonly z.core.$ZodIssue[], key: string, known: readonly string[]): void {
  for (const iss of issues) {
    if (iss.code === 'unrecognized_keys') {
      const keys = iss.keys.map((k) => unknownKeyText(k, known, `${key}.`));
      ctx.addIssue({ ...iss, message: keys.join(', ') } as unknown as Parameters<typeof ctx.addIssue>[0]);
    } else ctx.addIssue(iss as unknown as Parameters<typeof ctx.addIssue>[0]);
  }
}
