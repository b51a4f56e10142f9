/** A domain's text for a language model: its training and held-out token arrays. */
export interface TextDomain {
  name: string;
  train: Uint8Array;
  heldOut: Uint8Array;
}

/**
 * Windows of a token array as training examples: example i covers tokens
 * [i·T, i·T + C + T) and predicts its last T tokens. Every token past the first C is a
 * target of exactly one example, so one epoch sees the text once.
 */
export class TokenWindows {
  readonly count: number;

  constructor(
    readonly tokens: Uint8Array,
    readonly context: number,
    readonly targets: number,
  ) {
    this.count = Math.floor((tokens.length - context) / targets);
    if (this.count < 1) throw new Error(`TokenWindows: ${tokens.length} tokens are too few for one window of ${context} + ${targets}`);
  }

  /**
   * Writes example `index`'s T·C context ids at `ctx[row·C …]` and its T targets at
   * `tgt[row …]`, where row = slot·T.
   */
  fill(index: number, slot: number, ctx: Int32Array, tgt: Int32Array): void {
    fillWindow(this.tokens, index * this.targets, this.context, this.targets, slot, ctx, tgt);
  }
}

/**
 * The layout of one window, tokens [start, start + C + T): its T rows of C context tokens
 * at `ctx[slot·T·C …]` (row t holds tokens start + t … start + t + C − 1) and the T
 * tokens they predict at `tgt[slot·T …]` (row t: token start + t + C).
 */
export function fillWindow(tokens: ArrayLike<number>, start: number, context: number, targets: number, slot: number, ctx: Int32Array, tgt: Int32Array): void {
  const C = context;
  const T = targets;
  let c = slot * T * C;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < C; j++) ctx[c++] = tokens[start + t + j];
    tgt[slot * T + t] = tokens[start + t + C];
  }
}
