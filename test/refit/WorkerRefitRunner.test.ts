import { afterEach, describe, expect, it } from 'vitest';
import { threadId } from 'node:worker_threads';
import { AdoPolicy, restorePolicy, type RefitRunner } from '../../src/mixing/index.js';
import { WorkerRefitRunner, refitWorkerPath, createRefitRunner, splitJobs } from '../../src/refit/index.js';
import { drive, sameBits, SyntheticRun, WideRun } from '../mixing/helpers.js';

const opts = { domains: ['a', 'b', 'c'], prior: [0.4, 0.4, 0.2], startStep: 300, ignoreSteps: 100, refitInterval: 300, lag: 5 };
const runners: RefitRunner[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) await r.close();
});
function worker(workers?: number): WorkerRefitRunner {
  const r = new WorkerRefitRunner({ workers });
  runners.push(r);
  return r;
}

describe('WorkerRefitRunner', () => {
  it('runs the compiled worker entry (a real thread, even under vitest)', () => {
    expect(refitWorkerPath()).toMatch(/dist[\\/]src[\\/]refit[\\/]refitWorker\.js$/);
    expect(threadId).toBeGreaterThanOrEqual(0);
  });

  it('gives bit-for-bit the weights of inline refits with the same lag', () => {
    const inline = drive(new AdoPolicy(opts), new SyntheticRun(9, 3), 1000);
    const r = worker();
    const p = new AdoPolicy({ ...opts, refitRunner: r });
    const threaded = drive(p, new SyntheticRun(9, 3), 1000);
    expect(r.stats.refits).toBe(3); // 300, 600, 900
    expect(r.stats.computeMs.every((ms) => ms > 0)).toBe(true);
    expect(p.laws().every((l) => l !== null)).toBe(true);
    expect(sameBits(inline, threaded)).toBe(true);
  });

  it('lag 0 in a worker equals the inline reference', () => {
    const o = { ...opts, preset: 'reference' as const, lag: 0 };
    const inline = drive(new AdoPolicy(o), new SyntheticRun(2, 3), 700);
    const threaded = drive(new AdoPolicy({ ...o, refitRunner: worker() }), new SyntheticRun(2, 3), 700);
    expect(sameBits(inline, threaded)).toBe(true);
  });

  it('resumes a snapshot taken with a refit in flight into a fresh worker, bit-for-bit', () => {
    const full = drive(new AdoPolicy(opts), new SyntheticRun(13, 3), 800);
    const run = new SyntheticRun(13, 3);
    const a = new AdoPolicy({ ...opts, refitRunner: worker() });
    const head = drive(a, run, 602);
    expect(a.pendingRefits.map((j) => j.id)).toEqual([600]);
    const b = restorePolicy(JSON.parse(JSON.stringify(a.snapshot())), { refitRunner: worker() });
    const tail = drive(b, run, 198);
    expect(sameBits(full, [...head, ...tail])).toBe(true);
  });

  it('spreads a refit over a pool: one worker and three give the inline weights', () => {
    const o = { ...opts, domains: ['a', 'b', 'c', 'd', 'e'], prior: [1, 1, 1, 1, 1] };
    const inline = drive(new AdoPolicy(o), new SyntheticRun(3, 5), 1000);
    for (const n of [1, 3]) {
      const r = worker(n);
      expect(r.workers).toBe(n);
      expect(sameBits(inline, drive(new AdoPolicy({ ...o, refitRunner: r }), new SyntheticRun(3, 5), 1000))).toBe(true);
    }
    expect(() => new WorkerRefitRunner({ workers: 0 })).toThrow(/^WorkerRefitRunner: workers must be an integer ≥ 1, got 0$/);
  });

  it('done(id) turns true once the workers finish, without waiting; the policy tells its history bytes', async () => {
    const r = worker();
    const p = new AdoPolicy({ ...opts, lag: 50, refitRunner: r });
    drive(p, new SyntheticRun(4, 3), 301); // the refit after step 300 is in flight
    expect(p.pendingRefits.map((j) => j.id)).toEqual([300]);
    while (!r.done(300)) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(r.stats.waits).toBe(0);
    expect(() => r.done(301)).toThrow('refit 301 was never submitted');
    // 3 domains × 301 steps: rings of 101 rows (one block of 8 lanes, mirrored) and the point arena
    expect(p.historyBytes).toBeGreaterThan(2 * 101 * 8 * 8);
    expect(p.historyBytes).toBeLessThan(2 * 101 * 8 * 8 + 64 * 4096 + 3 * 1024);
  });

  it('splits jobs into contiguous groups of about equal points', () => {
    expect(splitJobs([5, 5, 5, 5], 2)).toEqual([[0, 1], [2, 3]]);
    expect(splitJobs([100, 1, 1, 1], 2)).toEqual([[0], [1, 2, 3]]);
    expect(splitJobs([1, 1], 4)).toEqual([[0], [1]]);
    expect(splitJobs([], 3)).toEqual([]);
    expect(splitJobs([3, 3, 3, 3, 3, 3], 3).map((g) => g.length)).toEqual([2, 2, 2]);
  });

  it('keeps refits in flight reading their points while new chunks and arenas are written', () => {
    // 3000 steps of thinning-free history: new chunks and arenas appear with refits in flight.
    const o = { ...opts, refitInterval: 1000, startStep: 1000, lag: 50 };
    const inline = drive(new AdoPolicy(o), new SyntheticRun(17, 3), 3000);
    const threaded = drive(new AdoPolicy({ ...o, refitRunner: worker() }), new SyntheticRun(17, 3), 3000);
    expect(sameBits(inline, threaded)).toBe(true);
  });

  it('closes cleanly, twice, and refuses work afterwards', async () => {
    const r = createRefitRunner('worker');
    expect(r.mode).toBe('worker');
    const p = new AdoPolicy({ ...opts, refitRunner: r });
    drive(p, new SyntheticRun(1, 3), 302); // a refit is in flight
    await p.close();
    await r.close();
    await r.close();
    expect(() => p.observe({ step: 302, loss: [1, 1, 1], count: [1, 1, 1] })).toThrow(/after close/);
    expect(createRefitRunner('inline').mode).toBe('inline');
    expect(() => createRefitRunner('gpu' as never)).toThrow(/must be "inline" or "worker"/);
  });
});

// The worker refit path over a thousand domains: the shared history (bounded reservation,
// new arenas while the worker holds them) and the result slot sized for K.
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
