/**
 * Fixed-size chunks of fit points (n, loss pairs) in a few large buffers, shared with refit
 * workers.
 *
 * A domain's points live in a list of chunks of CHUNK_POINTS points each. A chunk is only
 * ever appended to, so the points a refit was given (a chunk list and a length) never
 * change while it runs, and a worker that has been sent an arena once reads every chunk in
 * it without a copy. Thinning writes a domain's kept points into new chunks and leaves the
 * old ones as they are (a refit in flight may still read them).
 *
 * Arenas are SharedArrayBuffers where the runtime has them (plain ArrayBuffers otherwise,
 * and only inline refits are possible); they are never resized, so views stay valid.
 */

/** Points per chunk: 256 (n, loss) pairs, 4 KiB. */
export const CHUNK_POINTS = 256;
const CHUNK_DOUBLES = 2 * CHUNK_POINTS;
/** Chunks per arena (256 KiB). */
export const ARENA_CHUNKS = 64;

const hasShared = typeof SharedArrayBuffer === 'function';

export class PointArena {
  /** The arenas, in order; a chunk id c lives in arenas[c / ARENA_CHUNKS]. */
  readonly buffers: (SharedArrayBuffer | ArrayBuffer)[] = [];
  private readonly arenaViews: Float64Array[] = [];
  private used = ARENA_CHUNKS;

  /** True when a worker can read the arenas. */
  get shared(): boolean {
    return hasShared;
  }

  /** Chunks handed out so far. */
  get chunks(): number {
    return (this.arenaViews.length - 1) * ARENA_CHUNKS + this.used;
  }

  /** Bytes of memory the arenas hold. */
  get bytes(): number {
    return this.buffers.length * ARENA_CHUNKS * CHUNK_DOUBLES * 8;
  }

  /** One Float64Array per arena, in order. */
  get views(): readonly Float64Array[] {
    return this.arenaViews;
  }

  /** A fresh chunk's id. */
  allocate(): number {
    if (this.used === ARENA_CHUNKS) {
      const b = hasShared ? new SharedArrayBuffer(ARENA_CHUNKS * CHUNK_DOUBLES * 8) : new ArrayBuffer(ARENA_CHUNKS * CHUNK_DOUBLES * 8);
      this.buffers.push(b);
      this.arenaViews.push(new Float64Array(b));
      this.used = 0;
    }
    return (this.arenaViews.length - 1) * ARENA_CHUNKS + this.used++;
  }

  /** The arena view holding chunk c (its first double is at chunkOffset(c)). */
  view(c: number): Float64Array {
    return this.arenaViews[Math.floor(c / ARENA_CHUNKS)];
  }
}

/** Offset of chunk c's first double within its arena's view. */
export function chunkOffset(c: number): number {
  return (c % ARENA_CHUNKS) * CHUNK_DOUBLES;
}

/**
 * Points 0 … length−1 of a chunk list, as the (n, loss) arrays a fit reads, followed by
 * `tailN`/`tailLoss`. `views[a]` is arena a's Float64Array.
 */
export function gatherPoints(
  views: readonly Float64Array[],
  chunks: ArrayLike<number>,
  length: number,
  tailN: ArrayLike<number>,
  tailLoss: ArrayLike<number>,
): { n: Float64Array; loss: Float64Array } {
  const P = length + tailN.length;
  const n = new Float64Array(P);
  const loss = new Float64Array(P);
  for (let i = 0; i < length; i++) {
    const c = chunks[Math.floor(i / CHUNK_POINTS)];
    const v = views[Math.floor(c / ARENA_CHUNKS)];
    const o = chunkOffset(c) + 2 * (i % CHUNK_POINTS);
    n[i] = v[o];
    loss[i] = v[o + 1];
  }
  for (let i = 0; i < tailN.length; i++) {
    n[length + i] = tailN[i];
    loss[length + i] = tailLoss[i];
  }
  return { n, loss };
}
