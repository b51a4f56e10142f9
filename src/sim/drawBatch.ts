/**
 * The batch draw: B examples, each from domain k with probability w_k (a seeded
 * multinomial draw), so realised shares scatter around the weights as in a real sampler.
 *
 * Each example costs O(1): Walker's alias method (Vose's construction, O(K) per batch)
 * and one 32-bit random word, whose high part picks a column and whose remainder is the
 * coin (≥ 27 bits of resolution for K ≤ 32).
 *
 * Finite data: no domain gives more than it has left. Draws that land on a domain with
 * nothing left are drawn again among the domains that still have data (by their weights,
 * uniformly when those are all 0), so the batch stays full while any data remains.
 */
import type { Rng } from '../random/index.js';

export class BatchDrawer {
  private readonly w: Float64Array;
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;
  private readonly small: Int32Array;
  private readonly large: Int32Array;

  constructor(readonly K: number) {
    this.w = new Float64Array(K);
    this.prob = new Float64Array(K);
    this.alias = new Int32Array(K);
    this.small = new Int32Array(K);
    this.large = new Int32Array(K);
  }

  /**
   * Draws `batch` examples into `out` (overwritten). `left[k]`: examples domain k can still
   * give (Infinity when unlimited). Returns the number drawn (< batch only when data runs out).
   */
  draw(rng: Rng, weights: ArrayLike<number>, batch: number, left: ArrayLike<number>, out: Float64Array): number {
    const K = this.K;
    out.fill(0);
    for (let k = 0; k < K; k++) this.w[k] = left[k] > 0 && weights[k] > 0 ? weights[k] : 0;
    let toDraw = batch;
    let drawn = 0;
    while (toDraw > 0) {
      let total = 0;
      let open = 0;
      for (let k = 0; k < K; k++) {
        if (left[k] - out[k] > 0) open++;
        else this.w[k] = 0;
        total += this.w[k];
      }
      if (open === 0) break;
      if (!(total > 0)) {
        for (let k = 0; k < K; k++) this.w[k] = left[k] - out[k] > 0 ? 1 : 0;
        total = open;
      }
      this.build(total);
      let overflow = 0;
      const prob = this.prob;
      const alias = this.alias;
      for (let i = 0; i < toDraw; i++) {
        const x = (rng.nextUint32() / 4294967296) * K;
        const col = x | 0;
        const k = x - col < prob[col] ? col : alias[col];
        if (out[k] < left[k]) out[k]++;
        else overflow++;
      }
      drawn += toDraw - overflow;
      toDraw = overflow;
    }
    return drawn;
  }

  /** Vose's alias table for the distribution w / total. */
  private build(total: number): void {
    const K = this.K;
    const { prob, alias, small, large, w } = this;
    let ns = 0;
    let nl = 0;
    for (let k = 0; k < K; k++) {
      prob[k] = (w[k] * K) / total;
      alias[k] = k;
      if (prob[k] < 1) small[ns++] = k;
      else large[nl++] = k;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns];
      const l = large[nl - 1];
      alias[s] = l;
      prob[l] = prob[l] + prob[s] - 1;
      if (prob[l] < 1) {
        nl--;
        small[ns++] = l;
      }
    }
    // Leftovers are 1 up to rounding; a zero-weight domain must never be drawn by itself.
    while (nl > 0) prob[large[--nl]] = 1;
    while (ns > 0) {
      const s = small[--ns];
      prob[s] = w[s] > 0 ? 1 : 0;
      if (w[s] === 0) alias[s] = this.anyPositive();
    }
  }

  private anyPositive(): number {
    let best = 0;
    for (let k = 1; k < this.K; k++) if (this.w[k] > this.w[best]) best = k;
    return best;
  }
}
