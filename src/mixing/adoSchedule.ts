/**
 * ADO's schedule for a run of a known length: when the first fit comes, how much of the
 * start is ignored, how often laws are refitted and how many steps a refit may take.
 *
 * The preset defaults (startStep 1000, ignoreSteps 500, refitInterval 1000, lag 100,
 * subsample 10) suit runs of tens of thousands of steps; in a 1,500-step run they would
 * leave the mixture where it started for 1,100 steps and fit once. For a run of `steps`
 * steps this schedule fits first after 10 % of the run, ignores the first 3 %, refits every
 * 5 %, applies a refit a few steps after it started (so a worker thread can compute it),
 * and subsamples so that the first fit already has 2·minPoints points. It is what
 * `adomix train` and, for runs shorter than LONG_RUN_STEPS, `AdoPolicy.planSteps` use.
 */

/** From this length on, a run keeps the preset's own schedule in `AdoPolicy.planSteps`. */
export const LONG_RUN_STEPS = 20_000;

export interface AdoSchedule {
  startStep: number;
  refitInterval: number;
  ignoreSteps: number;
  lag: number;
  subsample: number;
}

/** The schedule's fields that a caller may fix; the rest scale with the run. */
export type AdoScheduleGiven = Partial<Omit<AdoSchedule, 'subsample'>> & { subsample?: number; minPoints?: number };

/** The schedule of a run of `steps` steps; the values in `given` win. */
export function adoScheduleFor(steps: number, given: AdoScheduleGiven = {}): AdoSchedule {
  const refitInterval = given.refitInterval ?? Math.max(10, Math.round(steps / 20));
  const startStep = given.startStep ?? Math.max(20, Math.round(steps / 10));
  const ignoreSteps = given.ignoreSteps ?? Math.round(steps / 30);
  const minPoints = given.minPoints ?? 20;
  return {
    startStep,
    refitInterval,
    ignoreSteps,
    lag: given.lag ?? Math.min(10, Math.max(1, Math.floor(refitInterval / 5))),
    subsample: given.subsample ?? Math.max(1, Math.min(10, Math.floor((startStep - ignoreSteps) / (2 * minPoints)))),
  };
}

/**
 * adoScheduleFor as ADO settings: the schedule, with its subsample among the fit options
 * (where AdoSettings keeps it).
 */
export function adoScheduleSettings(
  steps: number,
  given: AdoScheduleGiven = {},
): { startStep: number; refitInterval: number; ignoreSteps: number; lag: number; fit: { subsample: number } } {
  const { subsample, ...schedule } = adoScheduleFor(steps, given);
  return { ...schedule, fit: { subsample } };
}
