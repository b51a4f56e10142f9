/**
 * A refit's jobs as one Float64Array for the worker: posting 1,000 job objects cost the
 * training thread ~2 ms of structured cloning at every refit; one typed array is a copy.
 *
 * Per job: domain, points, frozen, chunk count C, tail length T, warm (0 none, 1 verified,
 * 2 unverified), a, e, α (0 without warm), reason index (−1: none, else into `reasons`),
 * then the C chunk ids, the T tail n and the T tail losses. `generation` stays behind: the
 * worker does not read it.
 */
import type { RefitDomainJob } from '../mixing/index.js';

const HEAD = 10;

export interface EncodedJobs {
  values: Float64Array;
  reasons: string[];
}

export function encodeJobs(jobs: readonly RefitDomainJob[]): EncodedJobs {
  let length = 0;
  for (const j of jobs) length += HEAD + j.chunks.length + 2 * j.tailN.length;
  const values = new Float64Array(length);
  const reasons: string[] = [];
  let o = 0;
  for (const j of jobs) {
    const w = j.warmStart;
    values[o] = j.domain;
    values[o + 1] = j.points;
    values[o + 2] = j.frozen;
    values[o + 3] = j.chunks.length;
    values[o + 4] = j.tailN.length;
    values[o + 5] = w === undefined ? 0 : j.verify === false ? 2 : 1;
    if (w !== undefined) [values[o + 6], values[o + 7], values[o + 8]] = w;
    values[o + 9] = j.reason === undefined ? -1 : reasons.push(j.reason) - 1;
    o += HEAD;
    for (const c of j.chunks) values[o++] = c;
    for (const n of j.tailN) values[o++] = n;
    for (const l of j.tailLoss) values[o++] = l;
  }
  return { values, reasons };
}

/** The jobs back (generation 0: the worker does not use it). */
export function decodeJobs({ values, reasons }: EncodedJobs): RefitDomainJob[] {
  const jobs: RefitDomainJob[] = [];
  for (let o = 0; o < values.length; ) {
    const C = values[o + 3];
    const T = values[o + 4];
    const warm = values[o + 5];
    const reason = values[o + 9];
    const job: RefitDomainJob = { domain: values[o], points: values[o + 1], chunks: [], frozen: values[o + 2], generation: 0, tailN: [], tailLoss: [] };
    if (reason >= 0) job.reason = reasons[reason];
    if (warm > 0) job.warmStart = [values[o + 6], values[o + 7], values[o + 8]];
    if (warm === 2) job.verify = false;
    o += HEAD;
    for (let i = 0; i < C; i++) job.chunks.push(values[o++]);
    for (let i = 0; i < T; i++) job.tailN.push(values[o++]);
    for (let i = 0; i < T; i++) job.tailLoss.push(values[o++]);
    jobs.push(job);
  }
  return jobs;
}
