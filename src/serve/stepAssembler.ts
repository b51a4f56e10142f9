/**
 * Data-parallel steps, assembled: each of a run's R ranks reports its part of step t
 * (per-domain loss sums and example counts), and step t is complete once all R have. The
 * step is then the sum over ranks, added in rank order, so the result is the same double
 * whatever order the reports arrived in:
 *
 *   count_k = Σ_r count_{r,k},   loss_k = (Σ_r lossSum_{r,k}) / count_k   (NaN where count_k = 0)
 *
 * Reports are idempotent by (step, rank): the same report again is a duplicate, a different
 * one for the same (step, rank) is a conflict. Pure: no I/O, no clock (callers pass `now`).
 */
import { ServeError } from './errors.js';

/** One rank's part of one step, as checked at the edge. */
export interface RankReport {
  step: number;
  rank: number;
  /** Σ of the per-example losses of each domain in this rank's batch (0 where count is 0). */
  lossSum: Float64Array;
  /** Examples (or tokens) of each domain in this rank's batch. */
  count: Float64Array;
  /** The step whose policy output the rank's batch was drawn with, when it says (−1: the initial mixture). */
  basedOn?: number;
}

/** A complete step: the sums over ranks, as a policy observes it. */
export interface AssembledStep {
  step: number;
  loss: Float64Array;
  count: Float64Array;
  /** The ranks' reports, in rank order. */
  reports: RankReport[];
}

interface PendingStep {
  reports: (RankReport | undefined)[];
  received: number;
  /** When its first report arrived (ms, the caller's clock). */
  firstAt: number;
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** FNV-1a over the bits of a report's counts and sums: what a resent report is checked against once its step is applied. */
function digest(r: RankReport): number {
  let h = 0x811c9dc5;
  const mix = (x: number): void => {
    bits[0] = x;
    h = Math.imul(h ^ words[0], 0x01000193);
    h = Math.imul(h ^ words[1], 0x01000193);
  };
  for (let k = 0; k < r.count.length; k++) {
    mix(r.count[k]);
    mix(r.lossSum[k]);
  }
  mix(r.basedOn ?? -2);
  return h >>> 0;
}

/** Applied steps whose reports' digests are kept, so a different "retry" of a recent step is caught. */
const DIGESTS_KEPT = 256;

function sameReport(a: RankReport, b: RankReport): boolean {
  if (a.count.length !== b.count.length || a.basedOn !== b.basedOn) return false;
  for (let k = 0; k < a.count.length; k++) {
    if (a.count[k] !== b.count[k] || a.lossSum[k] !== b.lossSum[k]) return false;
  }
  return true;
}

export class StepAssembler {
  private readonly pending = new Map<number, PendingStep>();
  private readonly applied = new Map<number, Uint32Array>();
  /** The last step each rank reported (−1: none yet). */
  readonly lastReported: Int32Array;

  constructor(readonly ranks: number) {
    this.lastReported = new Int32Array(ranks).fill(-1);
  }

  /**
   * Adds one report for a step not yet applied. Returns `duplicate` when this exact report
   * was already received; throws a 409 ServeError when (step, rank) already holds a different one.
   */
  add(report: RankReport, now: number): 'accepted' | 'duplicate' {
    let p = this.pending.get(report.step);
    if (p === undefined) {
      p = { reports: new Array<RankReport | undefined>(this.ranks), received: 0, firstAt: now };
      this.pending.set(report.step, p);
    }
    const before = p.reports[report.rank];
    if (before !== undefined) {
      if (sameReport(before, report)) return 'duplicate';
      throw new ServeError(409, `rank ${report.rank} already reported step ${report.step} with different values (a retry must resend the same report)`);
    }
    p.reports[report.rank] = report;
    p.received++;
    if (report.step > this.lastReported[report.rank]) this.lastReported[report.rank] = report.step;
    return 'accepted';
  }

  /**
   * A report of a step already applied: a duplicate, or a 409 when it differs from what was
   * applied (checked for the last 256 applied steps; older ones, and those applied before a
   * restart's checkpoint, are taken as duplicates unchecked).
   */
  resent(report: RankReport): 'duplicate' {
    const d = this.applied.get(report.step);
    if (d !== undefined && d[report.rank] !== digest(report))
      throw new ServeError(409, `rank ${report.rank} already reported step ${report.step} with different values (a retry must resend the same report; the step is applied)`);
    return 'duplicate';
  }

  /** True when every rank has reported `step`. */
  isComplete(step: number): boolean {
    return this.pending.get(step)?.received === this.ranks;
  }

  /**
   * Removes a complete step and returns its sums over `K` domains (a rank's shorter report,
   * made before a domain was added, counts 0 for the domains it lacks).
   */
  take(step: number, K: number): AssembledStep {
    const p = this.pending.get(step);
    if (p === undefined || p.received !== this.ranks) throw new Error(`step ${step} is not complete`);
    this.pending.delete(step);
    const digests = new Uint32Array(this.ranks);
    (p.reports as RankReport[]).forEach((r, rank) => (digests[rank] = digest(r)));
    this.applied.set(step, digests);
    this.applied.delete(step - DIGESTS_KEPT);
    const lossSum = new Float64Array(K);
    const count = new Float64Array(K);
    for (const r of p.reports as RankReport[]) {
      for (let k = 0; k < r.count.length; k++) {
        lossSum[k] += r.lossSum[k];
        count[k] += r.count[k];
      }
    }
    const loss = new Float64Array(K);
    for (let k = 0; k < K; k++) loss[k] = count[k] > 0 ? lossSum[k] / count[k] : NaN;
    return { step, loss, count, reports: p.reports as RankReport[] };
  }

  /** The ranks that have not reported `step` yet, and since when the step has waited for them. */
  missing(step: number): { ranks: number[]; firstAt: number | undefined } {
    const p = this.pending.get(step);
    const ranks: number[] = [];
    for (let r = 0; r < this.ranks; r++) if (p?.reports[r] === undefined) ranks.push(r);
    return { ranks, firstAt: p?.firstAt };
  }

  /** Steps with at least one report, in no particular order. */
  pendingSteps(): number[] {
    return [...this.pending.keys()];
  }

  /** Every report still held, in step then rank order (what a journal must keep). */
  *reports(): Generator<RankReport> {
    for (const step of this.pendingSteps().sort((a, b) => a - b)) {
      for (const r of this.pending.get(step)!.reports) if (r !== undefined) yield r;
    }
  }
}
