/** Policy refits start from each domain's previous law (settings.warmStart) and lose nothing by it. */
import { describe, expect, it } from 'vitest';
import { AdoPolicy, InlineRefitRunner, computeRefit, type RefitDomainJob } from '../../src/mixing/index.js';
import { drive, SyntheticRun } from './helpers.js';

/** An inline runner that records every job it is given (the points are fitted as usual). */
function recordingRunner() {
  const jobs: RefitDomainJob[][] = [];
  const runner = new InlineRefitRunner((request, points) => {
    jobs.push(request.jobs.map((j) => ({ ...j })));
    return computeRefit(request.jobs, request.fit, points.arena.views);
  });
  return { runner, jobs };
}

const options = { domains: ['a', 'b', 'c'], startStep: 200, refitInterval: 200, ignoreSteps: 50, lag: 20 };

describe('warm-started refits', () => {
  it('each refit starts from the law the domain had when it started; the first and the reference start cold', () => {
    const { runner, jobs } = recordingRunner();
    const p = new AdoPolicy({ ...options, refitRunner: runner });
    const lawsAtStart: ([number, number, number] | null)[][] = [];
    let w = p.weights();
    const run = new SyntheticRun(3, 3);
    for (let t = 0; t < 1000; t++) {
      if (t >= 200 && t % 200 === 0) lawsAtStart.push(p.laws());
      w = p.observe(run.next(w));
    }
    expect(jobs.length).toBe(4);
    expect(jobs[0].every((j) => j.warmStart === undefined)).toBe(true);
    for (let r = 1; r < 4; r++) {
      for (const j of jobs[r]) {
        expect(j.warmStart).toEqual(lawsAtStart[r][j.domain] ?? undefined);
        // refit r is the policy's refit number r + 1 (after step 200·(r + 1)); every 4th, staggered, is verified
        expect(j.verify).toBe(j.warmStart === undefined || (r + 1 + j.domain) % 4 === 0 ? undefined : false);
      }
    }
    expect(jobs[3].filter((j) => j.warmStart !== undefined).length).toBeGreaterThanOrEqual(2);

    const ref = recordingRunner();
    const q = new AdoPolicy({ ...options, preset: 'reference', refitRunner: ref.runner });
    drive(q, new SyntheticRun(3, 3), 1000);
    expect(ref.jobs.flat().every((j) => j.warmStart === undefined)).toBe(true);
  });

  it('finds the same laws and weights as cold refits (to 1e-6)', () => {
    const warm = new AdoPolicy({ ...options });
    const cold = new AdoPolicy({ ...options, warmStart: false });
    const a = drive(warm, new SyntheticRun(5, 3), 2000);
    const b = drive(cold, new SyntheticRun(5, 3), 2000);
    const lw = warm.laws();
    const lc = cold.laws();
    for (let k = 0; k < 3; k++) for (let j = 0; j < 3; j++) expect(lw[k]![j]).toBeCloseTo(lc[k]![j], 6);
    for (let t = 0; t < a.length; t++) for (let k = 0; k < 3; k++) expect(Math.abs(a[t][k] - b[t][k])).toBeLessThan(1e-6);
    expect(warm.lawsVersion).toBe(cold.lawsVersion);
  });

  it('a snapshot taken while a warm refit is in flight resumes bit for bit', () => {
    const whole = new AdoPolicy({ ...options });
    const run = new SyntheticRun(9, 3);
    const obs = Array.from({ length: 900 }, () => run.next([1 / 3, 1 / 3, 1 / 3]));
    const full = obs.map((o) => whole.observe(o));
    const first = new AdoPolicy({ ...options });
    for (let t = 0; t < 610; t++) first.observe(obs[t]); // the refit after step 600 is in flight
    expect(first.pendingRefits.length).toBe(1);
    const snap = JSON.parse(JSON.stringify(first.snapshot()));
    const laws = first.laws();
    for (const j of snap.pending[0].jobs) expect(j.warmStart).toEqual(laws[j.domain] ?? undefined);
    expect(laws.filter((l) => l !== null).length).toBeGreaterThanOrEqual(2);
    const resumed = AdoPolicy.restore(snap);
    for (let t = 610; t < 900; t++) expect(Array.from(resumed.observe(obs[t]))).toEqual(Array.from(full[t]));
  });

  it('says what a bad warmStart option or snapshot field is', () => {
    expect(() => new AdoPolicy({ ...options, warmStart: 'yes' as never })).toThrow(/warmStart.*true or false/);
    expect(() => new AdoPolicy({ ...options, warmVerifyEvery: 0 })).toThrow(/warmVerifyEvery.*integer ≥ 1/);
    const p = new AdoPolicy({ ...options });
    drive(p, new SyntheticRun(2, 3), 610);
    const snap = JSON.parse(JSON.stringify(p.snapshot()));
    snap.pending[0].jobs[0].warmStart = [1, 2];
    expect(() => AdoPolicy.restore(snap)).toThrow(/warmStart/);
  });
});
