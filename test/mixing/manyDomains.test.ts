/** A policy over hundreds or a thousand domains runs, refits and resumes bit for bit. */
import { describe, expect, it } from 'vitest';
import { AdoPolicy, restorePolicy } from '../../src/mixing/index.js';
import { Rng } from '../../src/random/index.js';
import { drive, sameBits, WideRun } from './helpers.js';

const names = (K: number) => Array.from({ length: K }, (_, k) => `d${k}`);

/** The largest deviation from "a mixture": a negative or non-finite entry (Infinity), or |Σ − 1|. */
function mixtureError(w: Float64Array): number {
  let s = 0;
  for (const x of w) {
    if (!(Number.isFinite(x) && x >= 0)) return Infinity;
    s += x;
  }
  return Math.abs(s - 1);
}

describe('the default δ_min', () => {
  it('is 0.01 up to 100 domains and 1/(2K) beyond', () => {
    expect(new AdoPolicy({ domains: names(100) }).settings.minShare).toBe(0.01);
    expect(new AdoPolicy({ domains: names(100), preset: 'reference' }).settings.minShare).toBe(0.01);
    expect(new AdoPolicy({ domains: names(101) }).settings.minShare).toBe(1 / 202);
    expect(() => new AdoPolicy({ domains: names(101), minShare: 0.01 })).toThrow(/^AdoPolicy: minShare must be ≤ 1\/101 \(101 live domains each get at least minShare\), got 0\.01$/);
  });
});

describe.each([129, 200, 1000])('ADO over %i domains', (K) => {
  const opts = { domains: names(K), startStep: 600, refitInterval: 600, ignoreSteps: 100, lag: 13, fit: { subsample: 25 } };

  it('constructs with a feasible default δ_min, refits, and resumes from JSON bit for bit', () => {
    const full = new AdoPolicy(opts);
    expect(full.settings.minShare).toBe(1 / (2 * K)); // 0.01 would not fit: K·0.01 > 1
    const steps = 1250;
    const all = drive(full, new WideRun(K), steps);
    expect(full.lawsVersion).toBe(2); // refits at 600 and 1200
    expect(full.laws().filter((l) => l !== null).length).toBeGreaterThan(K / 2);
    expect(Math.max(...all.map(mixtureError))).toBeLessThan(1e-12);
    // the laws steer the mixture away from uniform (less far with the capacity term: 1.5 without it)
    const last = all[steps - 1];
    expect(Math.max(...last) / Math.min(...last)).toBeGreaterThan(1.3);

    const run = new WideRun(K);
    const a = new AdoPolicy(opts);
    const head = drive(a, run, 1205); // the refit started after 1200 is in flight
    expect(a.pendingRefits.map((j) => j.id)).toEqual([1200]);
    const b = restorePolicy(JSON.parse(JSON.stringify(a.snapshot())));
    const tail = drive(b, run, steps - 1205);
    expect(sameBits(all, [...head, ...tail])).toBe(true);
    expect(JSON.stringify(b.snapshot())).toBe(JSON.stringify(full.snapshot()));
  });
});
