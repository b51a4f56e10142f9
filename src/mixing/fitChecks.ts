/**
 * Fit checks: a refit's law for a domain is refused (the previous law kept) when its
 * diagnostics (curves/fitDiagnostics.ts) say the points do not support it:
 *
 *   maxRms           residual RMS of log L̂ − log ℓ above this (nats): the law misses the curve
 *                    (a divergence, a spike, a regime change);
 *   minR2            R² in log space below this (not checked when log ℓ does not vary);
 *   maxAlphaRelSE    SE(α) > maxAlphaRelSE·α: the exponent is not determined by the points
 *                    (not checked when α sits at a bound: that has no SE; refused when the
 *                    points cannot separate the parameters at all, SE undetermined);
 *   maxEpsilonRelSE  SE(ε) > maxEpsilonRelSE·ε, likewise for the irreducible loss.
 * A threshold left out is not checked. A refused fit of a domain without a law leaves it
 * without one (it keeps its share of the initial mixture, as below minPoints).
 *
 * The default preset checks only maxRms = 0.3 (a law some 35 % off the smoothed curve in
 * log space is no description of it: a loss that triples mid-run fits with 0.72, while the
 * noisy per-step losses of the demo's small model fit with at most 0.06), so ordinary runs
 * are not touched; the `reference` preset checks nothing. The SEs treat the points as independent
 * while fitDomains' smoothed points are correlated, so they are lower bounds: the relative
 * thresholds are for clearly undetermined fits (≥ 0.5, say), not for fine selection.
 *
 * Pure; runs when a refit is applied.
 */
import { z } from 'zod';
import type { FitDiagnostics } from '../curves/index.js';
import type { RefitDomainResult } from './refitTypes.js';
import { describeValue, forwardIssues, mustBe, strictObject } from './schemaText.js';

export interface FitCheckThresholds {
  maxRms?: number;
  minR2?: number;
  maxAlphaRelSE?: number;
  maxEpsilonRelSE?: number;
}

/** `off`, or the thresholds to check (each optional). */
export type FitChecks = 'off' | FitCheckThresholds;

/** The default preset's checks: refuse only a law that clearly misses its curve. */
export const DEFAULT_FIT_CHECKS: Readonly<FitCheckThresholds> = Object.freeze({ maxRms: 0.3 });

const positive = (what: string) => z.number({ error: mustBe(what) }).refine((x) => x > 0 && Number.isFinite(x), { error: mustBe(what) });

const thresholdsSchema = strictObject({
  maxRms: positive('a positive finite number').optional(),
  minR2: z
    .number({ error: mustBe('a number ≤ 1') })
    .refine((x) => x <= 1 && x > -Infinity, { error: mustBe('a number ≤ 1') })
    .optional(),
  maxAlphaRelSE: positive('a positive finite number').optional(),
  maxEpsilonRelSE: positive('a positive finite number').optional(),
});

/** `"off"` or a strict object of thresholds; a copy without undefined entries. */
export const fitChecksSchema = z.unknown().transform((v, ctx): FitChecks | undefined => {
  if (v === undefined || v === 'off') return v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const r = thresholdsSchema.safeParse(v);
    if (r.success) {
      const out: FitCheckThresholds = {};
      for (const [k, x] of Object.entries(r.data)) if (x !== undefined) out[k as keyof FitCheckThresholds] = x;
      return out;
    }
    forwardIssues(ctx, r.error.issues, 'fitChecks', Object.keys(thresholdsSchema.shape));
    return z.NEVER;
  }
  ctx.addIssue({
    code: 'custom',
    input: v,
    message: `must be "off" or an object {maxRms?, minR2?, maxAlphaRelSE?, maxEpsilonRelSE?}, got ${describeValue(v)}`,
  });
  return z.NEVER;
});

/** Why the checks refuse a fit with these diagnostics and parameters, or undefined when it passes. */
export function fitRefusal(d: FitDiagnostics, params: readonly [number, number, number], checks: FitCheckThresholds): string | undefined {
  const [, e, alpha] = params;
  const at = (p: string) => d.activeBounds.some((b) => b.param === p);
  if (checks.maxRms !== undefined && !(d.rms !== null && d.rms <= checks.maxRms)) {
    return `residual RMS ${fmt(d.rms)} > maxRms ${checks.maxRms} (log space, ${d.points} points)`;
  }
  if (checks.minR2 !== undefined && d.r2 !== null && !(d.r2 >= checks.minR2)) {
    return `R² ${fmt(d.r2)} < minR2 ${checks.minR2} (log space, ${d.points} points)`;
  }
  if (checks.maxAlphaRelSE !== undefined && !at('alpha')) {
    const se = d.se.alpha;
    if (se === null) return 'α standard error undetermined (the points cannot separate the parameters)';
    if (!(se <= checks.maxAlphaRelSE * alpha)) return `α standard error ${fmt(se)} > ${checks.maxAlphaRelSE} × α = ${fmt(checks.maxAlphaRelSE * alpha)}`;
  }
  if (checks.maxEpsilonRelSE !== undefined && !at('e')) {
    const se = d.se.epsilon;
    const eps = Math.exp(e);
    if (se === null) return 'ε standard error undetermined (the points cannot separate the parameters)';
    if (!(se <= checks.maxEpsilonRelSE * eps)) return `ε standard error ${fmt(se)} > ${checks.maxEpsilonRelSE} × ε = ${fmt(checks.maxEpsilonRelSE * eps)}`;
  }
  return undefined;
}

/**
 * The results with every fit the checks refuse turned into `ok: false` (reason
 * "fit refused: …", `refused` the check, its params and diagnostics kept for the report).
 * Returns `results` itself when the checks are off or refuse nothing.
 */
export function applyFitChecks(results: RefitDomainResult[], checks: FitChecks): RefitDomainResult[] {
  if (checks === 'off') return results;
  let out: RefitDomainResult[] | undefined;
  results.forEach((r, i) => {
    if (!r.ok || r.diagnostics === undefined) return;
    const why = fitRefusal(r.diagnostics, r.params, checks);
    if (why === undefined) return;
    out ??= results.slice();
    out[i] = { domain: r.domain, ok: false, reason: `fit refused: ${why}`, points: r.points, diagnostics: r.diagnostics, refused: why, params: r.params };
  });
  return out ?? results;
}

function fmt(x: number | null): string {
  if (x === null) return 'undetermined';
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
}
