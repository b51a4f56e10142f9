/**
 * Per-domain example sources: each domain's training examples (indices 0 … size−1) served
 * in a seeded random order, epoch after epoch, reshuffled at every epoch.
 *
 * Epoch e's order is the Fisher–Yates shuffle of 0 … size−1 by a generator seeded from
 * (seed, domain, e), so a source's whole state is two integers (epoch, position) and a
 * checkpoint restores it exactly. The shuffled table costs 4 bytes per example; a corpus on
 * disk with billions of windows uses `order: 'feistel'` instead, a permutation computed per
 * position (src/random/feistel.ts) in O(1) memory. With a limited number of epochs a source runs out;
 * the training loop then reports the domain to the policy (`markExhausted`).
 */
import { FeistelPermutation, Rng } from '../random/index.js';

export interface SourceState {
  epoch: number;
  position: number;
}

export interface ExampleSourceOptions {
  /** Seed of the shuffles (default 0). */
  seed?: number;
  /** Domain index, mixed into the seed so domains get independent orders (default 0). */
  domain?: number;
  /** Passes over the data before the source is exhausted (default Infinity). */
  epochs?: number;
  /** Shuffle each epoch (default true); false serves 0, 1, 2, … every epoch. */
  shuffle?: boolean;
  /** How the shuffle is held: `table` (Fisher–Yates, 4 bytes per example; default) or `feistel` (computed, O(1) memory). */
  order?: 'table' | 'feistel';
}

/** Example indices of one domain, shuffled per epoch. */
export class ExampleSource {
  readonly size: number;
  readonly epochs: number;
  private readonly seed: number;
  private readonly domain: number;
  private readonly shuffle: boolean;
  private readonly order: Uint32Array | undefined;
  private permutation: FeistelPermutation | undefined;
  private epochNo = 0;
  private pos = 0;

  constructor(size: number, options: ExampleSourceOptions = {}) {
    if (!Number.isInteger(size) || size <= 0) throw new Error(`example source: size must be a positive integer, got ${size}`);
    const epochs = options.epochs ?? Infinity;
    if (!(epochs > 0) || (Number.isFinite(epochs) && !Number.isInteger(epochs))) {
      throw new Error(`example source: epochs must be a positive integer or Infinity, got ${epochs}`);
    }
    this.size = size;
    this.epochs = epochs;
    this.seed = options.seed ?? 0;
    this.domain = options.domain ?? 0;
    this.shuffle = options.shuffle ?? true;
    const order = options.order ?? 'table';
    if (order !== 'table' && order !== 'feistel') throw new Error(`example source: order must be "table" or "feistel", got ${JSON.stringify(order)}`);
    this.order = order === 'table' ? new Uint32Array(size) : undefined;
    this.arrange();
  }

  /** Current epoch (0-based) and position in it. */
  state(): SourceState {
    return { epoch: this.epochNo, position: this.pos };
  }

  /** Restores `state()`; throws on a state that does not fit this source. */
  restore(state: SourceState): void {
    const { epoch, position } = state ?? ({} as SourceState);
    if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(position) || position < 0 || position > this.size) {
      throw new Error(`example source (domain ${this.domain}): bad state ${JSON.stringify(state)} for ${this.size} examples`);
    }
    if (epoch > this.epochs || (epoch === this.epochs && position !== 0)) {
      throw new Error(`example source (domain ${this.domain}): state epoch ${epoch} is past its ${this.epochs} epochs`);
    }
    this.epochNo = epoch;
    this.pos = position;
    this.arrange();
  }

  /** Examples left before exhaustion (Infinity with unlimited epochs). */
  remaining(): number {
    if (!Number.isFinite(this.epochs)) return Infinity;
    return (this.epochs - this.epochNo) * this.size - this.pos;
  }

  get exhausted(): boolean {
    return this.remaining() <= 0;
  }

  /** The next example index; throws when exhausted. */
  next(): number {
    if (this.pos === this.size) {
      this.epochNo++;
      this.pos = 0;
      if (this.epochNo >= this.epochs) {
        this.epochNo = this.epochs;
        throw new Error(`example source (domain ${this.domain}): exhausted after ${this.epochs} epoch(s) of ${this.size} examples`);
      }
      this.arrange();
    }
    if (this.epochNo >= this.epochs) throw new Error(`example source (domain ${this.domain}): exhausted after ${this.epochs} epoch(s) of ${this.size} examples`);
    const i = this.pos++;
    if (this.order !== undefined) return this.order[i];
    return this.permutation !== undefined ? this.permutation.at(i) : i;
  }

  /** The order of the current epoch. */
  private arrange(): void {
    const n = this.size;
    const shuffled = this.shuffle && this.epochNo < this.epochs;
    if (this.order === undefined) {
      this.permutation = shuffled ? new FeistelPermutation(n, mixSeed(this.seed, this.domain, this.epochNo)) : undefined;
      return;
    }
    for (let i = 0; i < n; i++) this.order[i] = i;
    if (!shuffled) return;
    const rng = new Rng(mixSeed(this.seed, this.domain, this.epochNo));
    const order = this.order;
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
}

/** One 32-bit seed from (seed, domain, epoch). */
function mixSeed(seed: number, domain: number, epoch: number): number {
  let h = Math.trunc(seed) >>> 0;
  for (const v of [domain, epoch]) {
    h = Math.imul(h ^ (v + 0x9e3779b9), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  return h;
}
