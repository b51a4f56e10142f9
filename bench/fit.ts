/**
 * `npm run bench -- fit [--json] [--repeats 7] [--steps 60000] [--seed 1] [--noise 0.01,0.03]
 *  [--cold-repeats 60]`
 *
 * A full ADO refit: 22 synthetic domains with known laws L_k(n) = ε_k + β_k·n^−α_k
 * (ε ∈ [1, 3.5], α ∈ [0.1, 0.8], reducible loss 2.5–5 nats at n = 16,000), 60,000 steps of
 * noisy history (batches of 32 examples drawn uniformly over the domains, so a domain is
 * often absent and imputed; same-step counts n = 32·(t+1); per-step multiplicative noise
 * ×(1 + σ_k·z) with σ_k spread over --noise, default 1–3 %), fitted by `fitDomains` with
 * ignoreSteps 200 (5,980 points per domain). Reports the median wall time of the refit over
 * the repeats (after one warm-up) and the largest relative error of the recovered ε, β, α.
 *
 * The error is statistical: β = exp(a) is the law's value at n = 1, so an error in α moves
 * it by ≈ log(n)·Δα (≈ 10·Δα here); at --noise 0.02,0.05 expect ≈ 0.06–0.09.
 *
 * Then a cold single-domain fit (fitPowerLaw from scratch, no previous fit to start from):
 * the median and p90 wall time over --cold-repeats fits (at least 50, after 5 warm-up fits)
 * of one realistic curve (ε 2.2, α 0.35, 2 % noise, the domain in 1/22 of each batch)
 * prepared by fitDomains from 20,000 steps (1,900 points, `coldFit`) and from 143,000 steps
 * (14,200 points, `coldFitLong`), see _fitCurves.ts.
 */
import { fitDomains, fitPowerLaw, type DomainHistory } from '../src/curves/index.js';
import { Rng } from '../src/random/index.js';
import type { BenchArgs } from './run.js';
import { benchCurve } from './_fitCurves.js';
import { intOption } from './_util.js';

const DOMAINS = 22;
const BATCH = 32;
const IGNORE_STEPS = 200;

interface Truth {
  epsilon: number;
  beta: number;
  alpha: number;
  noise: number;
}

function truths(noiseLo: number, noiseHi: number): Truth[] {
  const out: Truth[] = [];
  for (let k = 0; k < DOMAINS; k++) {
    const alpha = 0.1 + (0.7 * k) / (DOMAINS - 1);
    const epsilon = 1 + (2.5 * ((k * 7) % DOMAINS)) / (DOMAINS - 1);
    // Reducible loss at n = 16,000 (step 500) between 2.5 and 5 nats, so that each law is
    // identifiable to a few per cent from a noisy curve over n ∈ [6.4e3, 1.9e6].
    const reducible = 2.5 + (2.5 * ((k * 5) % DOMAINS)) / (DOMAINS - 1);
    const beta = reducible * 16000 ** alpha;
    const noise = noiseLo + ((noiseHi - noiseLo) * ((k * 3) % DOMAINS)) / (DOMAINS - 1);
    out.push({ epsilon, beta, alpha, noise });
  }
  return out;
}

function history(steps: number, seed: number, laws: Truth[]): DomainHistory {
  const rng = new Rng(seed);
  const loss = laws.map(() => new Float64Array(steps));
  const count = laws.map(() => new Float64Array(steps));
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < BATCH; b++) count[rng.int(DOMAINS)][t]++;
    const n = BATCH * (t + 1);
    for (let k = 0; k < DOMAINS; k++) {
      if (count[k][t] === 0) {
        loss[k][t] = NaN;
        continue;
      }
      const { epsilon, beta, alpha, noise } = laws[k];
      loss[k][t] = (epsilon + beta * n ** -alpha) * (1 + noise * rng.normal());
    }
  }
  return { steps, loss, count };
}

export async function run(args: BenchArgs): Promise<void> {
  const repeats = Math.max(1, Number(args.options.repeats ?? 7));
  const steps = Math.max(1000, Number(args.options.steps ?? 60000));
  const seed = Number(args.options.seed ?? 1);
  const [noiseLo, noiseHi] = (args.options.noise ?? '0.01,0.03').split(',').map(Number);
  if (!(noiseLo >= 0 && noiseHi >= noiseLo)) throw new Error(`--noise must be "lo,hi" fractions, got ${args.options.noise}`);
  const laws = truths(noiseLo, noiseHi);
  const h = history(steps, seed, laws);

  const options = { ignoreSteps: IGNORE_STEPS, countMode: 'same-step' as const };
  fitDomains(h, options); // warm-up (JIT)
  const times: number[] = [];
  let fits = fitDomains(h, options);
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    fits = fitDomains(h, options);
    times.push(performance.now() - t0);
  }
  times.sort((p, q) => p - q);
  const msMedian = times[Math.floor((times.length - 1) / 2)];

  let maxRel = 0;
  let points = 0;
  let converged = 0;
  for (const f of fits) {
    if (!f.ok) throw new Error(`domain ${f.domain} was not fitted: ${f.reason}`);
    const t = laws[f.domain];
    const rel = [
      Math.abs(f.fit.epsilon - t.epsilon) / t.epsilon,
      Math.abs(f.fit.beta - t.beta) / t.beta,
      Math.abs(f.fit.alpha - t.alpha) / t.alpha,
    ];
    maxRel = Math.max(maxRel, ...rel);
    points = f.fit.points;
    if (f.fit.converged) converged++;
    if (!args.json) {
      console.log(
        `domain ${String(f.domain).padStart(2)}: ε ${f.fit.epsilon.toFixed(4)} (${t.epsilon.toFixed(4)})  ` +
          `β ${f.fit.beta.toPrecision(6)} (${t.beta.toPrecision(6)})  α ${f.fit.alpha.toFixed(4)} (${t.alpha.toFixed(4)})  ` +
          `max rel err ${Math.max(...rel).toExponential(2)}  iterations ${f.fit.iterations}  converged ${f.fit.converged}`,
      );
    }
  }
  if (!args.json) {
    console.log(`times (ms): ${times.map((t) => t.toFixed(1)).join(' ')}; converged ${converged}/${fits.length}`);
  }
  const coldRepeats = Math.max(50, intOption(args, 'cold-repeats', 60));
  const cold = [20_000, 143_000].map((coldSteps) => coldFit(coldSteps, coldRepeats));
  if (!args.json) {
    for (const c of cold) {
      console.log(`cold single-domain fit, ${c.points} points: median ${c.msMedian} ms, p90 ${c.msP90} ms (${c.repeats} fits)`);
    }
  }
  console.log(
    JSON.stringify({
      bench: 'fit',
      domains: DOMAINS,
      pointsPerDomain: points,
      msMedian: Math.round(msMedian * 10) / 10,
      maxRelParamError: Number(maxRel.toPrecision(4)),
      repeats,
      steps,
      noise: [noiseLo, noiseHi],
      converged,
      coldFit: cold[0],
      coldFitLong: cold[1],
    }),
  );
}

interface ColdFigure {
  points: number;
  msMedian: number;
  msP90: number;
  repeats: number;
  converged: boolean;
}

/** Median and p90 of `repeats` from-scratch fits of the bench curve of `steps` steps. */
function coldFit(steps: number, repeats: number): ColdFigure {
  const { n, loss } = benchCurve(steps);
  for (let r = 0; r < 5; r++) fitPowerLaw(n, loss); // warm-up (JIT)
  const times: number[] = [];
  let fit = fitPowerLaw(n, loss);
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    fit = fitPowerLaw(n, loss);
    times.push(performance.now() - t0);
  }
  times.sort((p, q) => p - q);
  const at = (q: number): number => Math.round(times[Math.ceil(q * times.length) - 1] * 100) / 100;
  return { points: fit.points, msMedian: at(0.5), msP90: at(0.9), repeats, converged: fit.converged };
}
