/**
 * Bootstrap confidence intervals for fitted joint laws: resample the runs with
 * replacement (seeded), refit each resample starting from the point estimate, and take
 * percentile intervals of each parameter and of derived quantities (the compute-optimal
 * exponent and N_opt at given budgets). Replicates whose refit fails the gradient test,
 * or that the resampled runs do not identify, are counted and left out of the intervals.
 * A point fit that is not identifiable has no intervals: the bootstrap refuses it
 * (UnidentifiableLawError), since resampling a family of equally good laws would only
 * show where the optimiser happened to stop.
 */
import { Rng } from '../random/index.js';
import { chinchillaOptimum } from './computeOptimal.js';
import { fitChinchilla, type ChinchillaFit, type FitChinchillaOptions } from './fitChinchilla.js';
import { fitKaplan, type FitKaplanOptions, type KaplanFit } from './fitKaplan.js';
import { kaplanOptimum } from './computeOptimal.js';
import { UnidentifiableLawError, type Identifiability } from './identifiability.js';
import type { ScalingRun } from './scalingRun.js';

export interface BootstrapOptions {
  /** Resamples. */
  samples: number;
  /** Default 0. */
  seed?: number;
  /** Central coverage of the intervals. Default 0.95. */
  level?: number;
  /** Budgets (FLOP) at which to bound N_opt. */
  budgets?: readonly number[];
  /** Refit every resample from the full start grid instead of the point estimate (slow). */
  fullGrid?: boolean;
}

export interface Interval {
  lo: number;
  median: number;
  hi: number;
}

export interface BootstrapResult {
  samples: number;
  /** Replicates left out because their refit did not converge. */
  failed: number;
  /** Replicates left out because their resample did not identify the law (e.g. too few distinct N). */
  unidentifiable: number;
  level: number;
  seed: number;
  /** Interval per parameter name (and 'optimalExponentN'). */
  intervals: Record<string, Interval>;
  /** N_opt interval per budget, in the order given. */
  optimumN: { compute: number; interval: Interval }[];
}

/** n draws with replacement. */
export function resampleRuns<T>(runs: readonly T[], rng: Rng): T[] {
  const out = new Array<T>(runs.length);
  for (let i = 0; i < runs.length; i++) out[i] = runs[rng.int(runs.length)];
  return out;
}

/** Percentile interval with linear interpolation between order statistics. */
export function percentileInterval(values: readonly number[], level = 0.95): Interval {
  if (values.length === 0) return { lo: NaN, median: NaN, hi: NaN };
  if (!(level > 0 && level < 1)) throw new Error(`interval level must be in (0, 1), got ${level}`);
  const v = [...values].sort((a, b) => a - b);
  const q = (p: number): number => {
    const pos = p * (v.length - 1);
    const i = Math.floor(pos);
    return i + 1 < v.length ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[i];
  };
  const tail = (1 - level) / 2;
  return { lo: q(tail), median: q(0.5), hi: q(1 - tail) };
}

function checkOptions(o: BootstrapOptions, point: Identifiability, where: string): void {
  if (!Number.isInteger(o.samples) || o.samples < 1) throw new Error(`bootstrap samples must be a positive integer, got ${o.samples}`);
  if (!point.identifiable) throw new UnidentifiableLawError(where, 'bootstrap', 'the point fit', point.unidentifiable);
}

function summarise(
  rows: Record<string, number>[],
  optN: number[][],
  o: BootstrapOptions,
  failed: number,
  unidentifiable: number,
): BootstrapResult {
  const level = o.level ?? 0.95;
  const intervals: Record<string, Interval> = {};
  if (rows.length > 0) for (const k of Object.keys(rows[0])) intervals[k] = percentileInterval(rows.map((r) => r[k]), level);
  const budgets = o.budgets ?? [];
  return {
    samples: o.samples,
    failed,
    unidentifiable,
    level,
    seed: o.seed ?? 0,
    intervals,
    optimumN: budgets.map((C, j) => ({ compute: C, interval: percentileInterval(optN.map((r) => r[j]), level) })),
  };
}

export function bootstrapChinchilla(
  runs: readonly ScalingRun[],
  point: ChinchillaFit,
  options: BootstrapOptions & { fit?: FitChinchillaOptions },
): BootstrapResult {
  checkOptions(options, point, 'bootstrapChinchilla');
  const rng = new Rng(options.seed ?? 0);
  const rows: Record<string, number>[] = [];
  const optN: number[][] = [];
  let failed = 0;
  let unidentifiable = 0;
  for (let s = 0; s < options.samples; s++) {
    const sample = resampleRuns(runs, rng);
    const fit = fitChinchilla(sample, options.fullGrid ? options.fit : { ...options.fit, starts: [point.log] });
    const { E, A, B, alpha, beta } = fit.law;
    if (!fit.converged || !(alpha > 0 && beta > 0)) {
      failed++;
      continue;
    }
    if (!fit.identifiable) {
      unidentifiable++;
      continue;
    }
    rows.push({ E, A, B, alpha, beta, optimalExponentN: beta / (alpha + beta) });
    optN.push((options.budgets ?? []).map((C) => chinchillaOptimum(fit.law, C).N));
  }
  return summarise(rows, optN, options, failed, unidentifiable);
}

export function bootstrapKaplan(
  runs: readonly ScalingRun[],
  point: KaplanFit,
  options: BootstrapOptions & { fit?: FitKaplanOptions },
): BootstrapResult {
  checkOptions(options, point, 'bootstrapKaplan');
  const rng = new Rng(options.seed ?? 0);
  const rows: Record<string, number>[] = [];
  const optN: number[][] = [];
  let failed = 0;
  let unidentifiable = 0;
  for (let s = 0; s < options.samples; s++) {
    const sample = resampleRuns(runs, rng);
    const fit = fitKaplan(sample, options.fullGrid ? options.fit : { ...options.fit, starts: [point.law] });
    if (!fit.converged) {
      failed++;
      continue;
    }
    if (!fit.identifiable) {
      unidentifiable++;
      continue;
    }
    const { Nc, Dc, alphaN, alphaD } = fit.law;
    rows.push({ Nc, Dc, alphaN, alphaD, optimalExponentN: alphaD / (alphaN + alphaD) });
    optN.push((options.budgets ?? []).map((C) => kaplanOptimum(fit.law, C).N));
  }
  return summarise(rows, optN, options, failed, unidentifiable);
}
