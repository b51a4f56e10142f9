/**
 * Per-domain step history (losses and counts), stored so a refit worker can read it
 * without a copy.
 *
 * Each domain has two Float64Arrays over its own SharedArrayBuffer: `loss[k][r]` and
 * `count[k][r]` for history row r (row r is global step `firstStep + r`). The buffers are
 * growable SharedArrayBuffers where the runtime has them, grown in place by doubling, so
 * growing never copies and never invalidates a view a worker holds; past `maxRows` (or
 * where growable buffers are missing) the arrays are reallocated and copied instead.
 * Views are fixed-length (re-made on growth): V8 indexes length-tracking views of a
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

function allocate(rows: number, maxRows: number): AnyBuffer {
  if (growable) {
    const Ctor = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
    return new Ctor(rows * 8, { maxByteLength: Math.max(rows, maxRows) * 8 });
  }
  return hasShared ? new SharedArrayBuffer(rows * 8) : new ArrayBuffer(rows * 8);
}

const INITIAL_ROWS = 1024;

export interface HistoryOptions {
  /** Rows reserved (address space only) per growable buffer before a copying reallocation. Default 2^21. */
  maxRows?: number;
}

export class StepHistory {
  /** Number of rows written. */
  rows = 0;
  /** Global step of row 0 (−1 before the first row). */
  firstStep = -1;
  /** First row of each domain (0 for domains present from the start). */
  readonly firstRow: number[] = [];
  /** Shared buffers behind `loss[k]` / `count[k]` (sent to a refit worker). */
  lossBuffers: AnyBuffer[] = [];
  countBuffers: AnyBuffer[] = [];
  loss: Float64Array[] = [];
  count: Float64Array[] = [];
  private capacity = INITIAL_ROWS;
  private readonly maxRows: number;

  constructor(domains: number, options: HistoryOptions = {}) {
    this.maxRows = Math.max(INITIAL_ROWS, options.maxRows ?? 1 << 21);
    for (let k = 0; k < domains; k++) this.addDomain();
  }

  /** True when refits can read this history from another thread. */
  get shared(): boolean {
    return hasShared;
  }

  get domains(): number {
    return this.loss.length;
  }

  /** Adds a domain whose history starts at the next row. */
  addDomain(): void {
    const lb = allocate(this.capacity, this.maxRows);
    const cb = allocate(this.capacity, this.maxRows);
    const l = new Float64Array(lb, 0, this.capacity);
    l.fill(NaN);
    this.lossBuffers.push(lb);
    this.countBuffers.push(cb);
    this.loss.push(l);
    this.count.push(new Float64Array(cb, 0, this.capacity));
    this.firstRow.push(this.rows);
  }

  /**
   * Appends one step: `loss` as observed (NaN where count is 0), `count` per domain.
   * Absent domains are imputed (previous value, else the batch mean). No allocation
   * except when the capacity grows.
   */
  append(step: number, loss: ArrayLike<number>, count: ArrayLike<number>): void {
    if (this.rows === this.capacity) this.grow();
    const r = this.rows;
    const K = this.loss.length;
    let batchLoss = 0;
    let batchCount = 0;
    for (let k = 0; k < K; k++) {
      const c = count[k];
      if (c > 0) {
        batchLoss += c * loss[k];
        batchCount += c;
      }
    }
    const batchMean = batchLoss / batchCount;
    for (let k = 0; k < K; k++) {
      const c = count[k];
      this.count[k][r] = c;
      this.loss[k][r] = c > 0 ? loss[k] : r > this.firstRow[k] ? this.loss[k][r - 1] : batchMean;
    }
    if (this.rows === 0) this.firstStep = step;
    this.rows = r + 1;
  }

  /** The fitting engine's view of rows 0 … rows−1 (arrays have spare capacity beyond). */
  view(rows = this.rows): DomainHistoryView {
    return { steps: rows, loss: this.loss, count: this.count, firstStep: this.firstRow };
  }

  private grow(): void {
    const next = this.capacity * 2;
    const K = this.loss.length;
    for (let k = 0; k < K; k++) {
      this.lossBuffers[k] = this.growBuffer(this.lossBuffers[k], next);
      this.countBuffers[k] = this.growBuffer(this.countBuffers[k], next);
      this.loss[k] = new Float64Array(this.lossBuffers[k], 0, next);
      this.count[k] = new Float64Array(this.countBuffers[k], 0, next);
    }
    this.capacity = next;
  }

  /**
   * New rows are left as they come (zero): only rows < `rows` are ever read, and append()
   * writes every domain's row. (Rows before a domain's first row were set to NaN when the
   * domain was added, and lie below the old capacity.)
   */
  private growBuffer(b: AnyBuffer, rows: number): AnyBuffer {
    const g = b as unknown as GrowableBuffer;
    if (g.growable && g.grow && g.maxByteLength !== undefined && rows * 8 <= g.maxByteLength) {
      g.grow(rows * 8); // in place: no copy, views held by a worker stay valid
      return b;
    }
    // Past the reserved size (or not growable): reallocate and copy, a rare event.
    const nb = allocate(rows, Math.max(this.maxRows, rows * 2));
    new Float64Array(nb).set(new Float64Array(b));
    return nb;
  }

  /** JSON form: losses with null for NaN, counts as numbers, rows trimmed. */
  toJSON(): HistoryJson {
    const rows = this.rows;
    return {
      rows,
      firstStep: this.firstStep,
      firstRow: [...this.firstRow],
      loss: this.loss.map((a) => {
        const out: (number | null)[] = new Array(rows);
        for (let r = 0; r < rows; r++) out[r] = Number.isNaN(a[r]) ? null : a[r];
        return out;
      }),
      count: this.count.map((a) => Array.from(a.subarray(0, rows))),
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
    const h = new StepHistory(0, options);
    while (h.capacity < rows) h.capacity *= 2;
    for (let k = 0; k < K; k++) {
      h.addDomain();
      h.firstRow[k] = firstRow[k] as number;
      const ls = (o.loss as unknown[])[k];
      const cs = (o.count as unknown[])[k];
      if (!Array.isArray(ls) || ls.length !== rows) fail(`loss[${k}]`, `an array of ${rows} numbers (domain "${domains[k]}")`);
      if (!Array.isArray(cs) || cs.length !== rows) fail(`count[${k}]`, `an array of ${rows} numbers (domain "${domains[k]}")`);
      const la = h.loss[k];
      const ca = h.count[k];
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
        la[r] = before ? NaN : (l as number);
        ca[r] = c as number;
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
