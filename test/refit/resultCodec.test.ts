/** The refit worker's numeric result encoding gives back exactly the outcome it was given. */
import { describe, expect, it } from 'vitest';
import { decodeOutcome, encodedLength, encodeOutcome } from '../../src/refit/resultCodec.js';
import type { RefitOutcome } from '../../src/mixing/index.js';

const diagnostics = (rms: number | null, bounds: number) => ({
  points: 120,
  rms,
  r2: rms === null ? null : 0.97,
  se: { a: 0.1, e: null, alpha: 1e-3, epsilon: -0 },
  activeBounds: [
    { param: 'alpha' as const, side: 'upper' as const, value: 2, kind: 'limit' as const },
    { param: 'e' as const, side: 'lower' as const, value: -Math.PI, kind: 'penalty' as const },
  ].slice(0, bounds),
});

function roundTrip(outcome: RefitOutcome): RefitOutcome {
  const values = new Float64Array(encodedLength(outcome));
  const text = encodeOutcome(outcome, values);
  return decodeOutcome(values, outcome.results.length, text);
}

describe('refit result codec', () => {
  it('round-trips laws, diagnostics (nulls, bounds, −0), failures, refusals and an error', () => {
    const outcome: RefitOutcome = {
      results: [
        { domain: 3, ok: true, params: [1.5, -0.25, 0.31], points: 120, diagnostics: diagnostics(0.012, 2) },
        { domain: 0, ok: false, reason: 'only 4 points (needs 20)', points: 4 },
        { domain: 7, ok: false, reason: 'fit refused', refused: 'rms 0.4 > maxRms 0.3', points: 80, params: [2, 0, 0.1], diagnostics: diagnostics(null, 0) },
        { domain: 9, ok: true, params: [Number.MIN_VALUE, -1e300, 2], points: 3, diagnostics: diagnostics(1e-17, 1) },
      ],
    };
    const back = roundTrip(outcome);
    expect(back).toEqual(outcome);
    expect(Object.is(back.results[0].diagnostics!.se.epsilon, -0)).toBe(true);
    expect(roundTrip({ results: [], error: 'fitPowerLaw: boom' })).toEqual({ results: [], error: 'fitPowerLaw: boom' });
  });

  it('writes no text when every domain has a law', () => {
    const outcome: RefitOutcome = { results: [{ domain: 0, ok: true, params: [1, 2, 0.3], points: 50 }] };
    expect(encodeOutcome(outcome, new Float64Array(encodedLength(outcome)))).toBe('');
    expect(roundTrip(outcome)).toEqual(outcome);
  });
});
