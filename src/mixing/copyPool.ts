/**
 * Fresh, caller-owned copies of a policy's weight vector without a buffer allocation per
 * call: `weights()` and `observe()` run every training step and must each hand out a copy.
 *
 * A Float64Array of more than 8 entries gets its own off-heap backing store in V8 (allocated,
 * tracked and freed by the garbage collector): ~350–550 ns per copy, and the external-memory
 * accounting triggers extra collections. Instead each copy is a view on its own slice of an
 * 8 KiB pooled ArrayBuffer, never handed out twice (Node's Buffer pool does the same):
 * ~90 ns, and one buffer per ~46 copies of 22 domains. A copy's values, length and
 * ownership are those of `new Float64Array(src)`; only its `.buffer` is shared with other
 * copies (so transfer a copy of it, not its buffer). Vectors over a quarter of the pool get a
 * buffer of their own. A detached pool (its views read length 0) is simply replaced.
 */
const POOL_BYTES = 8192;

export class CopyPool {
  /**
   * The current pool's views, made together when the pool is (re)filled: making a typed
   * array view is a builtin call that costs far more on a cold cache (after a training
   * step) than in a tight batch, so the per-step path only picks the next one and copies.
   */
  private views: Float64Array[] = [];
  private next = 0;
  private viewLength = -1;

  /** A new Float64Array holding src's values, owned by the caller. */
  copy(src: Float64Array): Float64Array {
    const n = src.length;
    if (n * 8 > POOL_BYTES / 4 || n === 0) return new Float64Array(src);
    let i = this.next;
    // Refill when the batch is used up, the length changed (a domain was added), or the
    // caller transferred the pool's buffer (its views then read length 0).
    if (i === this.views.length || n !== this.viewLength || this.views[i].length !== n) {
      this.refill(n);
      i = 0;
    }
    const out = this.views[i];
    this.next = i + 1;
    for (let k = 0; k < n; k++) out[k] = src[k];
    return out;
  }

  private refill(n: number): void {
    const bytes = n * 8;
    const pool = new ArrayBuffer(POOL_BYTES);
    const per = Math.floor(POOL_BYTES / bytes);
    const views = new Array<Float64Array>(per);
    for (let j = 0; j < per; j++) views[j] = new Float64Array(pool, j * bytes, n);
    this.views = views;
    this.next = 0;
    this.viewLength = n;
  }
}
