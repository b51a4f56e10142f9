/**
 * A random permutation of 0 … n−1 that is computed, not stored: a keyed Feistel network on
 * the smallest even number of bits 2h with 2^(2h) ≥ n, with cycle-walking (apply again until
 * the value falls below n; fewer than 4 applications on average, since 2^(2h) < 4n). Any
 * Feistel network is a bijection on its 2h-bit words, and cycle-walking a bijection restricted
 * to a subset stays a bijection on it (Black & Rogaway, "Ciphers with arbitrary finite
 * domains", CT-RSA 2002). O(1) memory, so a shuffled pass over billions of examples costs
 * nothing to hold; each round's function is a 32-bit integer hash of (half, key, round).
 */
const ROUNDS = 4;

/** A 32-bit mix (the murmur3 finaliser). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export class FeistelPermutation {
  private readonly half: number;
  private readonly mask: number;
  private readonly keys: Uint32Array;

  /** A permutation of 0 … n−1 chosen by `key` (any 32-bit integer). n < 2^52. */
  constructor(
    readonly n: number,
    key: number,
  ) {
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`FeistelPermutation: n must be a positive safe integer, got ${n}`);
    let bits = 2;
    while (2 ** bits < n) bits += 2;
    this.half = bits / 2;
    this.mask = 2 ** this.half - 1;
    this.keys = new Uint32Array(ROUNDS);
    let k = key >>> 0;
    for (let r = 0; r < ROUNDS; r++) this.keys[r] = k = mix32(k + 0x9e3779b9 + r);
  }

  /** The position-th element of the permutation (position in 0 … n−1). */
  at(position: number): number {
    if (!(Number.isInteger(position) && position >= 0 && position < this.n)) {
      throw new Error(`FeistelPermutation: position must be an integer in [0, ${this.n}), got ${position}`);
    }
    let x = position;
    do x = this.encrypt(x);
    while (x >= this.n);
    return x;
  }

  private encrypt(x: number): number {
    const size = this.mask + 1;
    let left = Math.floor(x / size);
    let right = x % size;
    for (let r = 0; r < ROUNDS; r++) {
      // Halves have at most 26 bits (n < 2^52), so 32-bit integer operations are exact.
      const next = (left ^ mix32(right ^ this.keys[r])) & this.mask;
      left = right;
      right = next;
    }
    return left * size + right;
  }
}
