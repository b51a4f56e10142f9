/**
 * One rank's report, checked against its run: a step and a rank in range, one count (and
 * loss) per domain, counts that are integers ≥ 0 and not all 0, sums (or means) finite
 * and ≥ 0 where the count is positive. Throws a 400 ServeError naming the field and domain.
 */
import type { RankReportBody } from '../client/index.js';
import { ServeError } from './errors.js';
import type { RankReport } from './stepAssembler.js';

/** A rank's report as the API takes it (what the clients send): per-domain loss sums, or means, and counts. */
export type ReportInput = RankReportBody;

export interface ReportContext {
  id: string;
  ranks: number;
  domains: readonly string[];
  /** The fewest entries a report of this step may have (domains added after its weights were served may be left out). */
  least: number;
}

export function checkReport(input: ReportInput, run: ReportContext): RankReport {
  const { step, rank, count } = input;
  if (!Number.isInteger(step) || step < 0) throw new ServeError(400, `body/step must be an integer ≥ 0, got ${JSON.stringify(step)}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= run.ranks)
    throw new ServeError(400, `body/rank must be an integer in [0, ${run.ranks - 1}] (run ${run.id} has ${run.ranks} rank${run.ranks === 1 ? '' : 's'}), got ${JSON.stringify(rank)}`);
  const sums = input.lossSum;
  const means = input.loss;
  if ((sums === undefined) === (means === undefined)) throw new ServeError(400, 'body must have exactly one of lossSum (per-domain sums) and loss (per-domain means)');
  const field = sums !== undefined ? 'lossSum' : 'loss';
  const values = (sums ?? means)!;
  const K = run.domains.length;
  const least = run.least;
  if (count?.length === undefined || count.length < least || count.length > K)
    throw new ServeError(400, `body/count must have ${least === K ? K : `${least} to ${K}`} entries (one per domain: ${run.domains.join(', ')}), got ${count?.length ?? typeof count}`);
  if (values.length !== count.length) throw new ServeError(400, `body/${field} has ${values.length} entries, body/count has ${count.length}`);
  const n = count.length;
  const maxCount = Math.floor(Number.MAX_SAFE_INTEGER / run.ranks);
  const lossSum = new Float64Array(n);
  const c = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    const ck = count[k];
    if (typeof ck !== 'number' || !Number.isInteger(ck) || ck < 0)
      throw new ServeError(400, `body/count/${k} (domain ${run.domains[k]}) must be an integer ≥ 0, got ${JSON.stringify(ck)}`);
    // The sum over all ranks must stay an exact integer in a double.
    if (ck > maxCount) throw new ServeError(400, `body/count/${k} (domain ${run.domains[k]}) must be at most ${maxCount} (2^53 − 1 over ${run.ranks} ranks), got ${ck}`);
    const v = values[k];
    if (ck === 0) {
      if (v !== null && v !== undefined && !(v === 0 || (sums === undefined && typeof v === 'number' && Number.isFinite(v))))
        throw new ServeError(400, `body/${field}/${k} (domain ${run.domains[k]}) must be null or 0 where the count is 0, got ${JSON.stringify(v)}`);
    } else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ServeError(400, `body/${field}/${k} (domain ${run.domains[k]}) must be a finite number ≥ 0 where the count is ${ck}, got ${JSON.stringify(v)}`);
    } else {
      lossSum[k] = sums !== undefined ? v : v * ck;
      if (!Number.isFinite(lossSum[k])) throw new ServeError(400, `body/loss/${k} (domain ${run.domains[k]}) times its count ${ck} is not a finite number`);
    }
    c[k] = ck;
    total += ck;
  }
  if (!(total > 0)) throw new ServeError(400, `body/count: rank ${rank}'s step ${step} has no examples at all`);
  const basedOn = input.basedOn;
  if (basedOn === undefined) return { step, rank, lossSum, count: c };
  if (!Number.isInteger(basedOn) || basedOn < -1 || basedOn > step - 1)
    throw new ServeError(400, `body/basedOn must be an integer from -1 to ${step - 1} (the weights of step ${step} come from an earlier step), got ${JSON.stringify(basedOn)}`);
  return { step, rank, lossSum, count: c, basedOn };
}
