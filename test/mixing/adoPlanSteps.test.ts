import { describe, expect, it } from 'vitest';
import { AdoPolicy, restorePolicy, type AdoPolicySnapshot } from '../../src/mixing/index.js';
import { adoScheduleSettings, LONG_RUN_STEPS } from '../../src/mixing/adoSchedule.js';
import { drive, sameBits, SyntheticRun } from './helpers.js';

const domains = ['a', 'b', 'c'];
const scheduleOf = (p: AdoPolicy) => {
  const { startStep, refitInterval, ignoreSteps, lag, fit } = p.settings;
  return { startStep, refitInterval, ignoreSteps, lag, subsample: fit.subsample };
};

describe('AdoPolicy.planSteps: a schedule made for the run', () => {
  it("gives a short run adomix train's schedule: a 1,500-step run fits first at step 150 and every 75 steps", () => {
    const p = new AdoPolicy({ domains });
    expect(scheduleOf(p)).toEqual({ startStep: 1000, refitInterval: 1000, ignoreSteps: 500, lag: 100, subsample: undefined });
    expect(p.planSteps(1500)).toBe(true);
    expect(scheduleOf(p)).toEqual({ startStep: 150, refitInterval: 75, ignoreSteps: 50, lag: 10, subsample: 2 });
    // Everything else stays the preset's; planning again changes nothing.
    expect(p.settings.capacity).toBe(0.2);
    expect(p.planSteps(1500)).toBe(false);
  });

  it('scales only what the options left open', () => {
    const p = new AdoPolicy({ domains, refitInterval: 100, fit: { subsample: 4, window: 31 } });
    expect(p.planSteps(1500)).toBe(true);
    expect(scheduleOf(p)).toEqual({ startStep: 150, refitInterval: 100, ignoreSteps: 50, lag: 10, subsample: 4 });
    expect(p.settings.fit.window).toBe(31);
    const fixed = new AdoPolicy({ domains, startStep: 300, refitInterval: 50, ignoreSteps: 10, lag: 5, fit: { subsample: 3 } });
    expect(fixed.planSteps(1500)).toBe(false);
    expect(scheduleOf(fixed)).toEqual({ startStep: 300, refitInterval: 50, ignoreSteps: 10, lag: 5, subsample: 3 });
  });

  it('leaves the reference preset, runs of LONG_RUN_STEPS or more and a started run as they are', () => {
    const reference = new AdoPolicy({ domains, preset: 'reference' });
    expect(reference.planSteps(1500)).toBe(false);
    expect(reference.settings.startStep).toBe(1000);
    const long = new AdoPolicy({ domains });
    expect(long.planSteps(LONG_RUN_STEPS)).toBe(false);
    expect(long.planSteps(LONG_RUN_STEPS - 1)).toBe(true);
    const started = new AdoPolicy({ domains });
    started.observe({ step: 0, loss: [3, 3, 3], count: [4, 4, 4] });
    expect(started.planSteps(1500)).toBe(false);
    expect(started.settings.startStep).toBe(1000);
  });

  it('refuses a length that is not a positive integer, naming it', () => {
    const p = new AdoPolicy({ domains });
    for (const bad of [0, -5, 1.5, NaN, Infinity]) expect(() => p.planSteps(bad)).toThrow(`AdoPolicy.planSteps: steps must be an integer ≥ 1, got ${String(bad)}`);
    expect(p.settings.startStep).toBe(1000);
  });

  it('weights equal those of the same schedule given as options, bit for bit, and a snapshot resumes them', () => {
    const steps = 600;
    const planned = new AdoPolicy({ domains });
    planned.planSteps(steps);
    const given = new AdoPolicy({ domains, ...adoScheduleSettings(steps) });
    const runPlanned = new SyntheticRun(7, 3);
    const runGiven = new SyntheticRun(7, 3);
    expect(sameBits(drive(planned, runPlanned, 300), drive(given, runGiven, 300))).toBe(true);
    expect(planned.lawsVersion).toBeGreaterThan(3); // it refitted: first at 60, then every 30 steps
    // The planned schedule is in the snapshot: a restored policy goes on as the original
    // (both runs are in the same state, having been fed the same weights).
    const restored = restorePolicy(JSON.parse(JSON.stringify(planned.snapshot())) as AdoPolicySnapshot) as AdoPolicy;
    expect(scheduleOf(restored)).toEqual(scheduleOf(planned));
    expect(sameBits(drive(restored, runPlanned, 200), drive(given, runGiven, 200))).toBe(true);
  });
});
