/**
 * One refit: fit every job's law (its prepared points, see fitPoints.ts) with fitPowerLaw,
 * and report, per domain, finite parameters or why there are none.
 * Pure; runs inline (InlineRefitRunner) or inside a refit worker (src/refit).
 */
import { fitPowerLaw, type FitPowerLawOptions } from '../curves/index.js';
import { gatherPoints } from './pointArena.js';
import type { RefitDomainJob, RefitDomainResult, RefitFitOptions, RefitOutcome, RefitPointSource, RefitRequest, RefitRunner } from './refitTypes.js';

/** `views[a]`: arena a's Float64Array (the arenas the jobs' chunks live in). */
export function computeRefit(jobs: readonly RefitDomainJob[], fit: RefitFitOptions, views: readonly Float64Array[]): RefitOutcome {
  try {
    const options: FitPowerLawOptions = { preset: fit.preset, delta: fit.delta, diagnostics: true };
    const results = jobs.map((job): RefitDomainResult => {
      if (job.reason !== undefined) return { domain: job.domain, ok: false, reason: job.reason, points: job.points };
      const { n, loss } = gatherPoints(views, job.chunks, job.frozen, job.tailN, job.tailLoss);
      try {
        const w = job.warmStart;
        const f = fitPowerLaw(n, loss, w === undefined ? options : { ...options, warmStart: { a: w[0], e: w[1], alpha: w[2] }, verify: job.verify !== false });
        const { a, e, alpha } = f.params;
        if (!Number.isFinite(a) || !Number.isFinite(e) || !Number.isFinite(alpha)) {
          return { domain: job.domain, ok: false, reason: `non-finite parameters (a=${a}, e=${e}, alpha=${alpha})`, points: f.points };
        }
        return { domain: job.domain, ok: true, params: [a, e, alpha], points: f.points, diagnostics: f.diagnostics };
      } catch (err) {
        return { domain: job.domain, ok: false, reason: (err as Error).message, points: job.points };
      }
    });
    return { results };
  } catch (err) {
    return { results: [], error: err instanceof Error ? err.message : String(err) };
  }
}

function fitJobs(request: RefitRequest, points: RefitPointSource): RefitOutcome {
  return computeRefit(request.jobs, request.fit, points.arena.views);
}

/**
 * Runs each refit synchronously when it is submitted (the points it reads never change
 * afterwards, so computing early gives the same outcome as computing late).
 */
export class InlineRefitRunner implements RefitRunner {
  readonly mode = 'inline' as const;
  private readonly done = new Map<number, RefitOutcome>();

  /** `compute` replaces the fit (tests: laws given by hand). */
  constructor(private readonly compute: (request: RefitRequest, points: RefitPointSource) => RefitOutcome = fitJobs) {}

  submit(request: RefitRequest, points: RefitPointSource): void {
    this.done.set(request.id, this.compute(request, points));
  }

  collect(id: number): RefitOutcome {
    const out = this.done.get(id);
    if (out === undefined) throw new Error(`refit ${id} was never submitted`);
    this.done.delete(id);
    return out;
  }

  discard(id: number): void {
    this.done.delete(id);
  }

  async close(): Promise<void> {
    this.done.clear();
  }
}
