/**
 * Growing histories for the warm-start tests: one domain of a 2-domain run (as in
 * bench/_fitCurves.ts: batches of 32, the domain's share Binomial(32, share), same-step
 * counts n = 32·(t+1), per-step loss L(n)·(1 + σ·z)), refitted every `interval` steps
 * through fitDomains' preparation (ignoreSteps 1,000, every 10th step). Laws are drawn
 * over ε ∈ {0} ∪ [0, 3], α ∈ [0.03, 1.5], reducible loss 0.02–4 nats, σ 0.3–5 %; one
 * sequence in eight is a hard case: flat, rising, or a curve whose law changes mid-run
 * (a steep early phase, then a slow one), where the profile can hold several basins.
 */
import { domainFitData, type BoundPreset } from '../../src/curves/index.js';
import { Rng } from '../../src/random/index.js';

const BATCH = 32;
export const IGNORE_STEPS = 1000;

export interface RefitSequence {
  name: string;
  preset: BoundPreset;
  /** Steps of the history at each refit, increasing. */
  refitSteps: number[];
  /** The points fitted at refit r. */
  points(r: number): { n: number[]; loss: number[] };
}

export function refitSequence(seed: number): RefitSequence {
  const rng = new Rng(seed);
  const logUniform = (lo: number, hi: number): number => lo * (hi / lo) ** rng.next();
  const preset: BoundPreset = seed % 2 === 0 ? 'auto' : 'reference';
  const steps = seed % 5 === 0 ? 16_000 + Math.floor(10_000 * rng.next()) : 4_000 + Math.floor(8_000 * rng.next());
  const interval = seed % 3 === 0 ? 500 : 1000;
  const share = [1 / 22, 1 / 4, 1][seed % 3];
  let epsilon = rng.next() < 1 / 6 ? 0 : 3 * rng.next();
  let alpha = logUniform(0.03, 1.5);
  let reducible = logUniform(0.02, 4);
  const noise = logUniform(0.003, 0.05);
  let kind = 'law';
  const hard = seed % 8 === 7;
  let second: { epsilon: number; reducible: number; alpha: number; from: number } | undefined;
  if (hard) {
    kind = ['flat', 'rising', 'two-phase', 'two-phase'][Math.floor(4 * rng.next())];
    if (kind === 'flat') {
      reducible = 0;
      epsilon = 0.5 + 2.5 * rng.next();
    }
    if (kind === 'rising') {
      epsilon = 0;
      alpha = -0.02 - 0.05 * rng.next();
    }
    if (kind === 'two-phase') {
      alpha = 1 + rng.next();
      epsilon = 1 + rng.next();
      second = { epsilon: epsilon * 0.9, reducible: 0.3 * rng.next(), alpha: 0.1 + 0.3 * rng.next(), from: Math.floor(steps * (0.3 + 0.4 * rng.next())) };
    }
  }
  const n0 = BATCH * IGNORE_STEPS;
  const beta = reducible * n0 ** alpha;
  const loss = [new Float64Array(steps), new Float64Array(steps).fill(3)];
  const count = [new Float64Array(steps), new Float64Array(steps)];
  let offset = 0;
  for (let t = 0; t < steps; t++) {
    let c = 0;
    for (let b = 0; b < BATCH; b++) if (rng.next() < share) c++;
    count[0][t] = c;
    count[1][t] = BATCH - c;
    const n = BATCH * (t + 1);
    let law = epsilon + beta * n ** -alpha;
    if (second !== undefined && t >= second.from) {
      // continuous switch to a slower law from step `from` on
      const nf = BATCH * (second.from + 1);
      const b2 = second.reducible * nf ** second.alpha;
      if (t === second.from) offset = epsilon + beta * nf ** -alpha - (second.epsilon + b2 * nf ** -second.alpha);
      law = second.epsilon + offset + b2 * n ** -second.alpha;
    }
    loss[0][t] = c > 0 ? law * (1 + noise * rng.normal()) : NaN;
  }
  const refitSteps: number[] = [];
  for (let t = 2 * IGNORE_STEPS; t <= steps; t += interval) refitSteps.push(t);
  return {
    name: `seq-${seed} ${kind} ${preset} ε ${epsilon.toFixed(2)} α ${alpha.toFixed(3)} R ${reducible.toFixed(3)} σ ${noise.toFixed(3)}`,
    preset,
    refitSteps,
    points(r: number) {
      const d = domainFitData({ steps: refitSteps[r], loss, count }, 0, { ignoreSteps: IGNORE_STEPS });
      if (d.reason !== undefined) throw new Error(`${seed}: ${d.reason}`);
      return { n: d.n, loss: d.loss };
    },
  };
}
