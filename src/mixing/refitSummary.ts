/**
 * One refit's per-domain diagnostics in a flat, JSON-ready form (domain names, not
 * indices): what `adomix replay`, `adomix serve`'s status and the report show. Pure.
 */
import type { ActiveBound } from '../curves/index.js';
import type { RefitReport } from './AdoPolicy.js';

export interface DomainFitSummary {
  domain: string;
  /** Whether the refit gave this domain a law (a refused or failed fit keeps the previous one). */
  ok: boolean;
  points: number;
  /** Residual RMS and R² in log space (absent when there was no fit). */
  rms?: number | null;
  r2?: number | null;
  se?: { a: number | null; e: number | null; alpha: number | null; epsilon: number | null };
  activeBounds?: ActiveBound[];
  /** Why no law was taken (too few points, a failed fit, or "fit refused: …"). */
  reason?: string;
  /** The fit check that refused the fit. */
  refused?: string;
}

/** The report's results, one entry per domain refitted, in the report's order. */
export function refitSummary(report: RefitReport, names: readonly string[]): DomainFitSummary[] {
  return report.results.map((r) => {
    const out: DomainFitSummary = { domain: names[r.domain] ?? String(r.domain), ok: r.ok, points: r.points };
    const d = r.diagnostics;
    if (d !== undefined) {
      out.rms = d.rms;
      out.r2 = d.r2;
      out.se = { ...d.se };
      out.activeBounds = d.activeBounds.map((b) => ({ ...b }));
    }
    if (!r.ok) {
      out.reason = r.reason;
      if (r.refused !== undefined) out.refused = r.refused;
    }
    return out;
  });
}
