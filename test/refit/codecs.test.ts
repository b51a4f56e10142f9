/** The refit worker's numeric encodings (results, jobs) give back exactly what they were given. */
import { describe, expect, it } from 'vitest';
import { decodeOutcome, encodedLength, encodeOutcome } from '../../src/refit/resultCodec.js';
import type { RefitDomainJob, RefitOutcome } from '../../src/mixing/index.js';
import { decodeJobs, encodeJobs } from '../../src/refit/jobCodec.js';

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

describe('refit job codec', () => {
  it('round-trips jobs: chunks, tails, warm starts verified or not, reasons', () => {
    const jobs: RefitDomainJob[] = [
      { domain: 4, points: 530, chunks: [0, 7, 9], frozen: 525, generation: 0, tailN: [1e6, 1.1e6], tailLoss: [2.25, 2.2], warmStart: [1.5, -0.2, 0.31] },
      { domain: 5, points: 3, chunks: [], frozen: 0, generation: 0, tailN: [], tailLoss: [], reason: 'only 3 points (needs 20)' },
      { domain: 6, points: 300, chunks: [2], frozen: 299, generation: 0, tailN: [5e5], tailLoss: [Math.PI], warmStart: [0, 0, 1e-300], verify: false },
    ];
    expect(decodeJobs(encodeJobs(jobs))).toEqual(jobs);
  });
});
