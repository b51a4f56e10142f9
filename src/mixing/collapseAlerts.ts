/**
 * Collapse alerts: at every applied refit, once the new laws have set the mixture, two
 * signs that ADO's mixture is collapsing (alerts only: the weights never depend on them).
 *
 *   pinned   a live domain with a law whose ρ_k sits at δ_min (ρ_k ≤ δ_min·(1 + 1e-6)) while
 *            its fitted law still falls: the law's elasticity −d ln L̂/d ln n =
 *            α·β·n^−α / L̂(n) at its current n is ≥ `minFall` (0.01: 1 % per e-fold of n), for
 *            `pinnedRefits` consecutive refits (3). One alert when the streak reaches it;
 *            the streak restarts when the domain leaves δ_min or its law stops falling.
 *   entropy  the normalised entropy of the mixture π over the live domains,
 *            H(π)/ln K_live = −Σ π_k ln π_k / ln K_live ∈ [0, 1], below `minEntropy` (0.5);
 *            one alert when it drops below, the next only after it has come back up.
 *
 * The tracker's state (streaks, whether entropy is low, the alerts so far: the last 50 and
 * a total) is part of the policy's snapshot, so a resumed run raises the same alerts. Pure.
 */
import { z } from 'zod';
import { describeValue, forwardIssues, integer, mustBe, strictObject } from './schemaText.js';

export interface CollapseAlertSettings {
  pinnedRefits: number;
  minEntropy: number;
  minFall: number;
}

export type CollapseAlertsOption = 'off' | CollapseAlertSettings;

export const DEFAULT_COLLAPSE_ALERTS: Readonly<CollapseAlertSettings> = Object.freeze({ pinnedRefits: 3, minEntropy: 0.5, minFall: 0.01 });

export interface CollapseAlert {
  /** Policy step after which the refit was applied. */
  step: number;
  kind: 'pinned' | 'entropy';
  /** The pinned domain's name (pinned alerts). */
  domain?: string;
  message: string;
}

/** The tracker's state, as snapshots hold it. */
export interface CollapseState {
  /** Consecutive refits each domain has been pinned at δ_min while falling. */
  streak: number[];
  entropyLow: boolean;
  /** Alerts raised so far. */
  total: number;
  /** The last RECENT_ALERTS of them. */
  recent: CollapseAlert[];
}

const RECENT_ALERTS = 50;
const PIN_TOLERANCE = 1e-6;

const settingsSchema = strictObject({
  pinnedRefits: integer(1).optional(),
  minEntropy: z
    .number({ error: mustBe('a number in [0, 1]') })
    .refine((x) => x >= 0 && x <= 1, { error: mustBe('a number in [0, 1]') })
    .optional(),
  minFall: z
    .number({ error: mustBe('a finite number ≥ 0') })
    .refine((x) => x >= 0 && Number.isFinite(x), { error: mustBe('a finite number ≥ 0') })
    .optional(),
});

/** `"off"` or `{pinnedRefits?, minEntropy?, minFall?}` (the rest from the defaults). */
export const collapseAlertsSchema = z.unknown().transform((v, ctx): CollapseAlertsOption | undefined => {
  if (v === undefined || v === 'off') return v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const r = settingsSchema.safeParse(v);
    if (r.success) {
      const d = DEFAULT_COLLAPSE_ALERTS;
      return { pinnedRefits: r.data.pinnedRefits ?? d.pinnedRefits, minEntropy: r.data.minEntropy ?? d.minEntropy, minFall: r.data.minFall ?? d.minFall };
    }
    forwardIssues(ctx, r.error.issues, 'collapseAlerts', Object.keys(settingsSchema.shape));
    return z.NEVER;
  }
  ctx.addIssue({ code: 'custom', input: v, message: `must be "off" or an object {pinnedRefits?, minEntropy?, minFall?}, got ${describeValue(v)}` });
  return z.NEVER;
});

/** H(π)/ln K_live over the live domains (1 for a single live domain). */
export function normalizedEntropy(w: ArrayLike<number>, live: readonly boolean[]): number {
  let h = 0;
  let K = 0;
  for (let k = 0; k < w.length; k++) {
    if (!live[k]) continue;
    K++;
    if (w[k] > 0) h -= w[k] * Math.log(w[k]);
  }
  return K > 1 ? h / Math.log(K) : 1;
}

/** −d ln L̂/d ln n = α·β·n^−α / (ε + β·n^−α) at n (0 at n ≤ 0). */
export function lawElasticity(a: number, e: number, alpha: number, n: number): number {
  if (!(n > 0)) return 0;
  const z = a - alpha * Math.log(n) - e; // ln(β n^−α / ε)
  return alpha / (1 + Math.exp(-z));
}

/** What a check reads of the policy (all per domain, K long). */
export interface CollapseInput {
  step: number;
  names: readonly string[];
  live: readonly boolean[];
  /** ρ of the mixture just computed. */
  rho: ArrayLike<number>;
  /** π, the mixture for the next step. */
  weights: ArrayLike<number>;
  minShare: number;
  hasLaw: ArrayLike<number>;
  lawA: ArrayLike<number>;
  lawE: ArrayLike<number>;
  lawAlpha: ArrayLike<number>;
  n: ArrayLike<number>;
}

export class CollapseTracker {
  private streak: number[];
  private entropyLow = false;
  private total = 0;
  private recentAlerts: CollapseAlert[] = [];

  constructor(
    private readonly settings: CollapseAlertsOption,
    domains: number,
  ) {
    this.streak = new Array<number>(domains).fill(0);
  }

  static fromJSON(settings: CollapseAlertsOption, s: CollapseState): CollapseTracker {
    const t = new CollapseTracker(settings, s.streak.length);
    t.streak = [...s.streak];
    t.entropyLow = s.entropyLow;
    t.total = s.total;
    t.recentAlerts = s.recent.map((a) => ({ ...a }));
    return t;
  }

  toJSON(): CollapseState {
    return { streak: [...this.streak], entropyLow: this.entropyLow, total: this.total, recent: this.recentAlerts.map((a) => ({ ...a })) };
  }

  addDomain(): void {
    this.streak.push(0);
  }

  /** The last 50 alerts, oldest first. */
  get recent(): readonly CollapseAlert[] {
    return this.recentAlerts;
  }

  /** Alerts raised so far. */
  get count(): number {
    return this.total;
  }

  /** Updates the streaks at an applied refit; returns the alerts it raises (often none). */
  check(x: CollapseInput): CollapseAlert[] {
    const st = this.settings;
    if (st === 'off') return [];
    const raised: CollapseAlert[] = [];
    const pinAt = x.minShare * (1 + PIN_TOLERANCE);
    for (let k = 0; k < this.streak.length; k++) {
      const fall = x.hasLaw[k] ? lawElasticity(x.lawA[k], x.lawE[k], x.lawAlpha[k], x.n[k]) : 0;
      const pinned = x.live[k] && x.hasLaw[k] === 1 && x.minShare > 0 && x.rho[k] <= pinAt && fall >= st.minFall;
      this.streak[k] = pinned ? this.streak[k] + 1 : 0;
      if (pinned && this.streak[k] === st.pinnedRefits) {
        raised.push({
          step: x.step,
          kind: 'pinned',
          domain: x.names[k],
          message:
            `domain "${x.names[k]}" pinned at δ_min ${x.minShare} for ${st.pinnedRefits} refits while its loss still falls ` +
            `(${(100 * fall).toFixed(1)} % per e-fold of n, minFall ${st.minFall})`,
        });
      }
    }
    const h = normalizedEntropy(x.weights, x.live);
    const low = h < st.minEntropy;
    if (low && !this.entropyLow) {
      raised.push({ step: x.step, kind: 'entropy', message: `mixture entropy ${h.toFixed(3)} of ln K below minEntropy ${st.minEntropy}` });
    }
    this.entropyLow = low;
    for (const a of raised) this.recentAlerts.push(a);
    if (this.recentAlerts.length > RECENT_ALERTS) this.recentAlerts.splice(0, this.recentAlerts.length - RECENT_ALERTS);
    this.total += raised.length;
    return raised;
  }
}
