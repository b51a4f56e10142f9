/**
 * Realistic single-domain learning curves for the fit benchmark's cold-fit figure and the
 * fit regression suite (test/curves/fitSuite.test.ts, fixture test/fixtures/fitSuite.json).
 *
 * A curve is one domain of a 2-domain run: batches of 32 examples, of which the domain gets
 * Binomial(32, share) (absent steps are imputed by fitDomains), the rest going to a filler
 * domain; same-step counts n = 32·(t+1); per-step loss (ε + β·n^−α)·(1 + σ·z). It reaches
 * the fitter through fitDomains' own preparation (domainFitData: impute, Savitzky–Golay
 * smoothing, ignoreSteps 1,000, every 10th step), so 20,000 steps give 1,900 points.
 *
 * Deterministic in the spec (seeded Rng): the fixture's expected optima stay valid.
 */
import { domainFitData, type BoundPreset } from '../src/curves/index.js';
import { Rng } from '../src/random/index.js';

export const BATCH = 32;
/** Steps dropped before fitting (counted from the domain's first step). */
export const IGNORE_STEPS = 1000;

export interface CurveSpec {
  name: string;
  steps: number;
  epsilon: number;
  /** Reducible loss β·n₀^−α at n₀ = 32·IGNORE_STEPS, the first fitted point. */
  reducible: number;
  alpha: number;
  /** σ of the per-step multiplicative noise. */
  noise: number;
  seed: number;
  /** Expected share of each batch that goes to the domain (default 1/22). */
  share?: number;
}

export interface FitCurve {
  n: number[];
  loss: number[];
}

/** The points fitDomains would fit for the curve's domain. */
export function curvePoints(spec: CurveSpec): FitCurve {
  const { steps, epsilon, reducible, alpha, noise } = spec;
  const share = spec.share ?? 1 / 22;
  const beta = reducible * (BATCH * IGNORE_STEPS) ** alpha;
  const rng = new Rng(spec.seed);
  const loss = [new Float64Array(steps), new Float64Array(steps).fill(3)];
  const count = [new Float64Array(steps), new Float64Array(steps)];
  for (let t = 0; t < steps; t++) {
    let c = 0;
    for (let b = 0; b < BATCH; b++) if (rng.next() < share) c++;
    count[0][t] = c;
    count[1][t] = BATCH - c;
    const n = BATCH * (t + 1);
    loss[0][t] = c > 0 ? (epsilon + beta * n ** -alpha) * (1 + noise * rng.normal()) : NaN;
  }
  const d = domainFitData({ steps, loss, count }, 0, { ignoreSteps: IGNORE_STEPS });
  if (d.reason !== undefined) throw new Error(`curve ${spec.name}: ${d.reason}`);
  return { n: d.n, loss: d.loss };
}

/** The cold-fit benchmark's curve: 20,000 steps (1,900 points) or longer. */
export function benchCurve(steps = 20_000): FitCurve {
  return curvePoints({ name: 'bench', steps, epsilon: 2.2, reducible: 2.5, alpha: 0.35, noise: 0.02, seed: 17 });
}

export interface SuiteCase extends CurveSpec {
  preset: BoundPreset;
}

/**
 * The regression suite: noisy power laws over ε ∈ [0, 3], α ∈ [0.05, 1.5], σ ∈ [0.5 %, 5 %]
 * (drawn log-uniformly where a range spans decades), mostly 20,000 steps, some 5,000 (400
 * points, fitted without subsampling) and some 143,000 (14,200 points); flat and noise-only
 * curves; and curves whose optimum sits on a limit or a reference kink (α beyond 2, a rising
 * curve, ε = 0, a curve flattened well inside the run). Each is fitted with both presets.
 */
export function suiteCases(): SuiteCase[] {
  const specs: CurveSpec[] = [];
  const rng = new Rng(2024);
  const logUniform = (lo: number, hi: number): number => lo * (hi / lo) ** rng.next();
  for (let i = 0; i < 30; i++) {
    const epsilon = i % 6 === 0 ? 0 : 3 * rng.next();
    const alpha = logUniform(0.05, 1.5);
    const noise = logUniform(0.005, 0.05);
    const reducible = logUniform(0.3, 4);
    const steps = i % 10 === 3 ? 5_000 : i % 10 === 7 ? 143_000 : 20_000;
    specs.push({ name: `law-${i}`, steps, epsilon, reducible, alpha, noise, seed: 100 + i });
  }
  specs.push(
    { name: 'flat-1%', steps: 20_000, epsilon: 2.5, reducible: 0, alpha: 0.3, noise: 0.01, seed: 201 },
    { name: 'flat-5%', steps: 20_000, epsilon: 1.2, reducible: 0, alpha: 0.3, noise: 0.05, seed: 202 },
    { name: 'flat-short', steps: 5_000, epsilon: 3, reducible: 0, alpha: 0.3, noise: 0.02, seed: 203 },
    { name: 'nearly-flat', steps: 20_000, epsilon: 2, reducible: 0.01, alpha: 0.5, noise: 0.02, seed: 204 },
    { name: 'alpha-beyond-2', steps: 20_000, epsilon: 1.5, reducible: 4, alpha: 2.6, noise: 0.005, seed: 205 },
    { name: 'rising', steps: 20_000, epsilon: 0, reducible: 2, alpha: -0.05, noise: 0.01, seed: 206 },
    { name: 'pure-power-law', steps: 20_000, epsilon: 0, reducible: 3, alpha: 0.25, noise: 0.005, seed: 207 },
    { name: 'flattened-early', steps: 20_000, epsilon: 2, reducible: 4, alpha: 1.5, noise: 0.01, seed: 208 },
    { name: 'steep-large-beta', steps: 20_000, epsilon: 1, reducible: 4, alpha: 1.2, noise: 0.02, seed: 209 },
    { name: 'low-eps-small-alpha', steps: 20_000, epsilon: 0.3, reducible: 4, alpha: 0.05, noise: 0.01, seed: 210 },
    { name: 'long-noisy', steps: 143_000, epsilon: 1.8, reducible: 1, alpha: 0.4, noise: 0.05, seed: 211 },
  );
  const out: SuiteCase[] = [];
  for (const s of specs) for (const preset of ['auto', 'reference'] as const) out.push({ ...s, preset });
  return out;
}
