/** Shared helpers for the mixing tests: fake refits with laws given by hand, synthetic runs. */
import { InlineRefitRunner, type AdoWeightParams, type AdoWeightState, type RefitOutcome, type StepObservation, type MixturePolicy } from '../../src/mixing/index.js';
import { Rng } from '../../src/random/index.js';

/** An inline runner whose refits answer the given laws (null: that domain's fit fails). */
export function fixedLawRunner(laws: ([number, number, number] | null)[] | ((id: number, domains: readonly number[]) => RefitOutcome)) {
  const calls: { rows: number; domains: number[] }[] = [];
  const runner = new InlineRefitRunner(({ rows, jobs }) => {
    const domains = jobs.map((j) => j.domain);
    calls.push({ rows, domains });
    if (typeof laws === 'function') return laws(rows, domains);
    return {
      results: domains.map((k) => {
        const p = laws[k];
        return p === null || p === undefined
          ? { domain: k, ok: false as const, reason: 'test: no law', points: 0 }
          : { domain: k, ok: true as const, params: p, points: 50 };
      }),
    };
  });
  return { runner, calls };
}

/** Ground-truth curves L_k(n) = ε_k + β_k·n^(−α_k), observed with 2 % noise; batches drawn from the weights. */
export class SyntheticRun {
  private rng: Rng;
  private n = 0;
  step = 0;
  constructor(
    seed: number,
    readonly K: number,
    readonly batch = 64,
    readonly eps = Array.from({ length: K }, (_, k) => 0.8 + 0.3 * k),
    readonly beta = Array.from({ length: K }, (_, k) => 10 + 7 * k),
    readonly alpha = Array.from({ length: K }, (_, k) => 0.2 + 0.05 * k),
  ) {
    this.rng = new Rng(seed);
  }

  next(weights: ArrayLike<number>): StepObservation {
    const K = weights.length;
    const count = new Array<number>(K).fill(0);
    for (let i = 0; i < this.batch; i++) {
      let u = this.rng.next();
      let k = 0;
      while (k < K - 1 && u >= weights[k]) {
        u -= weights[k];
        k++;
      }
      count[k]++;
    }
    this.n += this.batch;
    const loss = count.map((c, k) => {
      const kk = k % this.eps.length;
      return c > 0 ? this.eps[kk] + this.beta[kk] * Math.pow(this.n, -this.alpha[kk]) * (1 + 0.02 * this.rng.normal()) : NaN;
    });
    return { step: this.step++, loss, count };
  }
}

/** Drives a policy for `steps` steps of a synthetic run; returns every answered mixture. */
export function drive(policy: MixturePolicy, run: { next(weights: ArrayLike<number>): StepObservation }, steps: number): Float64Array[] {
  const out: Float64Array[] = [];
  let w = policy.weights();
  for (let i = 0; i < steps; i++) {
    w = policy.observe(run.next(w));
    out.push(w);
  }
  return out;
}

/**
 * A run over many domains: batches follow the weights by systematic sampling (O(K + B) a
 * step, where SyntheticRun's draws cost O(K·B)) and losses follow L_k = ε_k + β_k·n^(−α_k)
 * with 2 % noise, in five curve shapes.
 */
export class WideRun {
  private rng: Rng;
  private n = 0;
  step = 0;
  constructor(
    seed: number,
    readonly batch = 256,
  ) {
    this.rng = new Rng(seed);
  }

  next(w: ArrayLike<number>): StepObservation {
    const K = w.length;
    const count = new Array<number>(K).fill(0);
    const du = 1 / this.batch;
    let u = this.rng.next() * du;
    let acc = 0;
    let drawn = 0;
    for (let k = 0; k < K && drawn < this.batch; k++) {
      acc += w[k];
      while (u < acc && drawn < this.batch) {
        count[k]++;
        drawn++;
        u += du;
      }
    }
    if (drawn < this.batch) count[K - 1] += this.batch - drawn; // rounding at the end of the cumulative sum
    this.n += this.batch;
    const loss = count.map((c, k) =>
      c > 0 ? 1 + 0.2 * (k % 5) + (8 + (k % 7)) * Math.pow(this.n, -(0.2 + 0.05 * (k % 5))) * (1 + 0.02 * this.rng.normal()) : NaN,
    );
    return { step: this.step++, loss, count };
  }
}

/** Bit-for-bit equality of two weight sequences (Object.is per entry). */
export function sameBits(a: ArrayLike<number>[], b: ArrayLike<number>[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].length !== b[i].length) return false;
    for (let k = 0; k < a[i].length; k++) if (!Object.is(a[i][k], b[i][k])) return false;
  }
  return true;
}

/**
 * Three live domains with laws at n = 100, α = 0.5, ε = 0 and β = 4, 2, 1e−9: credits
 * α·β·n^(−α) = 0.2, 0.1 and ≈ 0, for tests of adoRho's credit rule; `capacity` σ_k for each.
 */
export function threeCreditState(capacity = 0): AdoWeightState {
  return {
    mu: new Float64Array([1 / 3, 1 / 3, 1 / 3]),
    importance: new Float64Array([1, 1, 1]),
    h: new Float64Array([1 / 3, 1 / 3, 1 / 3]),
    piBar: new Float64Array(3),
    live: [true, true, true],
    hasLaw: new Uint8Array([1, 1, 1]),
    lawA: new Float64Array([Math.log(4), Math.log(2), Math.log(1e-9)]),
    lawE: new Float64Array([0, 0, 0]),
    lawAlpha: new Float64Array([0.5, 0.5, 0.5]),
    n: new Float64Array([100, 100, 100]),
    capacity: new Float64Array(3).fill(capacity),
  };
}

/** adoRho's parameters with s = 0, an exact δ_min = 0.01 floor and no α floor, `over` replacing any of them. */
export function creditParams(over: Partial<AdoWeightParams> = {}): AdoWeightParams {
  return { s: 0, mixDecay: 0.9, minShare: 0.01, minExponent: 0, creditExponent: 1, floor: 'exact', historyTerm: 'h', ...over };
}
