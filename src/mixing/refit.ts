/**
 * One refit: fit every requested domain's law over history rows 0 … rows−1 with
 * `fitDomains`, and report, per domain, finite parameters or why there are none.
 * Pure; runs inline (InlineRefitRunner) or inside the refit worker (src/refit).
 */
import { fitDomains } from '../curves/index.js';
import type { DomainHistoryView, RefitDomainResult, RefitFitOptions, RefitOutcome, RefitHistorySource, RefitRequest, RefitRunner } from './refitTypes.js';

export function computeRefit(history: DomainHistoryView, rows: number, fit: RefitFitOptions, domains: readonly number[]): RefitOutcome {
  try {
    const view: DomainHistoryView = { ...history, steps: rows };
    const fits = fitDomains(view, { ...fit, domains: [...domains] });
    const results: RefitDomainResult[] = fits.map((f) => {
      if (!f.ok) return { domain: f.domain, ok: false, reason: f.reason, points: f.points };
      const { a, e, alpha } = f.fit.params;
      if (!Number.isFinite(a) || !Number.isFinite(e) || !Number.isFinite(alpha)) {
        return { domain: f.domain, ok: false, reason: `non-finite parameters (a=${a}, e=${e}, alpha=${alpha})`, points: f.fit.points };
      }
      return { domain: f.domain, ok: true, params: [a, e, alpha], points: f.fit.points, diagnostics: f.diagnostics };
    });
    return { results };
  } catch (err) {
    return { results: [], error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Runs each refit synchronously when it is submitted (the history rows it reads never
 * change afterwards, so computing early gives the same outcome as computing late).
 */
export class InlineRefitRunner implements RefitRunner {
  readonly mode = 'inline' as const;
  private readonly done = new Map<number, RefitOutcome>();

  constructor(private readonly compute: typeof computeRefit = computeRefit) {}

  submit(request: RefitRequest, history: RefitHistorySource): void {
    this.done.set(request.id, this.compute(history.view(request.rows), request.rows, request.fit, request.domains));
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
