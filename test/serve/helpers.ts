/** A synthetic data-parallel run for the serve tests: R ranks, each drawing its batch from the step's weights. */
import { AdoPolicy, type AdoPolicyOptions } from '../../src/mixing/index.js';
import { Rng } from '../../src/random/index.js';

export interface PlainReport {
  step: number;
  rank: number;
  count: number[];
  lossSum: number[];
}

/** Ground-truth curves L_k(n) = ε_k + β_k·n^(−α_k) per example, with 5 % per-example noise. */
export class RankedRun {
  private readonly rng: Rng;
  private n = 0;
  constructor(
    seed: number,
    readonly ranks: number,
    readonly batchPerRank = 16,
  ) {
    this.rng = new Rng(seed);
  }

  /** Every rank's report of `step`, drawn with `weights` (one entry per weight; call once per step, in step order). */
  reports(step: number, weights: ArrayLike<number>): PlainReport[] {
    this.n += this.ranks * this.batchPerRank;
    const K = weights.length;
    const out: PlainReport[] = [];
    for (let rank = 0; rank < this.ranks; rank++) {
      const count = new Array<number>(K).fill(0);
      const lossSum = new Array<number>(K).fill(0);
      for (let i = 0; i < this.batchPerRank; i++) {
        let u = this.rng.next();
        let k = 0;
        while (k < K - 1 && u >= weights[k]) u -= weights[k++];
        count[k]++;
        const truth = 0.8 + 0.3 * k + (10 + 7 * k) * Math.pow(this.n, -(0.2 + 0.05 * k));
        lossSum[k] += truth * (1 + 0.05 * this.rng.normal());
      }
      out.push({ step, rank, count, lossSum });
    }
    return out;
  }
}

/** The single-process observation of a step: sums over ranks in rank order (the server's rule). */
export function summed(reports: PlainReport[], K: number): { loss: Float64Array; count: Float64Array } {
  const sorted = [...reports].sort((a, b) => a.rank - b.rank);
  const lossSum = new Float64Array(K);
  const count = new Float64Array(K);
  for (const r of sorted) for (let k = 0; k < r.count.length; k++) {
    lossSum[k] += r.lossSum[k];
    count[k] += r.count[k];
  }
  return { loss: lossSum.map((s, k) => (count[k] > 0 ? s / count[k] : NaN)), count };
}

/** ADO with refits early and often, so a short test run sees several. */
export const QUICK_ADO = { kind: 'ado', startStep: 30, refitInterval: 30, ignoreSteps: 0, minPoints: 5, lag: 5 } as const;

export function quickAdo(domains: string[], prior?: number[]): AdoPolicy {
  const { kind: _k, ...o } = QUICK_ADO;
  return new AdoPolicy({ domains, ...(prior ? { prior } : {}), ...o } as AdoPolicyOptions);
}

/** Fisher–Yates with a seeded Rng. */
export function shuffled<T>(items: T[], rng: Rng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
