/** Synthetic runs for the planning-law tests: log-uniform N and tokens/parameter, log-normal noise. */
import { Rng } from '../../src/random/index.js';
import type { ScalingRun } from '../../src/planning/scalingRun.js';

export function syntheticRuns(
  loss: (N: number, D: number) => number,
  n: number,
  options: { seed?: number; sigma?: number; minN?: number; maxN?: number; minTpp?: number; maxTpp?: number } = {},
): ScalingRun[] {
  const rng = new Rng(options.seed ?? 1);
  const [lo, hi] = [Math.log(options.minN ?? 5e7), Math.log(options.maxN ?? 1.6e10)];
  const [tlo, thi] = [Math.log(options.minTpp ?? 2), Math.log(options.maxTpp ?? 300)];
  const sigma = options.sigma ?? 0;
  const runs: ScalingRun[] = [];
  for (let i = 0; i < n; i++) {
    const N = Math.exp(lo + rng.next() * (hi - lo));
    const D = N * Math.exp(tlo + rng.next() * (thi - tlo));
    runs.push({ N, D, loss: loss(N, D) * Math.exp(sigma * rng.normal()) });
  }
  return runs;
}

export const relErr = (got: number, want: number): number => Math.abs(got - want) / Math.abs(want);
