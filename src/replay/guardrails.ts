/**
 * What a replay writes and logs of ADO's guardrails at a step where a refit was applied:
 * `"fit":[…]`, each refitted domain's diagnostics (refitSummary), and `"alerts":[…]`, the
 * collapse alerts the refit raised.
 */
import type pino from 'pino';
import { refitSummary, type AdoPolicy } from '../mixing/index.js';

/** `,"fit":[…]` (and `,"alerts":[…]`) when a refit was applied after policy step `step`, else ''. Counts into `tally`. */
export function refitFields(ado: AdoPolicy, step: number, domains: readonly string[], tally: { refusedFits?: number; alerts?: number }): string {
  const rep = ado.lastRefit;
  if (rep === undefined || rep.appliedAfter !== step) return '';
  let out = `,"fit":${JSON.stringify(refitSummary(rep, domains))}`;
  tally.refusedFits = (tally.refusedFits ?? 0) + rep.results.filter((r) => !r.ok && r.refused !== undefined).length;
  if (rep.alerts !== undefined) {
    out += `,"alerts":${JSON.stringify(rep.alerts)}`;
    tally.alerts = (tally.alerts ?? 0) + rep.alerts.length;
  }
  return out;
}

/** A warning per collapse alert of the refit applied after policy step `step`. */
export function warnAlerts(ado: AdoPolicy, step: number, logStep: number, log: pino.Logger): void {
  const rep = ado.lastRefit;
  if (rep === undefined || rep.appliedAfter !== step || rep.alerts === undefined) return;
  for (const a of rep.alerts) log.warn({ step: logStep, alert: a.kind, ...(a.domain !== undefined ? { domain: a.domain } : {}) }, `mixture collapse: ${a.message}`);
}
