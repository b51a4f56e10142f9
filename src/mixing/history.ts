/**
 * Per-domain step history (losses and counts), stored so a refit worker can read it
 * without a copy on the training thread.
 *
 * Row-major: one buffer holds every row, row r (global step `firstStep + r`) at
 * `data[r·stride … r·stride + stride − 1]` with stride = 2K: the K losses, then the K counts.
 * A step is one contiguous write of 2K doubles (a few cache lines), where one column per
 * domain and field touched 2K separate arrays (and cache lines) every step, all cold after
 * a training step. Refits read columns (`columns()`, or the worker's own strided read of
 * the shared buffer, src/refit).
 *
 * The buffer is a growable SharedArrayBuffer where the runtime has them, grown in place by
 * doubling, so growing never copies and never invalidates a view a worker holds; past
 * `maxRows` rows or MAX_RESERVED_BYTES of reservation, whichever is less (or where growable
 * buffers are missing or refused), it is reallocated and copied instead. Where the data
 * lives never changes a value, so the weights are the same for every K and reservation.
 * Adding a domain changes the stride: the rows are copied into a new buffer (rare); a
 * refit already running keeps reading the old buffer, whose rows never change again.
 * The view is fixed-length (re-made on growth): V8 indexes length-tracking views of a
 * growable buffer about 8× slower.
 * Where SharedArrayBuffer itself is missing (e.g. a browser without cross-origin
 * isolation) plain ArrayBuffers are used and only inline refits are possible.
 *
 * Losses are stored as the ADO reference observes them: a domain absent from a step
 * (count 0) takes its previous value, or the step's batch mean (count-weighted) when it
 * has none yet. Rows before a domain was added (`firstRow[k]`) hold NaN and count 0.
 */
import type { DomainHistoryView } from './refitTypes.js';

type AnyBuffer = SharedArrayBuffer | ArrayBuffer;

const hasShared = typeof SharedArrayBuffer === 'function';
/** Does this runtime have growable SharedArrayBuffers (ES2024)? */
const growable: boolean = (() => {
  if (!hasShared) return false;
  try {
    const Ctor = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
    const b = new Ctor(8, { maxByteLength: 16 }) as SharedArrayBuffer & { growable?: boolean };
    return b.growable === true;
  } catch {
    return false;
  }
})();

interface GrowableBuffer {
  readonly byteLength: number;
  readonly maxByteLength?: number;
  readonly growable?: boolean;
  grow?(n: number): void;
}

/**
 * Address space one history buffer may reserve for in-place growth (1 GiB). Without a cap
 * the reservation, maxRows × 2K doubles, passes V8's limit on a growable buffer's
 * maxByteLength (4 GiB) beyond 128 domains; past the cap the buffer is reallocated and
 * copied instead (a rare event: the capacity doubles each time).
 */
export const MAX_RESERVED_BYTES = 2 ** 30;
/** The first rows are allocated for real: at most 16 MiB of them (1024 rows up to K = 1024). */
const INITIAL_BYTES = 2 ** 24;
const INITIAL_ROWS = 1024;

/** Rows allocated up front for K domains: 1024, fewer for very wide rows, at least 1. */
function initialRows(K: number): number {
  return Math.max(1, Math.min(INITIAL_ROWS, Math.floor(INITIAL_BYTES / (16 * Math.max(1, K)))));
}

/**
 * A buffer of `doubles` Float64 values, reserving address space for up to `maxDoubles`
 * (capped at MAX_RESERVED_BYTES). Where the runtime refuses the reservation it asks for
 * half as much, down to none (a buffer that cannot grow in place, so growth copies).
 */
function allocate(doubles: number, maxDoubles: number): AnyBuffer {
  if (growable) {
    const Ctor = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
    let reserve = Math.max(doubles, Math.min(maxDoubles, MAX_RESERVED_BYTES / 8));
    while (reserve > doubles) {
      try {
        return new Ctor(doubles * 8, { maxByteLength: reserve * 8 });
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        reserve = Math.max(doubles, Math.floor(reserve / 2));
      }
    }
  }
  return hasShared ? new SharedArrayBuffer(doubles * 8) : new ArrayBuffer(doubles * 8);
}

export interface HistoryOptions {
  /**
   * Rows reserved (address space only) in the growable buffer before a copying reallocation.
   * Default 2^21; never more rows than fit in MAX_RESERVED_BYTES.
   */
  maxRows?: number;
}

export class StepHistory {
  /** Number of rows written. */
  rows = 0;
  /** Global step of row 0 (−1 before the first row). */
  firstStep = -1;
  /** First row of each domain (0 for domains present from the start). */
  readonly firstRow: number[] = [];
  /** The shared buffer behind `data` (sent to a refit worker). */
  buffer: AnyBuffer;
  /** Row-major rows: losses then counts, `stride` = 2K doubles per row. */
  data: Float64Array;
  private K = 0;
  private capacity: number;
  private readonly maxRows: number;

  constructor(domains: number, options: HistoryOptions = {}) {
    this.capacity = initialRows(domains);
    this.maxRows = Math.max(this.capacity, options.maxRows ?? 1 << 21);
    this.K = domains;
    this.buffer = this.allocateRows(this.capacity, domains);
    this.data = new Float64Array(this.buffer, 0, this.capacity * 2 * domains);
    for (let k = 0; k < domains; k++) this.firstRow.push(0);
  }

  /** True when refits can read this history from another thread. */
  get shared(): boolean {
    return hasShared;
  }

  get domains(): number {
    return this.K;
  }

  /** Doubles per row: K losses then K counts. */
  get stride(): number {
    return 2 * this.K;
  }

  private allocateRows(rows: number, K: number): AnyBuffer {
    // At least one double, so a domain-less history still has a buffer.
    return allocate(Math.max(1, rows * 2 * K), Math.max(1, Math.max(rows, this.maxRows) * 2 * K));
  }

  /** Adds a domain whose history starts at the next row (copies the rows into a wider layout). */
  addDomain(): void {
    const K = this.K;
    const K1 = K + 1;
    const rows = this.rows;
    const buffer = this.allocateRows(this.capacity, K1);
    const data = new Float64Array(buffer, 0, this.capacity * 2 * K1);
    const old = this.data;
    for (let r = 0; r < rows; r++) {
      const o = r * 2 * K;
      const n = r * 2 * K1;
      for (let k = 0; k < K; k++) {
        data[n + k] = old[o + k];
        data[n + K1 + k] = old[o + K + k];
      }
      data[n + K] = NaN; // loss before the domain existed; its count stays 0
    }
    this.buffer = buffer;
    this.data = data;
    this.K = K1;
    this.firstRow.push(rows);
  }

  /**
   * Appends one step: `loss` as observed (NaN where count is 0), `count` per domain.
   * Absent domains are imputed (previous value, else the batch mean). No allocation
   * except when the capacity grows.
   */
  append(step: number, loss: ArrayLike<number>, count: ArrayLike<number>): void {
    if (this.rows === this.capacity) this.grow();
    const r = this.rows;
    const K = this.K;
    const d = this.data;
    const o = r * 2 * K;
    const prev = o - 2 * K;
    let batchLoss = 0;
    let batchCount = 0;
    let imputed = false;
    for (let k = 0; k < K; k++) {
      const c = count[k];
      d[o + K + k] = c;
      if (c > 0) {
        const l = loss[k];
        batchLoss += c * l;
        batchCount += c;
        d[o + k] = l;
      } else imputed = true;
    }
    if (imputed) {
      const batchMean = batchLoss / batchCount;
      const firstRow = this.firstRow;
      for (let k = 0; k < K; k++) if (!(count[k] > 0)) d[o + k] = r > firstRow[k] ? d[prev + k] : batchMean;
    }
    if (this.rows === 0) this.firstStep = step;
    this.rows = r + 1;
  }

  /** Domain k's losses, rows 0 … rows−1 (a copy). */
  lossColumn(k: number, rows = this.rows): Float64Array {
    return this.column(k, rows);
  }

  /** Domain k's counts, rows 0 … rows−1 (a copy). */
  countColumn(k: number, rows = this.rows): Float64Array {
    return this.column(this.K + k, rows);
  }

  private column(j: number, rows: number): Float64Array {
    const out = new Float64Array(rows);
    const d = this.data;
    const stride = 2 * this.K;
    for (let r = 0, i = j; r < rows; r++, i += stride) out[r] = d[i];
    return out;
  }

  /** The fitting engine's view of rows 0 … rows−1 (columns copied out of the rows). */
  view(rows = this.rows): DomainHistoryView {
    return readColumns(this.data, this.K, rows, this.firstRow);
  }

  private grow(): void {
    const next = this.capacity * 2;
    const doubles = next * 2 * this.K;
    const g = this.buffer as unknown as GrowableBuffer;
    if (g.growable && g.grow && g.maxByteLength !== undefined && doubles * 8 <= g.maxByteLength) {
      g.grow(doubles * 8); // in place: no copy, views held by a worker stay valid
    } else {
      // Past the reserved size (or not growable): reallocate and copy, a rare event.
      const nb = allocate(doubles, Math.max(this.maxRows * 2 * this.K, doubles * 2));
      new Float64Array(nb, 0, this.data.length).set(this.data);
      this.buffer = nb;
    }
    // New rows are left as they come (zero): append() writes every entry of a row.
    this.data = new Float64Array(this.buffer, 0, doubles);
    this.capacity = next;
  }

  /** JSON form: losses with null for NaN, counts as numbers, rows trimmed. */
  toJSON(): HistoryJson {
    const rows = this.rows;
    return {
      rows,
      firstStep: this.firstStep,
      firstRow: [...this.firstRow],
      loss: this.firstRow.map((_, k) => {
        const a = this.lossColumn(k, rows);
        const out: (number | null)[] = new Array(rows);
        for (let r = 0; r < rows; r++) out[r] = Number.isNaN(a[r]) ? null : a[r];
        return out;
      }),
      count: this.firstRow.map((_, k) => Array.from(this.countColumn(k, rows))),
    };
  }

  /** Rebuilds a history from `toJSON()` output, checking every field (throws naming it). */
  static fromJSON(json: unknown, domains: readonly string[], where: string, options: HistoryOptions = {}): StepHistory {
    const fail = (field: string, expected: string): never => {
      throw new Error(`${where}: field "history.${field}" must be ${expected}`);
    };
    if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('', 'an object');
    const o = json as Record<string, unknown>;
    const K = domains.length;
    const rows = o.rows;
    if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 0) return fail('rows', 'an integer ≥ 0');
    const firstStep = o.firstStep;
    if (typeof firstStep !== 'number' || !Number.isInteger(firstStep) || firstStep < -1 || (rows > 0) !== (firstStep >= 0)) {
      return fail('firstStep', rows > 0 ? 'an integer ≥ 0' : '-1 (no rows)');
    }
    const firstRow = o.firstRow;
    if (!Array.isArray(firstRow) || firstRow.length !== K || firstRow.some((x) => !Number.isInteger(x) || x < 0 || x > rows)) {
      return fail('firstRow', `an array of ${K} integers in [0, ${rows}]`);
    }
    if (!Array.isArray(o.loss) || o.loss.length !== K) return fail('loss', `an array of ${K} arrays`);
    if (!Array.isArray(o.count) || o.count.length !== K) return fail('count', `an array of ${K} arrays`);
    let capacity = initialRows(K);
    while (capacity < rows) capacity *= 2;
    const h = new StepHistory(0, options);
    h.capacity = capacity;
    h.K = K;
    h.buffer = h.allocateRows(capacity, K);
    h.data = new Float64Array(h.buffer, 0, capacity * 2 * K);
    const d = h.data;
    const stride = 2 * K;
    for (let k = 0; k < K; k++) {
      h.firstRow.push(firstRow[k] as number);
      const ls = (o.loss as unknown[])[k];
      const cs = (o.count as unknown[])[k];
      if (!Array.isArray(ls) || ls.length !== rows) fail(`loss[${k}]`, `an array of ${rows} numbers (domain "${domains[k]}")`);
      if (!Array.isArray(cs) || cs.length !== rows) fail(`count[${k}]`, `an array of ${rows} numbers (domain "${domains[k]}")`);
      for (let r = 0; r < rows; r++) {
        const l = (ls as unknown[])[r];
        const c = (cs as unknown[])[r];
        const before = r < (firstRow[k] as number);
        if (before ? l !== null : typeof l !== 'number' || !Number.isFinite(l) || l < 0) {
          fail(`loss[${k}][${r}]`, before ? 'null (before the domain was added)' : 'a finite number ≥ 0');
        }
        if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || (before && c !== 0)) {
          fail(`count[${k}][${r}]`, before ? '0 (before the domain was added)' : 'an integer ≥ 0');
        }
        d[r * stride + k] = before ? NaN : (l as number);
        d[r * stride + K + k] = c as number;
      }
    }
    h.rows = rows;
    h.firstStep = firstStep;
    return h;
  }
}

export interface HistoryJson {
  rows: number;
  firstStep: number;
  firstRow: number[];
  loss: (number | null)[][];
  count: number[][];
}

/**
 * Columns (loss[k], count[k], rows 0 … rows−1) copied out of row-major history rows
 * (`data`: K losses then K counts per row), as the fitting engine reads them.
 */
export function readColumns(data: Float64Array, K: number, rows: number, firstRow: readonly number[]): DomainHistoryView {
  const stride = 2 * K;
  const loss: Float64Array[] = [];
  const count: Float64Array[] = [];
  for (let k = 0; k < K; k++) {
    loss.push(new Float64Array(rows));
    count.push(new Float64Array(rows));
  }
  for (let r = 0; r < rows; r++) {
    const o = r * stride;
    for (let k = 0; k < K; k++) {
      loss[k][r] = data[o + k];
      count[k][r] = data[o + K + k];
    }
  }
  return { steps: rows, loss, count, firstStep: [...firstRow] };
}
