/**
 * What ADO's refits need from the run, kept as the run goes: each domain's fit points
 * (n, smoothed loss) instead of every raw row. Memory grows by 16 bytes per domain per
 * `subsample` steps (1.6 bytes a step at the default 10), plus a fixed tail.
 *
 * The points are exactly those fitDomains (src/curves) would fit over the full history:
 *   - the imputed loss series is built row by row by fitDomains' rule (absent: the previous
 *     value; absent at the domain's first row: the count-weighted batch mean);
 *   - n at a kept row is known when the row arrives (a running count);
 *   - Savitzky–Golay is a linear filter: once a kept row j has `half` rows after it, its
 *     smoothed value is final (interior, or the start edge) and is computed then, by the
 *     same `smoothedAt` over the same window, so it is bit-identical; only the kept rows
 *     within half a window of the end (and, before the domain has a full window of rows,
 *     all of them) are smoothed at each refit, from a ring of the last `window` rows.
 * So a refit's laws, and the weights, are bit-identical to a full-history refit's.
 *
 * A domain whose batch mean is undefined at its first row (every loss in that batch is 0)
 * takes its first observed loss for all rows before it (fitDomains' back-fill): its points
 * are frozen only once that loss is known.
 *
 * Opt-in thinning (`maxPoints`): when a domain holds maxPoints frozen points, they are
 * re-thinned to be at least `spacing` apart in ln n, spacing at least doubling each time
 * (so at most about maxPoints/2 … maxPoints points, log-spaced in n); new points closer
 * than `spacing` to the last kept one are not stored. The kept points go to new chunks, so
 * a refit in flight keeps reading the old ones (pointArena.ts).
 */
import { savitzkyGolayKernel, smoothedAt, smoothedAtColumn, effectiveWindow, type SavitzkyGolayKernel } from '../curves/savitzkyGolay.js';
import {
  badLossReason,
  noObservedLossReason,
  nonPositiveSmoothedReason,
  prepareOptions,
  tooFewPointsReason,
  type PrepareOptions,
} from '../curves/fitDomains.js';
import { CHUNK_POINTS, PointArena, chunkOffset, gatherPoints } from './pointArena.js';
import type { RefitDomainJob, RefitFitOptions } from './refitTypes.js';

export interface FitPointOptions extends PrepareOptions {
  /** Keep at most about this many frozen points per domain, log-spaced in n (0: keep all). */
  maxPoints: number;
}

/** The point options of a refit's fit options (fitDomains' defaults, validated). */
export function fitPointOptions(fit: RefitFitOptions): FitPointOptions {
  return { ...prepareOptions(fit), maxPoints: fit.maxPoints ?? 0 };
}

/** One domain's running state. */
class DomainPoints {
  own = 0;
  firstObserved = -1;
  /** No value yet: the batch mean at the first row was undefined and nothing is observed. */
  blocked = false;
  prev = NaN;
  badRow = -1;
  badLoss = 0;
  zeroN = 0;
  nextKept: number;
  /** Kept rows (relative to `first`) whose loss is not final yet, and their n: a ring. */
  pendRow: Float64Array;
  pendN: Float64Array;
  pendHead = 0;
  pendLen = 0;
  /** The oldest pending row (pendRow[pendHead]; Infinity when none): read every step without touching pendRow. */
  headRow = Infinity;
  /** Frozen points: chunk ids and count. */
  chunks: number[] = [];
  length = 0;
  firstBadRow = -1;
  firstBadValue = 0;
  spacing = 0;
  lastLogN = -Infinity;
  /** Incremented when thinning moves the points to new chunks. */
  generation = 0;

  constructor(
    readonly first: number,
    readonly cumFirst: number,
    pendCapacity: number,
    ignoreSteps: number,
  ) {
    this.pendRow = new Float64Array(pendCapacity);
    this.pendN = new Float64Array(pendCapacity);
    this.nextKept = first + ignoreSteps;
  }
}

/** Domains per block of LossRings: 8 doubles, one cache line. */
const LANES = 8;

/**
 * The imputed loss of every domain's last R rows, in blocks of LANES domains: domain k's
 * value in slot p at block(k) + p·LANES + k % LANES, block(k) = ⌊k / LANES⌋·2R·LANES.
 * Slots are mirrored (p and p + R), so any window of rows is a run of slots. A step writes
 * one cache line per block (twice), where a ring per domain costs a line per domain; a
 * point's window is read from consecutive lines that the block's other domains, freezing
 * at the same step, read too.
 */
class LossRings {
  data: Float64Array;
  readonly block: number;

  constructor(
    readonly R: number,
    domains: number,
  ) {
    this.block = 2 * R * LANES;
    this.data = new Float64Array(Math.ceil(domains / LANES) * this.block);
  }

  /** Room for K domains (grown by doubling and copied: domains added mid-run). */
  ensure(K: number): void {
    const blocks = Math.ceil(K / LANES);
    if (blocks * this.block <= this.data.length) return;
    const data = new Float64Array(Math.max(blocks, (2 * this.data.length) / this.block) * this.block);
    data.set(this.data);
    this.data = data;
  }

  /** Index of domain k's slot 0 (slot p is at + p·LANES). */
  base(k: number): number {
    return Math.floor(k / LANES) * this.block + (k % LANES);
  }

  set(p: number, k: number, v: number): void {
    const at = this.base(k) + p * LANES;
    this.data[at] = v;
    this.data[at + this.R * LANES] = v;
  }

  get(p: number, k: number): number {
    return this.data[this.base(k) + p * LANES];
  }
}

export class FitPointHistory {
  /** Rows (steps) appended. */
  rows = 0;
  /** Step of row 0 (−1 before the first row). */
  firstStep = -1;
  readonly arena = new PointArena();
  private readonly dom: DomainPoints[] = [];
  /** Sum of every count in rows before the next one. */
  private cum = 0;
  private readonly o: FitPointOptions;
  /** Ring rows: a full window, and at least the 5 rows below which nothing is smoothed. */
  private readonly R: number;
  private readonly kernel: SavitzkyGolayKernel;
  private readonly half: number;
  private readonly rings: LossRings;
  private windowScratch: Float64Array | undefined;

  constructor(domains: number, options: FitPointOptions) {
    this.o = options;
    this.R = Math.max(options.window, 5);
    this.rings = new LossRings(this.R, domains);
    this.kernel = savitzkyGolayKernel(options.window, options.order);
    this.half = this.kernel.half;
    for (let k = 0; k < domains; k++) this.addDomain();
  }

  get domains(): number {
    return this.dom.length;
  }

  get shared(): boolean {
    return this.arena.shared;
  }

  /** The row each domain joined at. */
  get firstRow(): number[] {
    return this.dom.map((d) => d.first);
  }

  /** Bytes this history holds (arenas, rings, pending points). */
  get bytes(): number {
    let b = this.arena.bytes;
    b += this.rings.data.byteLength;
    for (const d of this.dom) b += d.pendRow.byteLength + d.pendN.byteLength + 8 * d.chunks.length;
    return b;
  }

  /** Every count so far, each domain's own, and each domain's base (every count before it joined). */
  counts(): { all: number; own: number[]; base: number[] } {
    return { all: this.cum, own: this.dom.map((d) => d.own), base: this.dom.map((d) => d.cumFirst) };
  }

  /** Frozen points of domain k (thinning included). */
  frozenPoints(k: number): number {
    return this.dom[k].length;
  }

  /** Adds a domain whose history starts at the next row. */
  addDomain(): void {
    const pend = Math.ceil(this.R / this.o.subsample) + 2;
    this.dom.push(new DomainPoints(this.rows, this.cum, pend, this.o.ignoreSteps));
    this.rings.ensure(this.dom.length);
  }

  /**
   * Appends one step (`loss` NaN or anything where count is 0). No allocation except a
   * new chunk every CHUNK_POINTS points.
   */
  append(step: number, loss: ArrayLike<number>, count: ArrayLike<number>): void {
    const r = this.rows;
    const K = this.dom.length;
    const { R, half } = this;
    const { subsample, countMode, countScale } = this.o;
    let total = 0;
    for (let k = 0; k < K; k++) total += count[k];
    const cumAfter = this.cum + total;
    const p = r % R;
    const { rings } = this;
    const ring = rings.data;
    const slotA = p * LANES;
    const slotB = (p + R) * LANES;
    for (let k = 0; k < K; k++) {
      const d = this.dom[k];
      const c = count[k];
      let v: number;
      if (c > 0) {
        v = loss[k];
        if (!(v > 0) && d.badRow < 0) {
          d.badRow = r;
          d.badLoss = v;
        }
        if (d.firstObserved < 0) {
          d.firstObserved = r;
          if (d.blocked) this.unblock(d, k, v, r);
        }
      } else if (r === d.first) {
        v = batchMean(loss, count, K);
        d.blocked = Number.isNaN(v);
      } else v = d.prev;
      d.prev = v;
      const at = rings.base(k);
      ring[at + slotA] = v;
      ring[at + slotB] = v;
      d.own += c;
      if (r === d.nextKept) {
        d.nextKept += subsample;
        const n = (countMode === 'same-step' ? cumAfter - d.cumFirst : d.own) / countScale;
        if (n > 0) pushPending(d, r - d.first, n);
        else d.zeroN++;
      }
      // freezeReady's test, inline: a full window (M ≥ R) that has passed the oldest pending row
      const M = r - d.first + 1;
      if (M >= R && d.headRow + half <= M - 1 && !d.blocked) this.freezeReady(d, k, M);
    }
    this.cum = cumAfter;
    if (r === 0) this.firstStep = step;
    this.rows = r + 1;
  }

  /**
   * What a refit of `domains` over the rows so far fits, per domain: the frozen points
   * (chunks, count), the tail smoothed now, or the reason it cannot be fitted (fitDomains'
   * reasons, in its order).
   */
  prepare(domains: readonly number[]): RefitDomainJob[] {
    return domains.map((k) => this.prepareDomain(k));
  }

  private prepareDomain(k: number): RefitDomainJob {
    const d = this.dom[k];
    const T = this.rows;
    const M = T - d.first;
    const P = d.length + d.pendLen;
    const job: RefitDomainJob = { domain: k, points: 0, chunks: [], frozen: 0, generation: d.generation, tailN: [], tailLoss: [] };
    if (d.badRow >= 0) return { ...job, reason: badLossReason(k, d.badRow, d.badLoss) };
    if (d.firstObserved < 0) return { ...job, reason: noObservedLossReason(k, d.first, T) };
    if (P < this.o.minPoints) return { ...job, points: P, reason: tooFewPointsReason(P, this.o, M, d.first, d.zeroN) };
    if (d.firstBadRow >= 0) return { ...job, points: P, reason: nonPositiveSmoothedReason(d.firstBadRow, d.firstBadValue) };
    // Pending points lie within half a window of the end: with a full window they all read
    // the last one, copied out of the ring once (the same products, in the same order).
    const last = M >= this.R && d.pendLen > 0 ? this.lastWindow(d, k, M) : undefined;
    const W = this.kernel.window;
    for (let i = 0; i < d.pendLen; i++) {
      const at = (d.pendHead + i) % d.pendRow.length;
      const j = d.pendRow[at];
      const v = last !== undefined && j >= M - this.half ? smoothedAt(this.kernel, last, W - M, M, j) : this.smoothed(d, k, j, M);
      if (!(v > 0) || !Number.isFinite(v)) return { ...job, points: P, reason: nonPositiveSmoothedReason(d.first + j, v) };
      job.tailN.push(d.pendN[at]);
      job.tailLoss.push(v);
    }
    job.points = P;
    job.frozen = d.length;
    job.chunks = d.chunks.slice(0, Math.ceil(d.length / CHUNK_POINTS));
    return job;
  }

  /**
   * The smoothed loss at row j (relative to the domain's first row) of a series of M rows,
   * as fitDomains computes it: the window fitDomains uses, read from the ring.
   */
  private smoothed(d: DomainPoints, k: number, j: number, M: number): number {
    const R = this.R;
    const w = M >= R ? this.kernel.window : effectiveWindow(M, this.o.window, this.o.order);
    if (w === 0) return this.rings.get((d.first + j) % R, k);
    const kernel = w === this.kernel.window ? this.kernel : savitzkyGolayKernel(w, this.o.order);
    const { half } = kernel;
    const start = j < half ? 0 : j >= M - half ? M - w : j - half;
    return smoothedAtColumn(kernel, this.rings.data, ((d.first + start) % R) - start, LANES, this.rings.base(k), M, j);
  }

  /** Domain k's last `window` imputed losses (rows M − window … M − 1 since it joined), in scratch. */
  private lastWindow(d: DomainPoints, k: number, M: number): Float64Array {
    const W = this.kernel.window;
    const out = (this.windowScratch ??= new Float64Array(W));
    const base = this.rings.base(k) + ((d.first + M - W) % this.R) * LANES;
    for (let i = 0; i < W; i++) out[i] = this.rings.data[base + i * LANES];
    return out;
  }

  /** Freezes the pending points whose window is complete (M ≥ R rows: the final window). */
  private freezeReady(d: DomainPoints, k: number, M: number): void {
    if (M < this.R) return;
    const cap = d.pendRow.length;
    while (d.pendLen > 0 && d.pendRow[d.pendHead] + this.half <= M - 1) {
      const j = d.pendRow[d.pendHead];
      this.storeFrozen(d, d.pendN[d.pendHead], this.smoothed(d, k, j, M), d.first + j);
      d.pendHead = (d.pendHead + 1) % cap;
      d.pendLen--;
    }
    d.headRow = d.pendLen > 0 ? d.pendRow[d.pendHead] : Infinity;
  }

  /**
   * The first loss of a domain whose earlier rows had no value: every row before it takes
   * it (fitDomains' back-fill), so every window ending by now holds that one value.
   */
  private unblock(d: DomainPoints, k: number, v: number, r: number): void {
    d.blocked = false;
    const R = this.R;
    for (let row = Math.max(d.first, r - R + 1); row < r; row++) this.rings.set(row % R, k, v);
  }

  private storeFrozen(d: DomainPoints, n: number, v: number, row: number): void {
    const thin = this.o.maxPoints > 0;
    let ln = 0;
    if (thin) {
      ln = Math.log(n);
      if (d.length > 0 && ln < d.lastLogN + d.spacing) return;
    }
    if (!(v > 0 && Number.isFinite(v)) && d.firstBadRow < 0) {
      d.firstBadRow = row;
      d.firstBadValue = v;
    }
    writePoint(this.arena, d, n, v);
    if (thin) {
      d.lastLogN = ln;
      if (d.length >= this.o.maxPoints) this.thin(d);
    }
  }

  /** Re-thins domain d's frozen points into new chunks (see the file's comment). */
  private thin(d: DomainPoints): void {
    const { n, loss } = gatherPoints(this.arena.views, d.chunks, d.length, [], []);
    const range = Math.log(n[n.length - 1]) - Math.log(n[0]);
    d.spacing = Math.max(2 * d.spacing, range / (this.o.maxPoints / 2), 1e-12);
    // A non-positive point refuses the domain for good (firstBadRow), kept or not.
    d.chunks = [];
    d.length = 0;
    d.generation++;
    let last = -Infinity;
    for (let i = 0; i < n.length; i++) {
      const ln = Math.log(n[i]);
      if (i > 0 && ln < last + d.spacing) continue;
      writePoint(this.arena, d, n[i], loss[i]);
      last = ln;
    }
    d.lastLogN = last;
  }
  /** Snapshot form (restored exactly by fromJSON). */
  toJSON(): FitPointsJson {
    const views = this.arena.views;
    return {
      rows: this.rows,
      firstStep: this.firstStep,
      cum: this.cum,
      domains: this.dom.map((d, k) => {
        const { n, loss } = gatherPoints(views, d.chunks, d.length, [], []);
        const cap = d.pendRow.length;
        const pend = Array.from({ length: d.pendLen }, (_, i) => (d.pendHead + i) % cap);
        const kept = Math.min(this.rows - d.first, this.R);
        const ring = Array.from({ length: kept }, (_, i) => nullable(this.rings.get((this.rows - kept + i) % this.R, k)));
        return {
          first: d.first,
          cumFirst: d.cumFirst,
          own: d.own,
          firstObserved: d.firstObserved,
          blocked: d.blocked,
          prev: nullable(d.prev),
          badRow: d.badRow,
          badLoss: d.badLoss,
          zeroN: d.zeroN,
          nextKept: d.nextKept,
          pendRow: pend.map((i) => d.pendRow[i]),
          pendN: pend.map((i) => d.pendN[i]),
          n: Array.from(n),
          loss: Array.from(loss),
          firstBadRow: d.firstBadRow,
          firstBadValue: d.firstBadValue,
          spacing: d.spacing,
          lastLogN: nullable(d.lastLogN),
          generation: d.generation,
          ring,
        };
      }),
    };
  }

  /** Rebuilds a history from toJSON() output for `domains`, checking every field (throws naming it, after `where`). */
  static fromJSON(json: unknown, domains: readonly string[], options: FitPointOptions, where: string): FitPointHistory {
    const c = new JsonCheck(where, 'points');
    const o = c.object(json, '', ['rows', 'firstStep', 'cum', 'domains']);
    const rows = c.int(o.rows, 'rows', 0);
    const h = new FitPointHistory(0, options);
    h.rows = rows;
    h.firstStep = c.int(o.firstStep, 'firstStep', -1);
    if ((rows > 0) !== (h.firstStep >= 0)) c.fail('firstStep', rows > 0 ? 'an integer ≥ 0' : '-1 (no rows)', h.firstStep);
    h.cum = c.int(o.cum, 'cum', 0);
    const list = o.domains;
    if (!Array.isArray(list) || list.length !== domains.length) c.fail('domains', `an array of ${domains.length} domain states`, list);
    h.rings.ensure(domains.length);
    (list as unknown[]).forEach((entry, k) => {
      const f = `domains[${k}]`;
      const e = c.object(entry, f, DOMAIN_KEYS);
      const first = c.int(e.first, `${f}.first`, 0, rows);
      const d = new DomainPoints(first, c.int(e.cumFirst, `${f}.cumFirst`, 0, h.cum), Math.ceil(h.R / options.subsample) + 2, options.ignoreSteps);
      d.own = c.int(e.own, `${f}.own`, 0, h.cum);
      d.firstObserved = c.int(e.firstObserved, `${f}.firstObserved`, -1, rows - 1);
      d.blocked = c.bool(e.blocked, `${f}.blocked`);
      d.prev = unnull(c.numOrNull(e.prev, `${f}.prev`), NaN);
      d.badRow = c.int(e.badRow, `${f}.badRow`, -1, rows - 1);
      d.badLoss = c.num(e.badLoss, `${f}.badLoss`);
      d.zeroN = c.int(e.zeroN, `${f}.zeroN`, 0);
      d.nextKept = c.int(e.nextKept, `${f}.nextKept`, first);
      const pendRow = c.nums(e.pendRow, `${f}.pendRow`);
      const pendN = c.nums(e.pendN, `${f}.pendN`, pendRow.length);
      for (let i = 0; i < pendRow.length; i++) pushPending(d, c.int(pendRow[i], `${f}.pendRow[${i}]`, 0, rows - first - 1), pendN[i]);
      const n = c.nums(e.n, `${f}.n`);
      const loss = c.nums(e.loss, `${f}.loss`, n.length);
      for (let i = 0; i < n.length; i++) writePoint(h.arena, d, n[i], loss[i]);
      d.firstBadRow = c.int(e.firstBadRow, `${f}.firstBadRow`, -1, rows - 1);
      d.firstBadValue = c.num(e.firstBadValue, `${f}.firstBadValue`);
      d.spacing = c.num(e.spacing, `${f}.spacing`);
      d.lastLogN = unnull(c.numOrNull(e.lastLogN, `${f}.lastLogN`), -Infinity);
      d.generation = c.int(e.generation, `${f}.generation`, 0);
      const kept = Math.min(rows - first, h.R);
      const ring = e.ring;
      if (!Array.isArray(ring) || ring.length !== kept) c.fail(`${f}.ring`, `an array of ${kept} losses (the last rows of domain "${domains[k]}")`, ring);
      (ring as unknown[]).forEach((x, i) => {
        const v = unnull(c.numOrNull(x, `${f}.ring[${i}]`), NaN);
        h.rings.set((rows - kept + i) % h.R, k, v);
      });
      h.dom.push(d);
    });
    return h;
  }

  /** A prepared job in a snapshot (see RefitDomainJobJson). */
  jobToJSON(job: RefitDomainJob): RefitDomainJobJson {
    const { chunks: _c, ...rest } = job;
    if (job.reason !== undefined || job.generation === this.dom[job.domain].generation) return rest;
    const { n, loss } = gatherPoints(this.arena.views, job.chunks, job.frozen, [], []);
    return { ...rest, n: Array.from(n), loss: Array.from(loss) };
  }

  /** A job from jobToJSON() (its fields named `<field>.…`), its chunks found again or written anew where the points were given. */
  jobFromJSON(json: unknown, where: string, field: string): RefitDomainJob {
    const c = new JsonCheck(where, field);
    const o = c.object(json, '', JOB_KEYS);
    const domain = c.int(o.domain, 'domain', 0, this.dom.length - 1);
    const d = this.dom[domain];
    const reason = o.reason === undefined ? undefined : c.str(o.reason, 'reason');
    const frozen = c.int(o.frozen, 'frozen', 0);
    const job: RefitDomainJob = {
      domain,
      points: c.int(o.points, 'points', 0),
      chunks: [],
      frozen,
      generation: c.int(o.generation, 'generation', 0, d.generation),
      tailN: c.nums(o.tailN, 'tailN'),
      tailLoss: [],
    };
    job.tailLoss = c.nums(o.tailLoss, 'tailLoss', job.tailN.length);
    if (reason !== undefined) return { ...job, reason };
    if (o.warmStart !== undefined) job.warmStart = c.nums(o.warmStart, 'warmStart', 3) as [number, number, number];
    if (o.verify !== undefined) job.verify = c.bool(o.verify, 'verify');
    if (o.n === undefined) {
      if (job.generation !== d.generation || frozen > d.length) c.fail('frozen', `≤ ${d.length} (the points domain ${domain} holds)`, frozen);
      job.chunks = d.chunks.slice(0, Math.ceil(frozen / CHUNK_POINTS));
      return job;
    }
    const n = c.nums(o.n, 'n', frozen);
    const loss = c.nums(o.loss, 'loss', frozen);
    const copy = new DomainPoints(0, 0, 1, 0);
    for (let i = 0; i < frozen; i++) writePoint(this.arena, copy, n[i], loss[i]);
    job.chunks = copy.chunks;
    return job;
  }
}

/** Field checks for fromJSON: each failure names `where: field "<prefix>.<field>"`. */
class JsonCheck {
  constructor(
    private readonly where: string,
    private readonly prefix: string,
  ) {}

  fail(field: string, expected: string, got: unknown): never {
    const name = [this.prefix, field].filter((x) => x !== '').join('.');
    const shown = typeof got === 'string' ? JSON.stringify(got) : Array.isArray(got) ? `an array of ${got.length}` : String(got);
    throw new Error(`${this.where}: field "${name}" must be ${expected}, got ${shown}`);
  }

  /** An object with only the `keys` given (when given). */
  object(v: unknown, field: string, keys?: readonly string[]): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(field, 'an object', v);
    const extra = keys === undefined ? undefined : Object.keys(v as object).find((k) => !keys.includes(k));
    if (extra !== undefined) {
      const name = [this.prefix, field, extra].filter((x) => x !== '').join('.');
      throw new Error(`${this.where}: unknown field "${name}"`);
    }
    return v as Record<string, unknown>;
  }

  int(v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) {
      this.fail(field, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`, v);
    }
    return v as number;
  }

  num(v: unknown, field: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(field, 'a finite number', v);
    return v as number;
  }

  numOrNull(v: unknown, field: string): number | null {
    return v === null ? null : this.num(v, field);
  }

  bool(v: unknown, field: string): boolean {
    if (typeof v !== 'boolean') this.fail(field, 'a boolean', v);
    return v as boolean;
  }

  str(v: unknown, field: string): string {
    if (typeof v !== 'string') this.fail(field, 'a string', v);
    return v as string;
  }

  /** An array of finite numbers (of `length` entries when given). */
  nums(v: unknown, field: string, length?: number): number[] {
    const what = length === undefined ? 'an array of finite numbers' : `an array of ${length} finite numbers`;
    if (!Array.isArray(v) || (length !== undefined && v.length !== length)) this.fail(field, what, v);
    const a = v as unknown[];
    for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number' || !Number.isFinite(a[i])) this.fail(`${field}[${i}]`, 'a finite number', a[i]);
    return a as number[];
  }
}

function writePoint(arena: PointArena, d: DomainPoints, n: number, v: number): void {
  const i = d.length % CHUNK_POINTS;
  if (i === 0) d.chunks.push(arena.allocate());
  const c = d.chunks[d.chunks.length - 1];
  const o = chunkOffset(c) + 2 * i;
  const view = arena.view(c);
  view[o] = n;
  view[o + 1] = v;
  d.length++;
}

function pushPending(d: DomainPoints, j: number, n: number): void {
  let cap = d.pendRow.length;
  if (d.pendLen === cap) {
    // Only a domain still waiting for its first value gets here: grow (rare).
    const rows = new Float64Array(2 * cap);
    const ns = new Float64Array(2 * cap);
    for (let i = 0; i < cap; i++) {
      rows[i] = d.pendRow[(d.pendHead + i) % cap];
      ns[i] = d.pendN[(d.pendHead + i) % cap];
    }
    d.pendRow = rows;
    d.pendN = ns;
    d.pendHead = 0;
    cap *= 2;
  }
  const at = (d.pendHead + d.pendLen) % cap;
  d.pendRow[at] = j;
  d.pendN[at] = n;
  if (d.pendLen++ === 0) d.headRow = j;
}

/** fitDomains' batch mean: the count-weighted mean of the positive losses present. */
function batchMean(loss: ArrayLike<number>, count: ArrayLike<number>, K: number): number {
  let s = 0;
  let w = 0;
  for (let j = 0; j < K; j++) {
    const c = count[j];
    const l = loss[j];
    if (c > 0 && l > 0 && Number.isFinite(l)) {
      s += c * l;
      w += c;
    }
  }
  return w > 0 ? s / w : NaN;
}

/** One domain's state in a snapshot (numbers as they are; NaN and −∞ as null). */
export interface DomainPointsJson {
  first: number;
  cumFirst: number;
  own: number;
  firstObserved: number;
  blocked: boolean;
  prev: number | null;
  badRow: number;
  badLoss: number;
  zeroN: number;
  nextKept: number;
  pendRow: number[];
  pendN: number[];
  n: number[];
  loss: number[];
  firstBadRow: number;
  firstBadValue: number;
  spacing: number;
  lastLogN: number | null;
  generation: number;
  /** Imputed loss of the domain's last min(rows since it joined, ring size) rows, oldest first. */
  ring: (number | null)[];
}

export interface FitPointsJson {
  rows: number;
  firstStep: number;
  cum: number;
  domains: DomainPointsJson[];
}

/** A refit in flight in a snapshot: its jobs, the frozen points given again only where thinning has moved them since. */
export interface RefitDomainJobJson {
  domain: number;
  reason?: string;
  points: number;
  frozen: number;
  generation: number;
  tailN: number[];
  tailLoss: number[];
  warmStart?: [number, number, number];
  verify?: boolean;
  n?: number[];
  loss?: number[];
}

const nullable = (x: number): number | null => (Number.isNaN(x) || x === -Infinity ? null : x);
const DOMAIN_KEYS: readonly (keyof DomainPointsJson)[] = [
  'first', 'cumFirst', 'own', 'firstObserved', 'blocked', 'prev', 'badRow', 'badLoss', 'zeroN', 'nextKept',
  'pendRow', 'pendN', 'n', 'loss', 'firstBadRow', 'firstBadValue', 'spacing', 'lastLogN', 'generation', 'ring',
];
const JOB_KEYS: readonly (keyof RefitDomainJobJson)[] = ['domain', 'reason', 'points', 'frozen', 'generation', 'tailN', 'tailLoss', 'warmStart', 'verify', 'n', 'loss'];
const unnull = (x: number | null, empty: number): number => (x === null ? empty : x);
