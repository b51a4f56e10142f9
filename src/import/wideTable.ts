/**
 * The wide form every foreign log is read into before it becomes a step log: one row per
 * logged training step, one loss series per domain (NaN where not measured at that row),
 * and optionally per-domain counts or a cumulative token counter. `wideTableToStepLog`
 * attaches counts and decides between a dense and a sparse step log.
 *
 * Counts. Every row adds what was trained since the previous row to each domain's pending
 * count; a row where the domain has a loss turns its pending count into that record's
 * count (a domain not measured at a row just keeps accumulating, so an evaluation every
 * 200 steps carries 200 steps of examples):
 *
 * - count columns / tags: the row's own count per domain (examples since the previous row);
 * - `batch` B with static weights w: B·w_k per step, and a row at step s covers s − s_prev
 *   steps (the first row covers s steps, one when s is 0);
 * - a tokens column T (cumulative, all domains): (T − T_prev)·w_k (the first row: T itself).
 *
 * Static-weight counts are fractional; each domain's cumulative count is rounded (so
 * cumulative counts stay exact to ±0.5 and the per-record counts are whole). A loss at a row
 * whose rounded count is 0 cannot be a step-log point (count 0 means absent): it is dropped
 * and counted, and its examples go to the next measurement.
 *
 * Dense or sparse. When the measured rows' steps mostly follow one another (median gap 1),
 * the log is dense: one record per step from the first to the last measured step, steps
 * without a row being absent records. Otherwise it is sparse (`"sparse": true`): one record
 * per measured row, at its training step.
 */
import { STEPLOG_FORMAT, checkStepRecord, type StepLog, type StepLogUnit, type StepRecord } from '../runlog/index.js';

export interface WideTable {
  /** The file or directory read. */
  source: string;
  /** Domain names, in the order of their columns or tags. */
  domains: string[];
  /** The training step of each row: non-negative integers, strictly increasing. */
  step: Float64Array;
  /** loss[k][i]: domain k's loss at row i (finite, ≥ 0), NaN where not measured. */
  loss: Float64Array[];
  /** count[k][i]: what domain k saw since the previous row (finite, ≥ 0); with count columns or tags only. */
  count?: Float64Array[];
  /** Cumulative tokens (all domains) at row i, NaN where not logged; with a tokens column only. */
  tokens?: Float64Array;
}

/** Where a step log's counts come from. */
export type CountSource =
  | { kind: 'columns'; unit: StepLogUnit }
  | { kind: 'batch'; batch: number; weights: Float64Array; unit: StepLogUnit }
  | { kind: 'tokens'; weights: Float64Array };

export interface WideConversion {
  log: StepLog;
  sparse: boolean;
  /** Rows of the table that had at least one loss. */
  measuredRows: number;
  /** Median step gap between measured rows (1 for a dense log). */
  medianGap: number;
  /** Dense logs: steps between the first and last measured row that had no row (absent records). */
  filledSteps: number;
  /** Losses dropped because their rounded count was 0. */
  droppedLosses: number;
  /** The domain of the first dropped loss (undefined when none). */
  firstDropped?: { domain: string; step: number };
}

/** The median of the gaps between consecutive measured steps (1 when fewer than two). */
function medianGap(steps: readonly number[]): number {
  if (steps.length < 2) return 1;
  const gaps = new Float64Array(steps.length - 1);
  for (let i = 1; i < steps.length; i++) gaps[i - 1] = steps[i] - steps[i - 1];
  gaps.sort();
  return gaps[(gaps.length - 1) >> 1];
}

/** Per-row additions to each domain's pending count, per the count source. */
function rowIncrements(table: WideTable, source: CountSource): (i: number, k: number) => number {
  if (source.kind === 'columns') {
    const count = table.count;
    if (count === undefined) throw new Error(`${table.source}: no count columns were read`);
    return (i, k) => (Number.isNaN(count[k][i]) ? 0 : count[k][i]);
  }
  if (source.kind === 'batch') {
    const { batch, weights } = source;
    return (i, k) => batch * weights[k] * (i === 0 ? Math.max(1, table.step[0]) : table.step[i] - table.step[i - 1]);
  }
  const tokens = table.tokens;
  if (tokens === undefined) throw new Error(`${table.source}: no tokens column was read`);
  // Each row adds the tokens since the last row that logged them.
  const delta = new Float64Array(tokens.length);
  let last = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (Number.isNaN(tokens[i])) continue;
    delta[i] = tokens[i] - last;
    last = tokens[i];
  }
  const { weights } = source;
  return (i, k) => delta[i] * weights[k];
}

/** The step log of a wide table: counts attached, dense or sparse (see the file comment). */
export function wideTableToStepLog(table: WideTable, source: CountSource): WideConversion {
  const K = table.domains.length;
  const R = table.step.length;
  const measured: number[] = [];
  for (let i = 0; i < R; i++) {
    for (let k = 0; k < K; k++) {
      if (!Number.isNaN(table.loss[k][i])) {
        measured.push(i);
        break;
      }
    }
  }
  if (measured.length === 0) throw new Error(`${table.source}: no row has a loss for any domain (${table.domains.join(', ')})`);
  const gap = medianGap(measured.map((i) => table.step[i]));
  const sparse = gap !== 1;
  const increment = rowIncrements(table, source);
  const weights = source.kind === 'columns' ? undefined : Array.from(source.weights);

  const exact = new Float64Array(K); // cumulative count, as logged or computed
  const emitted = new Float64Array(K); // cumulative count written to records so far
  const records: StepRecord[] = [];
  let droppedLosses = 0;
  let firstDropped: WideConversion['firstDropped'];
  let filledSteps = 0;
  const absent = (step: number): StepRecord => {
    const r: StepRecord = { step, loss: new Array<number | null>(K).fill(null), count: new Array<number>(K).fill(0) };
    if (weights !== undefined) r.weights = weights;
    return r;
  };
  const last = measured[measured.length - 1];
  for (let i = 0; i <= last; i++) {
    for (let k = 0; k < K; k++) exact[k] += increment(i, k);
    let any = false;
    const loss = new Array<number | null>(K).fill(null);
    const count = new Array<number>(K).fill(0);
    for (let k = 0; k < K; k++) {
      const l = table.loss[k][i];
      if (Number.isNaN(l)) continue;
      const c = Math.round(exact[k]) - emitted[k];
      if (c <= 0) {
        droppedLosses++;
        firstDropped ??= { domain: table.domains[k], step: table.step[i] };
        continue;
      }
      loss[k] = l;
      count[k] = c;
      emitted[k] += c;
      any = true;
    }
    if (!any && (sparse || i < measured[0])) continue;
    const step = table.step[i];
    if (!sparse && records.length > 0) {
      for (let s = records[records.length - 1].step + 1; s < step; s++) {
        records.push(absent(s));
        filledSteps++;
      }
    }
    const record: StepRecord = { step, loss, count };
    if (weights !== undefined) record.weights = weights;
    records.push(checkStepRecord(record, table.domains));
  }
  const unit: StepLogUnit = source.kind === 'tokens' ? 'tokens' : source.unit;
  const header: StepLog['header'] = { adomix: STEPLOG_FORMAT, domains: [...table.domains], unit };
  if (weights !== undefined) header.prior = weights;
  if (sparse) header.sparse = true;
  return {
    log: { header, records, skipped: 0, skippedLines: [] },
    sparse,
    measuredRows: measured.length,
    medianGap: gap,
    filledSteps,
    droppedLosses,
    firstDropped,
  };
}
