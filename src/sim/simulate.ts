/**
 * The closed loop: a mixture policy against the true curves of a scenario.
 *
 * Each step t:
 *  1. the policy's weights w(t) → a seeded multinomial draw of the batch's counts c(t)
 *     (a domain gives no more than it has left);
 *  2. each drawn domain reports the loss of the model BEFORE this step's update, as a
 *     training loop does: ℓ_k = L_k(n(t)) · exp(σ_k z/√c_k − σ_k²/(2c_k)), z ~ N(0,1)
 *     (multiplicative noise whose mean is the true loss; the mean over c_k examples has
 *     relative spread σ_k/√c_k); absent domains report NaN;
 *  3. the curves advance: n(t+1) = n(t) + c(t) (and, with a capacity term, the recent
 *     shares r ← d·r + (1 − d)·c/Σc, d = 1 − 1/capacityMemory, from r = 1/K); at eval steps
 *     the held-out loss is the true loss L(n(t+1)) (an infinite held-out set);
 *  4. policy.observe(...) gives w(t+1); a domain whose data has run out is reported
 *     with policy.markExhausted before the next draw.
 *
 * Pure: no I/O. `onStep` hands each step to the caller (the CLI writes the step log);
 * its arrays are reused between steps, so copy what you keep.
 */
import { Rng } from '../random/index.js';
import type { MixturePolicy } from '../mixing/policy.js';
import { BatchDrawer } from './drawBatch.js';
import { TrueCurves } from './TrueCurves.js';
import type { Scenario } from './types.js';

export interface SimStep {
  step: number;
  /** Observed (noisy) training loss per domain; NaN where absent. */
  loss: Float64Array;
  count: Float64Array;
  /** The mixture this step was drawn with. */
  weights: Float64Array;
  /** True held-out loss after this step, on eval steps only. */
  evalLoss?: Float64Array;
}

export interface SimulationOptions {
  steps?: number;
  batchSize?: number;
  seed?: number;
  /** Held-out loss every this many steps (and at the last step); 0 = never. */
  evalEvery?: number;
  onStep?: (step: SimStep, policy: MixturePolicy) => void;
}

export interface SimulationResult {
  scenario: string;
  policy: string;
  seed: number;
  batchSize: number;
  /** Steps run (fewer than asked only when every domain ran out of data). */
  steps: number;
  stoppedEarly: boolean;
  /** Examples drawn from each domain. */
  counts: Float64Array;
  /** True loss of each domain at the end. */
  finalLoss: Float64Array;
  /** Mean true loss over domains at the end: the objective. */
  objective: number;
  /** Mean true loss after each step. */
  trajectory: Float64Array;
  meanOverRun: number;
  /** Mean of the weights over the steps run. */
  meanWeights: Float64Array;
  /** The mixture the policy asks for after the last step. */
  finalWeights: Float64Array;
  /** Step at whose end each domain's data ran out, or null. */
  exhaustedAt: (number | null)[];
}

/** Default eval interval: about 50 evaluations per run. */
export function defaultEvalEvery(steps: number): number {
  return Math.max(1, Math.round(steps / 50));
}

export function simulate(scenario: Scenario, policy: MixturePolicy, options: SimulationOptions = {}): SimulationResult {
  const K = scenario.domains.length;
  const names = scenario.domains.map((d) => d.name);
  if (policy.domains.length !== K || policy.domains.some((d, k) => d !== names[k])) {
    throw new Error(
      `simulate: the policy's domains [${policy.domains.join(', ')}] differ from scenario "${scenario.name}"'s [${names.join(', ')}]`,
    );
  }
  const steps = options.steps ?? scenario.steps;
  const B = options.batchSize ?? scenario.batchSize;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`simulate: steps must be a positive integer, got ${steps}`);
  if (!Number.isInteger(B) || B < 1) throw new Error(`simulate: batchSize must be a positive integer, got ${B}`);
  const seed = options.seed ?? 0;
  const evalEvery = options.evalEvery ?? scenario.evalEvery ?? defaultEvalEvery(steps);
  const rng = new Rng(seed);
  const curves = new TrueCurves(scenario);
  const drawer = new BatchDrawer(K);

  const noise = Float64Array.from(scenario.domains, (d) => d.noise);
  const left = Float64Array.from(scenario.domains, (d) => d.size * d.epochs);
  const n = new Float64Array(K);
  const c = new Float64Array(K);
  const trueBefore = new Float64Array(K);
  const loss = new Float64Array(K);
  const evalLoss = new Float64Array(K);
  const wSum = new Float64Array(K);
  // The model's recent shares, for scenarios with a capacity term (undefined otherwise: the
  // curves then depend on the counts alone, as they always did).
  const recent = curves.hasCapacity ? new Float64Array(K).fill(1 / K) : undefined;
  const keep = 1 - 1 / scenario.capacityMemory;
  const trajectory = new Float64Array(steps);
  const exhaustedAt: (number | null)[] = new Array<number | null>(K).fill(null);
  let w = policy.weights();
  let trajSum = 0;
  let t = 0;
  let stoppedEarly = false;

  for (; t < steps; t++) {
    const drawn = drawer.draw(rng, w, B, left, c);
    if (drawn === 0) {
      stoppedEarly = true;
      break;
    }
    curves.loss(n, trueBefore, recent);
    for (let k = 0; k < K; k++) {
      if (c[k] > 0) {
        const s = noise[k] / Math.sqrt(c[k]);
        loss[k] = trueBefore[k] * Math.exp(s * rng.normal() - 0.5 * s * s);
        n[k] += c[k];
        left[k] -= c[k];
        wSum[k] += w[k];
      } else {
        loss[k] = NaN;
        wSum[k] += w[k];
      }
    }
    if (recent) for (let k = 0; k < K; k++) recent[k] = keep * recent[k] + (1 - keep) * (c[k] / drawn);
    const isEval = evalEvery > 0 && ((t + 1) % evalEvery === 0 || t === steps - 1);
    if (isEval) curves.loss(n, evalLoss, recent);
    trajectory[t] = curves.objective(n, recent);
    trajSum += trajectory[t];
    options.onStep?.({ step: t, loss, count: c, weights: w, evalLoss: isEval ? evalLoss : undefined }, policy);
    w = policy.observe(isEval ? { step: t, loss, count: c, evalLoss } : { step: t, loss, count: c });
    let changed = false;
    for (let k = 0; k < K; k++) {
      if (exhaustedAt[k] === null && left[k] <= 0) {
        exhaustedAt[k] = t;
        if (exhaustedAt.some((e) => e === null)) {
          policy.markExhausted(k);
          changed = true;
        }
      }
    }
    if (changed) w = policy.weights();
  }

  const finalLoss = curves.loss(n, undefined, recent);
  return {
    scenario: scenario.name,
    policy: policy.kind,
    seed,
    batchSize: B,
    steps: t,
    stoppedEarly,
    counts: n,
    finalLoss,
    objective: curves.objective(n, recent),
    trajectory: trajectory.subarray(0, t),
    meanOverRun: t > 0 ? trajSum / t : NaN,
    meanWeights: wSum.map((x) => (t > 0 ? x / t : 0)),
    finalWeights: Float64Array.from(w),
    exhaustedAt,
  };
}
