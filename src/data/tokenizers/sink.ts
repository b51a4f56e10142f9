/** Where encoders put their tokens: the shard writer, or an array in a test. */
export interface TokenSink {
  /** Appends token ids. */
  push(tokens: ArrayLike<number>): void;
  /** Appends bytes as token ids 0–255 (the byte tokeniser's path: no array of numbers in between). */
  pushBytes(bytes: Uint8Array): void;
}
