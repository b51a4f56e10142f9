/**
 * The report's "Fit diagnostics and alerts": each shown law's diagnostics (runData) and the
 * collapse alerts a step log shows (collapseAlerts.ts's two signs, read off the log).
 *
 * A step log holds the drawn mixture π and, on the steps where a refit changed them, the
 * laws, but not ρ. So here, at every step with `params`:
 *   entropy  H(π)/ln K_live < minEntropy (0.5), one alert per drop, as the policy does;
 *   pinned   π_k ≤ 2·δ_min (δ_min = 0.01) with the law falling ≥ minFall (1 %) per e-fold of
 *            n, at 3 such steps in a row: π approaches δ_min only slowly (π̄, the running
 *            mean in π, remembers the early mixture), hence the factor 2.
 * Pure.
 */
import { DEFAULT_COLLAPSE_ALERTS, lawElasticity, normalizedEntropy } from '../mixing/index.js';
import type { StepLog } from '../runlog/index.js';
import { lawCount, type RunData } from './runData.js';

export interface LogAlert {
  step: number;
  kind: 'pinned' | 'entropy';
  domain?: string;
  message: string;
}

export interface LogGuardrails {
  alerts: LogAlert[];
  /** H(π)/ln K_live at the last step with weights (null without weights). */
  finalEntropy: number | null;
  /** Steps with params seen (the refits the alerts look at). */
  refits: number;
}

const MIN_SHARE = 0.01;
const PIN_FACTOR = 2;

export function logGuardrails(log: StepLog, data: RunData): LogGuardrails {
  const { pinnedRefits, minEntropy, minFall } = DEFAULT_COLLAPSE_ALERTS;
  const K = data.domains.length;
  const law: ([number, number, number] | null)[] = new Array(K).fill(null);
  const streak = new Array<number>(K).fill(0);
  const alerts: LogAlert[] = [];
  let low = false;
  let refits = 0;
  let finalEntropy: number | null = null;
  log.records.forEach((r, i) => {
    const w = r.weights;
    if (w === undefined) return;
    const live = w.map((x) => x > 0);
    finalEntropy = normalizedEntropy(w, live);
    if (r.params === undefined) return;
    refits++;
    r.params.forEach((p, k) => {
      if (p) law[k] = [p[0], p[1], p[2]];
    });
    for (let k = 0; k < K; k++) {
      const l = law[k];
      const fall = l ? lawElasticity(l[0], l[1], l[2], lawCount(data, k, i)) : 0;
      const pinned = live[k] && l !== null && w[k] <= PIN_FACTOR * MIN_SHARE && fall >= minFall;
      streak[k] = pinned ? streak[k] + 1 : 0;
      if (pinned && streak[k] === pinnedRefits) {
        alerts.push({
          step: r.step,
          kind: 'pinned',
          domain: data.domains[k],
          message: `domain "${data.domains[k]}" at most ${PIN_FACTOR}·δ_min (${(PIN_FACTOR * MIN_SHARE).toFixed(2)}) of the mixture at ${pinnedRefits} refits while its loss still falls (${(100 * fall).toFixed(1)} % per e-fold of n)`,
        });
      }
    }
    const h = normalizedEntropy(w, live);
    if (h < minEntropy && !low) alerts.push({ step: r.step, kind: 'entropy', message: `mixture entropy ${h.toFixed(3)} of ln K below ${minEntropy}` });
    low = h < minEntropy;
  });
  return { alerts, finalEntropy, refits };
}
