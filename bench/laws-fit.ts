/**
 * `npm run bench -- laws-fit [--json] [--repeats 7] [--runs 250] [--noise 0.005] [--seed 1]`
 *
 * A Chinchilla-form fit (Hoffmann et al. Approach 3: summed Huber δ = 1e-3 in log space,
 * the full 4,500-start grid) of synthetic runs drawn from Besiroglu et al.'s refit
 * (E = 1.82, A = 482.0, B = 2085.4, α = 0.348, β = 0.366): N log-uniform in [5e7, 1.6e10],
 * tokens per parameter log-uniform in [2, 300], multiplicative log-normal noise. Reports the
 * median wall time of a whole fit over the repeats (after one warm-up fit), the objective,
 * the largest relative error over (E, A, B, α, β) against the law the runs came from, and
 * whether the runs identify the law (with the condition number of the scaled Hessian).
 * The last line with --json: {"bench":"laws-fit","runs","msMedian",…}.
 */
import { chinchillaLoss, type ChinchillaLaw } from '../src/planning/chinchillaLaw.js';
import { fitChinchilla } from '../src/planning/fitChinchilla.js';
import type { ScalingRun } from '../src/planning/scalingRun.js';
import { Rng } from '../src/random/index.js';
import type { BenchArgs } from './run.js';
import { intOption } from './_util.js';

const TRUTH: ChinchillaLaw = { E: 1.82, A: 482.0, B: 2085.4, alpha: 0.348, beta: 0.366 };

export async function run(args: BenchArgs): Promise<void> {
  const repeats = intOption(args, 'repeats', 7);
  const n = intOption(args, 'runs', 250);
  const seed = intOption(args, 'seed', 1);
  const noise = args.options.noise === undefined ? 0.005 : Number(args.options.noise);
  if (!(noise >= 0)) throw new Error(`--noise must be a non-negative number, got ${args.options.noise}`);

  const rng = new Rng(seed);
  const runs: ScalingRun[] = [];
  for (let i = 0; i < n; i++) {
    const N = Math.exp(Math.log(5e7) + rng.next() * Math.log(1.6e10 / 5e7));
    const D = N * Math.exp(Math.log(2) + rng.next() * Math.log(150));
    runs.push({ N, D, loss: chinchillaLoss(TRUTH, N, D) * Math.exp(noise * rng.normal()) });
  }

  fitChinchilla(runs); // warm-up (JIT)
  const times: number[] = [];
  let fit = fitChinchilla(runs);
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    fit = fitChinchilla(runs);
    times.push(performance.now() - t0);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const msMedian = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const relErrors = (['E', 'A', 'B', 'alpha', 'beta'] as const).map((k) => Math.abs(fit.law[k] - TRUTH[k]) / TRUTH[k]);
  const result = {
    bench: 'laws-fit',
    runs: n,
    msMedian: Number(msMedian.toFixed(1)),
    objective: fit.objective,
    maxRelParamError: Math.max(...relErrors),
    converged: fit.converged,
    identifiable: fit.identifiable,
    condition: Number(fit.condition.toPrecision(3)),
    gradNorm: fit.gradNorm,
    starts: fit.starts,
    refined: fit.refined,
    noise,
    repeats,
  };
  if (!args.json) {
    console.log(`times (ms): ${times.map((t) => t.toFixed(1)).join(' ')}`);
    console.log(
      `fitted E=${fit.law.E.toFixed(4)} A=${fit.law.A.toFixed(1)} B=${fit.law.B.toFixed(1)} α=${fit.law.alpha.toFixed(4)} ` +
        `β=${fit.law.beta.toFixed(4)} (truth E=1.82 A=482.0 B=2085.4 α=0.348 β=0.366)`,
    );
  }
  console.log(JSON.stringify(result));
}
