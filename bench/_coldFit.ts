/**
 * Timing of single-domain fits, for the benchmarks (`fit`, `scale`): a cold fit (fitPowerLaw
 * from scratch) and a warm refit (from the previous refit's law) of the cold-fit benchmark's
 * curve (bench/_fitCurves.ts: ε 2.2, α 0.35, 2 % noise, the domain in 1/22 of each batch,
 * through fitDomains' preparation), sized to a number of points: 10·points + 1,000 steps of
 * history (ignore 1,000, every 10th step), so 1,900 points are the 20,000-step curve.
 *
 * The warm refit is that of ADO refitting every 1,000 steps: its start is the cold fit of
 * the same run 1,000 steps earlier (100 points fewer, the smoothing's edge moved on).
 *
 * Times are ms per fit, after 5 warm-up fits (JIT): wall-clock median, p90 and max over `reps`,
 * and the median CPU time.
 */
import { fitPowerLaw, type PowerLawParams } from '../src/curves/index.js';
import { benchCurve } from './_fitCurves.js';

export interface FitTiming {
  /** Points fitted. */
  points: number;
  medianMs: number;
  p90Ms: number;
  maxMs: number;
  /**
   * Median CPU time of this process per fit (process.cpuUsage, µs resolution; helper threads
   * such as the JIT's count too): the fit's cost when it has a core, on a shared machine
   * where the wall times include waits for one.
   */
  cpuMedianMs: number;
  reps: number;
  /** Objective of the fit (the same on every repetition). */
  objective: number;
}

export interface WarmFitTiming extends FitTiming {
  /** Whether the warm optimum was verified and kept (no cold fit ran). */
  accepted: boolean;
  /** The cold fit's objective on the same points: the warm one is never above it. */
  coldObjective: number;
}

/** History steps whose fit data has `points` points. */
function stepsFor(points: number): number {
  if (!(Number.isInteger(points) && points >= 20)) throw new Error(`points must be an integer ≥ 20, got ${points}`);
  return 10 * points + 1000;
}

function checkReps(reps: number): number {
  if (!(Number.isInteger(reps) && reps >= 1)) throw new Error(`reps must be a positive integer, got ${reps}`);
  return reps;
}

/** Wall-clock median, p90 and max and CPU median (ms) of `reps` runs of `fit`, after 5 warm-up runs. */
function timeFits(reps: number, fit: () => void): { medianMs: number; p90Ms: number; maxMs: number; cpuMedianMs: number } {
  for (let r = 0; r < 5; r++) fit();
  const times = new Float64Array(reps);
  const cpu = new Float64Array(reps);
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fit();
    times[r] = performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpu[r] = (c.user + c.system) / 1000;
  }
  times.sort();
  cpu.sort();
  const at = (v: Float64Array, q: number): number => Math.round(v[Math.max(0, Math.ceil(q * reps) - 1)] * 1000) / 1000;
  return { medianMs: at(times, 0.5), p90Ms: at(times, 0.9), maxMs: at(times, 1), cpuMedianMs: at(cpu, 0.5) };
}

/** Cold fits (no previous law) of the benchmark curve with `points` points. */
export function coldFitTiming(points: number, reps: number): FitTiming {
  const curve = benchCurve(stepsFor(points));
  const times = timeFits(checkReps(reps), () => fitPowerLaw(curve.n, curve.loss));
  const fit = fitPowerLaw(curve.n, curve.loss);
  return { points: fit.points, ...times, reps, objective: fit.objective };
}

/** Warm refits of the benchmark curve with `points` points, from the law fitted 1,000 steps earlier. */
export function warmFitTiming(points: number, reps: number): WarmFitTiming {
  const steps = stepsFor(points);
  const before = benchCurve(steps - 1000);
  const warmStart: PowerLawParams = fitPowerLaw(before.n, before.loss).params;
  const curve = benchCurve(steps);
  const times = timeFits(checkReps(reps), () => fitPowerLaw(curve.n, curve.loss, { warmStart }));
  const warm = fitPowerLaw(curve.n, curve.loss, { warmStart });
  return {
    points: warm.points,
    ...times,
    reps,
    objective: warm.objective,
    accepted: warm.warm === 'accepted',
    coldObjective: fitPowerLaw(curve.n, curve.loss).objective,
  };
}
