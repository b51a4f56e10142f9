/**
 * StepLog → the per-domain history the fitting engine takes (`fitDomains`):
 * `loss[k][t]` and `count[k][t]` as Float64Arrays over t = 0 … steps−1. In a dense log index
 * t is global step `startStep + t`, and steps missing from the log (bad lines skipped with
 * `skipBad`) become absent steps for every domain: loss NaN, count 0. In a sparse log
 * (`"sparse": true`) index t is the t-th record, one evaluation, and `stepAt[t]` is its
 * training step. null losses become NaN.
 */
import type { StepLog, StepRecord } from './types.js';

/** Structurally the `DomainHistory` of src/curves, plus where it starts. */
export interface StepLogHistory {
  /** Number of rows t = 0 … steps−1 (steps of a dense log, records of a sparse one). */
  steps: number;
  /** loss[k][t]: mean loss of domain k at row t; NaN where absent. */
  loss: Float64Array[];
  /** count[k][t]: examples (or tokens) of domain k at that row; 0 where absent. */
  count: Float64Array[];
  /** Global step number of index 0. */
  startStep: number;
  /** Sparse logs only: the training step of each row. */
  stepAt?: Float64Array;
}

/** Builds a StepLogHistory one record at a time (for streamed logs); arrays grow by doubling. */
export class DomainHistoryBuilder {
  private loss: Float64Array[];
  private count: Float64Array[];
  private stepAt: Float64Array | undefined;
  private capacity: number;
  private length = 0;
  private startStep = -1;
  private lastStep = -1;

  /** `sparse`: one row per record (a sparse log), instead of one row per step. */
  constructor(
    readonly domainCount: number,
    expectedSteps = 1024,
    readonly options: { sparse?: boolean } = {},
  ) {
    this.capacity = Math.max(16, expectedSteps);
    this.loss = Array.from({ length: domainCount }, () => new Float64Array(this.capacity).fill(NaN));
    this.count = Array.from({ length: domainCount }, () => new Float64Array(this.capacity));
    if (options.sparse === true) this.stepAt = new Float64Array(this.capacity);
  }

  /** Add a record; its step must come after the previous one (in a dense log, gaps become absent steps). */
  add(record: StepRecord): void {
    if (this.startStep < 0) this.startStep = record.step;
    if (this.length > 0 && record.step <= this.lastStep)
      throw new Error(`step ${record.step} comes after step ${this.lastStep}: records must be in step order`);
    const t = this.stepAt !== undefined ? this.length : record.step - this.startStep;
    if (t >= this.capacity) this.grow(Math.max(t + 1, this.capacity * 2));
    const K = this.domainCount;
    for (let k = 0; k < K; k++) {
      const l = record.loss[k];
      this.loss[k][t] = l === null ? NaN : l;
      this.count[k][t] = record.count[k];
    }
    if (this.stepAt !== undefined) this.stepAt[t] = record.step;
    this.length = t + 1;
    this.lastStep = record.step;
  }

  private grow(capacity: number): void {
    const larger = (a: Float64Array, fill: number): Float64Array => {
      const out = new Float64Array(capacity).fill(fill);
      out.set(a);
      return out;
    };
    for (let k = 0; k < this.domainCount; k++) {
      this.loss[k] = larger(this.loss[k], NaN);
      this.count[k] = larger(this.count[k], 0);
    }
    if (this.stepAt !== undefined) this.stepAt = larger(this.stepAt, 0);
    this.capacity = capacity;
  }

  /** The history so far (views trimmed to the rows seen). */
  build(): StepLogHistory {
    const n = this.length;
    const history: StepLogHistory = {
      steps: n,
      loss: this.loss.map((a) => a.subarray(0, n)),
      count: this.count.map((a) => a.subarray(0, n)),
      startStep: Math.max(0, this.startStep),
    };
    if (this.stepAt !== undefined) history.stepAt = this.stepAt.subarray(0, n);
    return history;
  }
}

/** Convert a read step log into Float64Array histories for `fitDomains`. */
export function toDomainHistory(log: Pick<StepLog, 'header' | 'records'>): StepLogHistory {
  const { records } = log;
  const sparse = log.header.sparse === true;
  const span = records.length === 0 ? 0 : sparse ? records.length : records[records.length - 1].step - records[0].step + 1;
  const builder = new DomainHistoryBuilder(log.header.domains.length, span, { sparse });
  for (const r of records) builder.add(r);
  return builder.build();
}
