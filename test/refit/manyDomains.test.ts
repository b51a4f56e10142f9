/**
 * The worker refit path over a thousand domains: the shared history (bounded reservation,
 * growth and reallocation while the worker holds it) and the result slot sized for K.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdoPolicy, restorePolicy, type RefitRunner } from '../../src/mixing/index.js';
import { WorkerRefitRunner } from '../../src/refit/index.js';
import { drive, sameBits, WideRun } from '../mixing/helpers.js';

const runners: RefitRunner[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) await r.close();
});
function worker(): WorkerRefitRunner {
  const r = new WorkerRefitRunner();
  runners.push(r);
  return r;
}

describe('WorkerRefitRunner over 1000 domains', () => {
  const K = 1000;
  const opts = { domains: Array.from({ length: K }, (_, k) => `d${k}`), startStep: 600, refitInterval: 600, ignoreSteps: 100, lag: 9, fit: { subsample: 25 } };

  it('gives the inline weights bit for bit, across history growth, and resumes into a fresh worker', () => {
    const steps = 1300; // refits at 600 and 1200; the history grows past 1024 rows
    const inline = drive(new AdoPolicy(opts), new WideRun(5), steps);
    const r = worker();
    const p = new AdoPolicy({ ...opts, refitRunner: r });
    const threaded = drive(p, new WideRun(5), steps);
    expect(r.stats.refits).toBe(2);
    expect(p.lastRefit?.results.length).toBe(K);
    expect(p.lastRefit?.error).toBeUndefined();
    expect(p.laws().filter((l) => l !== null).length).toBeGreaterThan(K / 2);
    expect(sameBits(inline, threaded)).toBe(true);

    const run = new WideRun(5);
    const a = new AdoPolicy({ ...opts, refitRunner: worker() });
    const head = drive(a, run, 1203);
    expect(a.pendingRefits.map((j) => j.id)).toEqual([1200]);
    const b = restorePolicy(JSON.parse(JSON.stringify(a.snapshot())), { refitRunner: worker() });
    expect(sameBits(inline, [...head, ...drive(b, run, steps - 1203)])).toBe(true);
  });
});
