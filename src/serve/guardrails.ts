/**
 * A served ADO run's guardrails: what its status shows (the last refit's per-domain fit
 * diagnostics, the collapse alerts, the mixture's entropy) and the warnings its refits
 * raise (refused fits, alerts), queued for the request that applied them to log.
 */
import { AdoPolicy, normalizedEntropy, refitSummary, type DomainFitSummary, type MixturePolicy } from '../mixing/index.js';

export interface RunGuardrails {
  /** H(π)/ln K_live of the policy's newest mixture. */
  entropy: number;
  lastRefit: { startedAfter: number; appliedAfter: number; fits: DomainFitSummary[] } | null;
  /** Collapse alerts raised so far, and the last 50. */
  alertCount: number;
  alerts: { step: number; kind: string; domain?: string; message: string }[];
}

/** A warning for the log: what, at which step, about which domain. */
export interface GuardrailWarning {
  step: number;
  kind: 'refused' | 'pinned' | 'entropy';
  domain?: string;
  message: string;
}

/** What status shows (null for a policy other than ADO). */
export function runGuardrails(policy: MixturePolicy): RunGuardrails | null {
  if (!(policy instanceof AdoPolicy)) return null;
  const w = policy.weights();
  const rep = policy.lastRefit;
  return {
    entropy: normalizedEntropy(w, Array.from(w, (x) => x > 0)),
    lastRefit: rep === undefined ? null : { startedAfter: rep.startedAfter, appliedAfter: rep.appliedAfter, fits: refitSummary(rep, policy.domains) },
    alertCount: policy.alertCount,
    alerts: policy.alerts().map((a) => ({ ...a })),
  };
}

/** The warnings of a refit applied after step t (none when none was). */
export function refitWarnings(policy: MixturePolicy, t: number): GuardrailWarning[] {
  if (!(policy instanceof AdoPolicy)) return [];
  const rep = policy.lastRefit;
  if (rep === undefined || rep.appliedAfter !== t) return [];
  const out: GuardrailWarning[] = [];
  for (const r of rep.results) {
    if (!r.ok && r.refused !== undefined) out.push({ step: t, kind: 'refused', domain: policy.domains[r.domain], message: `refit kept the previous law: ${r.reason}` });
  }
  for (const a of rep.alerts ?? []) out.push({ step: t, kind: a.kind, ...(a.domain !== undefined ? { domain: a.domain } : {}), message: `mixture collapse: ${a.message}` });
  return out;
}
