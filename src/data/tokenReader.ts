/**
 * A domain's tokens as the training loop reads them: a length and positional reads, so a
 * corpus on disk is read window by window and never held in memory. The on-disk shards
 * (src/data) and plain arrays (tests, small corpora) both implement it.
 */
export interface TokenReader {
  /** Tokens in this split of the domain. */
  readonly length: number;
  /**
   * Copies tokens [start, start + count) into `out` from `offset`. Synchronous (a batch is
   * built synchronously); throws (naming the file) on a short read or a range past the end.
   */
  read(start: number, count: number, out: Int32Array, offset?: number): void;
}

/** A TokenReader over an array in memory. */
export class ArrayTokenReader implements TokenReader {
  constructor(private readonly tokens: ArrayLike<number>) {}

  get length(): number {
    return this.tokens.length;
  }

  read(start: number, count: number, out: Int32Array, offset = 0): void {
    if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= this.tokens.length)) {
      throw new Error(`token reader: tokens [${start}, ${start + count}) are outside [0, ${this.tokens.length})`);
    }
    for (let i = 0; i < count; i++) out[offset + i] = this.tokens[start + i];
  }
}
