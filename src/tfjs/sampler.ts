/**
 * Weighted domain sampler: draws the domain of each example of a batch independently
 * from the mixture π with Walker's alias method (Vose's O(K) construction), so one draw
 * costs one uniform number and one table lookup whatever K is.
 *
 * Alias table: scale p_k = K·π_k; "small" entries (p < 1) are topped up by a "large" one
 * (p ≥ 1), which becomes their alias. A draw takes u ∈ [0,1), column i = ⌊uK⌋, and keeps
 * i when the fractional part uK − i is below prob_i, else returns alias_i.
 *
 * Seeded with `Rng`, so the same seed and weights give the same batches on every
 * machine; the generator state is part of a checkpoint (`state()` / `fromState`).
 * Buffers are reused between batches: no allocation per step once K and B are fixed.
 */
import { Rng } from '../random/index.js';

/** Alias table of one mixture. */
export class AliasTable {
  private prob = new Float64Array(0);
  private alias = new Int32Array(0);
  private small = new Int32Array(0);
  private large = new Int32Array(0);
  private scaled = new Float64Array(0);
  private k = 0;

  /** Number of domains of the current table. */
  get size(): number {
    return this.k;
  }

  /**
   * Rebuilds the table for `weights` (non-negative, finite, positive sum; normalised here).
   * Entries where `mask[k]` is false are treated as 0.
   */
  set(weights: ArrayLike<number>, mask?: ArrayLike<boolean>): void {
    const K = weights.length;
    if (K === 0) throw new Error('sampler: the mixture has no domains');
    if (this.prob.length < K) {
      this.prob = new Float64Array(K);
      this.alias = new Int32Array(K);
      this.small = new Int32Array(K);
      this.large = new Int32Array(K);
      this.scaled = new Float64Array(K);
    }
    this.k = K;
    let sum = 0;
    for (let i = 0; i < K; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`sampler: weight of domain ${i} must be finite and ≥ 0, got ${w}`);
      if (mask === undefined || mask[i]) sum += w;
    }
    if (!(sum > 0)) throw new Error('sampler: no domain has positive weight (all zero, or all masked out)');
    let nSmall = 0;
    let nLarge = 0;
    for (let i = 0; i < K; i++) {
      const w = mask === undefined || mask[i] ? weights[i] : 0;
      const p = (w * K) / sum;
      this.scaled[i] = p;
      this.alias[i] = i;
      if (p < 1) this.small[nSmall++] = i;
      else this.large[nLarge++] = i;
    }
    while (nSmall > 0 && nLarge > 0) {
      const s = this.small[--nSmall];
      const l = this.large[nLarge - 1];
      this.prob[s] = this.scaled[s];
      this.alias[s] = l;
      this.scaled[l] = this.scaled[l] + this.scaled[s] - 1;
      if (this.scaled[l] < 1) {
        nLarge--;
        this.small[nSmall++] = l;
      }
    }
    // What is left is 1 up to rounding.
    while (nLarge > 0) this.prob[this.large[--nLarge]] = 1;
    while (nSmall > 0) {
      const s = this.small[--nSmall];
      // A masked (zero) entry never keeps its own column: rounding must not revive it.
      this.prob[s] = this.scaled[s] > 0 ? 1 : 0;
    }
  }

  /** One draw from the table with the uniform u ∈ [0, 1). */
  draw(u: number): number {
    const x = u * this.k;
    const i = Math.min(Math.floor(x), this.k - 1);
    return x - i < this.prob[i] ? i : this.alias[i];
  }
}

export interface BatchDraw {
  /** Domain index of each example, length `batchSize` (valid until the next draw). */
  domains: Int32Array;
  /** Realised examples per domain (valid until the next draw). */
  counts: Float64Array;
  /** Examples drawn; less than the batch size only when every domain ran out of capacity. */
  size: number;
}

/** Draws the domains of whole batches from a mixture. */
export class DomainSampler {
  private rng: Rng;
  private readonly table = new AliasTable();
  private domains = new Int32Array(0);
  private counts = new Float64Array(0);
  private open: boolean[] = [];

  /** `seed` (a number) or a generator restored from a checkpoint. */
  constructor(seed: number | Rng = 0) {
    this.rng = typeof seed === 'number' ? new Rng(seed) : seed;
  }

  /** The generator state, for a checkpoint. */
  state(): number[] {
    return this.rng.state();
  }

  static fromState(state: readonly number[]): DomainSampler {
    return new DomainSampler(Rng.fromState(state));
  }

  /**
   * Draws `batchSize` domains i.i.d. from `weights`. With `capacity`, domain k gets at
   * most `capacity[k]` examples (the examples it has left): once full it is masked out
   * and the remaining slots are drawn from the others, renormalised. Returns fewer than
   * `batchSize` only when every domain is full.
   */
  draw(weights: ArrayLike<number>, batchSize: number, capacity?: ArrayLike<number>): BatchDraw {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new Error(`sampler: batch size must be a positive integer, got ${batchSize}`);
    const K = weights.length;
    if (capacity !== undefined && capacity.length !== K) throw new Error(`sampler: capacity has ${capacity.length} entries for ${K} domains`);
    if (this.domains.length !== batchSize) this.domains = new Int32Array(batchSize);
    if (this.counts.length !== K) this.counts = new Float64Array(K);
    this.counts.fill(0);
    this.open.length = K;
    let anyOpen = false;
    let masked = false;
    for (let k = 0; k < K; k++) {
      this.open[k] = capacity === undefined || capacity[k] > 0;
      if (this.open[k] && weights[k] > 0) anyOpen = true;
      if (!this.open[k]) masked = true;
    }
    if (!anyOpen) {
      // Nothing with weight has data left: fall back to any domain that has.
      let any = false;
      for (let k = 0; k < K; k++) any ||= this.open[k];
      if (!any) return { domains: this.domains, counts: this.counts, size: 0 };
      const uniform = new Float64Array(K).fill(1);
      this.table.set(uniform, this.open);
    } else {
      this.table.set(weights, masked ? this.open : undefined);
    }
    let size = 0;
    while (size < batchSize) {
      const k = this.table.draw(this.rng.next());
      this.domains[size++] = k;
      this.counts[k]++;
      if (capacity !== undefined && this.counts[k] >= capacity[k]) {
        this.open[k] = false;
        let left = false;
        let leftWithWeight = false;
        for (let j = 0; j < K; j++) {
          left ||= this.open[j];
          leftWithWeight ||= this.open[j] && weights[j] > 0;
        }
        if (!left) break;
        if (leftWithWeight) this.table.set(weights, this.open);
        else this.table.set(new Float64Array(K).fill(1), this.open);
      }
    }
    return { domains: this.domains, counts: this.counts, size };
  }
}
