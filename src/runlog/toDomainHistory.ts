/**
 * StepLog → the per-domain history the fitting engine takes (`fitDomains`):
 * `loss[k][t]` and `count[k][t]` as Float64Arrays over t = 0 … steps−1, where index t is
 * global step `startStep + t`. null losses become NaN. Steps missing from the log (bad
 * lines skipped with `skipBad`) become absent steps for every domain: loss NaN, count 0.
 */
import type { StepLog, StepRecord } from './types.js';

/** Structurally the `DomainHistory` of src/curves, plus where it starts. */
export interface StepLogHistory {
  /** Number of steps t = 0 … steps−1. */
  steps: number;
  /** loss[k][t]: mean loss of domain k at step startStep + t; NaN where absent. */
  loss: Float64Array[];
  /** count[k][t]: examples (or tokens) of domain k at that step; 0 where absent. */
  count: Float64Array[];
  /** Global step number of index 0. */
  startStep: number;
}

/** Builds a StepLogHistory one record at a time (for streamed logs); arrays grow by doubling. */
export class DomainHistoryBuilder {
  private loss: Float64Array[];
  private count: Float64Array[];
  private capacity: number;
  private length = 0;
  private startStep = -1;

  constructor(readonly domainCount: number, expectedSteps = 1024) {
    this.capacity = Math.max(16, expectedSteps);
    this.loss = Array.from({ length: domainCount }, () => new Float64Array(this.capacity).fill(NaN));
    this.count = Array.from({ length: domainCount }, () => new Float64Array(this.capacity));
  }

  /** Add a record; its step must come after the previous one (gaps become absent steps). */
  add(record: StepRecord): void {
    if (this.startStep < 0) this.startStep = record.step;
    const t = record.step - this.startStep;
    if (t < this.length)
      throw new Error(`step ${record.step} comes after step ${this.startStep + this.length - 1}: records must be in step order`);
    if (t >= this.capacity) this.grow(Math.max(t + 1, this.capacity * 2));
    const K = this.domainCount;
    for (let k = 0; k < K; k++) {
      const l = record.loss[k];
      this.loss[k][t] = l === null ? NaN : l;
      this.count[k][t] = record.count[k];
    }
    this.length = t + 1;
  }

  private grow(capacity: number): void {
    for (let k = 0; k < this.domainCount; k++) {
      const loss = new Float64Array(capacity).fill(NaN);
      loss.set(this.loss[k]);
      this.loss[k] = loss;
      const count = new Float64Array(capacity);
      count.set(this.count[k]);
      this.count[k] = count;
    }
    this.capacity = capacity;
  }

  /** The history so far (views trimmed to the steps seen). */
  build(): StepLogHistory {
    const n = this.length;
    return {
      steps: n,
      loss: this.loss.map((a) => a.subarray(0, n)),
      count: this.count.map((a) => a.subarray(0, n)),
      startStep: Math.max(0, this.startStep),
    };
  }
}

/** Convert a read step log into Float64Array histories for `fitDomains`. */
export function toDomainHistory(log: Pick<StepLog, 'header' | 'records'>): StepLogHistory {
  const { records } = log;
  const span = records.length === 0 ? 0 : records[records.length - 1].step - records[0].step + 1;
  const builder = new DomainHistoryBuilder(log.header.domains.length, span);
  for (const r of records) builder.add(r);
  return builder.build();
}
