/**
 * A refit outcome in a shared result slot, as numbers: decoding 1,000 domains' results from
 * JSON cost the training thread ~5 ms at every refit; from doubles it costs a fraction.
 *
 * Per result, RECORD doubles: domain, ok (1/0), points, a, e, α (NaN: none), then the
 * diagnostics (has (1/0), points, rms, r², SE of a, e, α, ε; NaN for null) and the number
 * of active bounds, each as 4 more doubles (parameter index, side (0 lower, 1 upper),
 * value, kind (0 limit, 1 penalty)). Text (failure reasons, refusals, a thrown error) goes
 * in a small JSON trailer, present only when there is some.
 */
import type { ActiveBound, FitDiagnostics } from '../curves/index.js';
import type { RefitDomainResult, RefitOutcome } from '../mixing/index.js';

const RECORD = 15;
const BOUND = 4;
const PARAMS = ['a', 'e', 'alpha'] as const;

/** Text of an outcome: its error and, per result index, the reason and refusal. */
interface Trailer {
  error?: string;
  text?: [index: number, reason: string, refused?: string][];
}

const orNaN = (v: number | null | undefined): number => (v === null || v === undefined ? NaN : v);
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** Doubles an outcome takes. */
export function encodedLength(outcome: RefitOutcome): number {
  let n = 0;
  for (const r of outcome.results) n += RECORD + BOUND * (r.diagnostics?.activeBounds.length ?? 0);
  return n;
}

/** Writes the outcome's numbers into `out` (encodedLength doubles) and returns its text trailer ('' when none). */
export function encodeOutcome(outcome: RefitOutcome, out: Float64Array): string {
  const trailer: Trailer = {};
  if (outcome.error !== undefined) trailer.error = outcome.error;
  let o = 0;
  outcome.results.forEach((r, i) => {
    out[o] = r.domain;
    out[o + 1] = r.ok ? 1 : 0;
    out[o + 2] = r.points;
    const p = r.params;
    for (let j = 0; j < 3; j++) out[o + 3 + j] = p === undefined ? NaN : p[j];
    const d = r.diagnostics;
    out[o + 6] = d === undefined ? 0 : 1;
    out[o + 7] = orNaN(d?.points);
    out[o + 8] = orNaN(d?.rms);
    out[o + 9] = orNaN(d?.r2);
    out[o + 10] = orNaN(d?.se.a);
    out[o + 11] = orNaN(d?.se.e);
    out[o + 12] = orNaN(d?.se.alpha);
    out[o + 13] = orNaN(d?.se.epsilon);
    const bounds = d?.activeBounds ?? [];
    out[o + 14] = bounds.length;
    o += RECORD;
    for (const b of bounds) {
      out[o] = PARAMS.indexOf(b.param);
      out[o + 1] = b.side === 'lower' ? 0 : 1;
      out[o + 2] = b.value;
      out[o + 3] = b.kind === 'limit' ? 0 : 1;
      o += BOUND;
    }
    if (!r.ok) (trailer.text ??= []).push(r.refused === undefined ? [i, r.reason] : [i, r.reason, r.refused]);
  });
  return trailer.error === undefined && trailer.text === undefined ? '' : JSON.stringify(trailer);
}

/** The outcome from encodeOutcome's numbers (`count` results) and trailer. */
export function decodeOutcome(values: Float64Array, count: number, trailerText: string): RefitOutcome {
  const trailer: Trailer = trailerText === '' ? {} : (JSON.parse(trailerText) as Trailer);
  const text = new Map((trailer.text ?? []).map(([i, reason, refused]) => [i, { reason, refused }]));
  const results: RefitDomainResult[] = [];
  let o = 0;
  for (let i = 0; i < count; i++) {
    const domain = values[o];
    const points = values[o + 2];
    const params: [number, number, number] | undefined = Number.isNaN(values[o + 3]) ? undefined : [values[o + 3], values[o + 4], values[o + 5]];
    let diagnostics: FitDiagnostics | undefined;
    const nBounds = values[o + 14];
    if (values[o + 6] === 1) {
      const activeBounds: ActiveBound[] = [];
      for (let b = 0, q = o + RECORD; b < nBounds; b++, q += BOUND) {
        activeBounds.push({ param: PARAMS[values[q]], side: values[q + 1] === 0 ? 'lower' : 'upper', value: values[q + 2], kind: values[q + 3] === 0 ? 'limit' : 'penalty' });
      }
      diagnostics = {
        points: values[o + 7],
        rms: orNull(values[o + 8]),
        r2: orNull(values[o + 9]),
        se: { a: orNull(values[o + 10]), e: orNull(values[o + 11]), alpha: orNull(values[o + 12]), epsilon: orNull(values[o + 13]) },
        activeBounds,
      };
    }
    if (values[o + 1] === 1) results.push({ domain, ok: true, params: params!, points, ...(diagnostics ? { diagnostics } : {}) });
    else {
      const t = text.get(i);
      results.push({
        domain,
        ok: false,
        reason: t?.reason ?? '',
        points,
        ...(diagnostics ? { diagnostics } : {}),
        ...(t?.refused !== undefined ? { refused: t.refused } : {}),
        ...(params ? { params } : {}),
      });
    }
    o += RECORD + BOUND * nBounds;
  }
  return trailer.error === undefined ? { results } : { results, error: trailer.error };
}
