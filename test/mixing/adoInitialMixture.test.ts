/**
 * settings.initialMixture: where ADO starts (before its first law; h and π̄ start there, and
 * a domain without a law keeps its share of it). `target` (the default) is the importance τ
 * normalised, balanced for the default uniform target; `prior` is μ (the reference).
 */
import { describe, expect, it } from 'vitest';
import { AdoPolicy, restorePolicy, type PolicySnapshot } from '../../src/mixing/index.js';
import { drive, SyntheticRun } from './helpers.js';
import { ADO_OPTIONS } from './snapshots.js';

const prior = [0.7, 0.2, 0.1];
/** Equal to 15 digits (normalising gives the last bit either way). */
const close = (got: ArrayLike<number>, want: number[]) => {
  expect(got.length).toBe(want.length);
  want.forEach((x, k) => expect(got[k]).toBeCloseTo(x, 15));
};
const domains = ['a', 'b', 'c'];

describe('ADO initialMixture', () => {
  it('defaults to the target: balanced for the uniform target, τ normalised for a vector, μ for the target "prior"', () => {
    const answer = (o: Record<string, unknown>) => Array.from(new AdoPolicy({ domains, prior, ...o }).weights());
    close(answer({}), [1 / 3, 1 / 3, 1 / 3]);
    close(answer({ target: [2, 1, 1] }), [0.5, 0.25, 0.25]);
    close(answer({ target: 'prior' }), prior);
    close(answer({ initialMixture: 'prior' }), prior);
    close(answer({ preset: 'reference' }), prior); // untouched
    close(new AdoPolicy({ domains, prior }).prior(), prior); // μ is still the prior
  });

  it('holds until the first law, and π̄ and h start there', () => {
    const p = new AdoPolicy({ domains, prior, startStep: 1000, lag: 0 });
    const w = drive(p, new SyntheticRun(3, 3), 50);
    for (const x of w) close(x, [1 / 3, 1 / 3, 1 / 3]);
    const s = p.snapshot();
    close(s.piBar, [1 / 3, 1 / 3, 1 / 3]);
    close(s.mu, prior);
    expect(s.settings.initialMixture).toBe('target');
  });

  it('a domain added mid-run starts at its share of the new initial mixture', () => {
    const p = new AdoPolicy({ domains: ['a', 'b'], prior: [0.9, 0.1], startStep: 1000 });
    p.addDomain('c', 0.5);
    close(p.weights(), [1 / 3, 1 / 3, 1 / 3]);
    const q = new AdoPolicy({ domains: ['a', 'b'], prior: [0.9, 0.1], initialMixture: 'prior', startStep: 1000 });
    q.addDomain('c', 0.5);
    close(q.weights(), [0.45, 0.05, 0.5]);
  });

  it('a snapshot before the first law is checked against the initial mixture; one without the setting (older) is read as "prior"', () => {
    const p = new AdoPolicy({ ...ADO_OPTIONS });
    drive(p, new SyntheticRun(2, 3), 10);
    const early = JSON.parse(JSON.stringify(p.snapshot())) as PolicySnapshot & { settings: Record<string, unknown> };
    close(early.weights as number[], [1 / 3, 1 / 3, 1 / 3]);
    expect(() => restorePolicy(early)).not.toThrow();
    expect(() => restorePolicy({ ...early, piBar: [0.5, 0.3, 0.2] })).toThrow(
      /^ado snapshot: field "piBar\[0\]" must be 0\.333\d+ \(the importance normalised: no domain has a law yet\), got 0\.5$/,
    );
    const { initialMixture: _, ...older } = early.settings;
    expect(() => restorePolicy({ ...early, settings: older })).toThrow(/field "weights\[0\]" must be 0\.5 \(the initial mixture/);
    expect(() => new AdoPolicy({ domains, initialMixture: 'natural' as never })).toThrow(/initialMixture.*must be one of target, prior, got "natural"/);
  });
});
