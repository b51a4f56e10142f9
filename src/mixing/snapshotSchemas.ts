/**
 * What a valid snapshot of each policy kind is: a strict zod object per kind (built for the
 * snapshot's K domains: every field, its type and length, no unknown field), then the
 * semantic checks the types cannot say. Run once at the edge of restore, never per step.
 *
 * Semantic rules (each names the field; `SUM_TOLERANCE` explains the ±1e-9):
 * - every setting is present (older ado snapshots lack only `target`: then "prior");
 * - distributions sum to 1: ado mu, h, piBar, weights, and importance unless it is the
 *   uniform ones; odm weights; static base;
 * - exhausted domains have weight 0 and at least one domain is live;
 * - δ_min is feasible: K_live·minShare ≤ 1 (the floor cannot hold otherwise);
 * - before the first law, ado weights are μ over the live domains (unless a data budget,
 *   which caps them, is present) and π̄ is μ;
 * - ado importance matches settings.target (all 1 for "uniform", μ for "prior", ∝ the
 *   vector over the domains it covers);
 * - ado counts add up to the history: nSame = every count, nOwn[k] = domain k's, nBase[k] =
 *   every count before domain k was added (integers, so these hold exactly);
 * - the ado history has one row per step since its first, nulls and zero counts before a
 *   domain was added, domains added in order, at least one example a row;
 * - the ado refits in flight are exactly those the settings started in the last `lag` steps,
 *   each reading the rows up to its step, due `lag` steps later, over the domains live then;
 * - odm weights are the mixture its rewards give (±1e-9), static `balanced` base is uniform.
 */
import { z } from 'zod';
import { adoSettingsShape, minShareProblem, refitFitOptions, resolveSettings, type AdoSettings } from './adoSettings.js';
import { integer, mustBe, snapshotIssueError, strictObject } from './schemaText.js';
import { checkSnapshotHeader, snapshotError, snapshotFail } from './snapshotFields.js';
import type { AdoPolicySnapshot, HistoryJson, OdmPolicySnapshot, OdmSettings, PendingRefit, PendingRefitJson, StaticPolicySnapshot } from './snapshotTypes.js';
import { FitPointHistory, fitPointOptions, type FitPointOptions } from './fitPoints.js';
import type { RefitDomainJob } from './refitTypes.js';
import { initialShares } from './adoWeights.js';
import { odmMixture } from './odmWeights.js';
import { normalizeLive } from './shares.js';
import { ODM_SETTING_KEYS, resolveOdmSettings } from './optionSchemas.js';

/**
 * Tolerance on Σ = 1. The policies normalise by one division by the sum (rounding ≤ K/2 ulp)
 * and keep their distributions summing to 1 through convex updates (h, π̄: the error decays
 * or grows by ~1e-16 a step); on long random runs the largest |Σ − 1| seen is ~1e-15 (see
 * test/mixing/validSnapshots.test.ts), so 1e-9 leaves six orders of margin for values the
 * code produced and still catches any edited or scaled vector.
 */
export const SUM_TOLERANCE = 1e-9;

const finite = (expected = 'a finite number') => z.number({ error: mustBe(expected) });
const nonNegative = () => finite('a finite number ≥ 0').min(0, { error: mustBe('a finite number ≥ 0') });
const array = <T extends z.ZodType>(el: T, K: number, what: string) =>
  z.array(el, { error: mustBe(`an array of ${K} ${what}`) }).length(K, { error: mustBe(`an array of ${K} ${what}`) });
const numbers = (K: number) => array(finite(), K, 'finite numbers');
const shares = (K: number) => array(nonNegative(), K, 'finite numbers ≥ 0');
const booleans = (K: number) => array(z.boolean({ error: mustBe('a boolean') }), K, 'booleans');
/** Anything object-shaped: checked by the policy's own settings check (named options, defaults). */
const settingsObject = z.record(z.string(), z.unknown(), { error: mustBe('an object') });

const law = z.union([z.null(), z.tuple([finite(), finite(), finite()])], { error: mustBe('null or [a, e, alpha] (3 finite numbers)') });
/** zod reports a failed union as one issue; a 3-array reports its bad entry instead (laws[0][1]). */
const lawEntry = z.unknown().superRefine((v, ctx) => {
  if (Array.isArray(v) && v.length === 3) {
    const k = v.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (k >= 0) ctx.addIssue({ code: 'custom', path: [k], input: v[k], message: mustBe('a finite number')({ input: v[k] }) });
  } else if (!law.safeParse(v).success) ctx.addIssue({ code: 'custom', input: v, message: mustBe('null or [a, e, alpha] (3 finite numbers)')({ input: v }) });
});

/**
 * A history column, checked by one loop: it holds one entry a step, so a long run's history
 * is millions of entries, where zod's per-entry schemas cost ten times as much.
 */
const column = <T>(what: string, entry: string, ok: (x: unknown) => boolean) =>
  z.unknown().superRefine((v, ctx) => {
    if (!Array.isArray(v)) {
      ctx.addIssue({ code: 'custom', input: v, message: mustBe(what)({ input: v }) });
      return;
    }
    for (let i = 0; i < v.length; i++) {
      if (!ok(v[i])) {
        ctx.addIssue({ code: 'custom', path: [i], input: v[i], message: mustBe(entry)({ input: v[i] }) });
        return;
      }
    }
  }) as unknown as z.ZodType<T[]>;
const lossColumn = column<number | null>('an array of losses (numbers ≥ 0 or null)', 'a finite number ≥ 0 or null', (x) => x === null || (typeof x === 'number' && x >= 0 && x < Infinity));
const countColumn = column<number>('an array of counts (integers ≥ 0)', 'an integer ≥ 0', (x) => Number.isSafeInteger(x) && (x as number) >= 0);

const HEADER = { kind: z.unknown(), version: z.unknown(), step: z.unknown(), domains: z.unknown() };

function adoSchema(K: number, version: number) {
  return strictObject({
    ...HEADER,
    settings: settingsObject,
    mu: shares(K),
    importance: shares(K).optional(),
    h: shares(K),
    piBar: shares(K),
    weights: shares(K),
    exhausted: booleans(K),
    laws: array(lawEntry, K, 'laws (null or [a, e, alpha])'),
    lawsVersion: integer(0),
    nSame: integer(0),
    nOwn: array(integer(0), K, 'integers ≥ 0'),
    nBase: array(integer(0), K, 'integers ≥ 0'),
    capacity: shares(K).optional(),
    firstLossSum: shares(K).optional(),
    firstLossCount: array(integer(0), K, 'integers ≥ 0').optional(),
    collapse: strictObject({
      streak: array(integer(0), K, 'integers ≥ 0'),
      entropyLow: z.boolean({ error: mustBe('a boolean') }),
      total: integer(0),
      recent: z.array(
        strictObject({
          step: integer(-1),
          kind: z.enum(['pinned', 'entropy'], { error: mustBe('"pinned" or "entropy"') }),
          domain: z.string({ error: mustBe('a domain name') }).optional(),
          message: z.string({ error: mustBe('a string') }),
        }),
        { error: mustBe('an array of alerts {step, kind, domain?, message}') },
      ),
    }).optional(),
    pending: z.array(
      strictObject({
        id: integer(0),
        rows: integer(0),
        applyAt: integer(0),
        domains: z.array(integer(0), { error: mustBe('an array of domain indices') }),
        ...(version === 2 ? { jobs: z.array(z.unknown(), { error: mustBe('an array of prepared refit jobs') }) } : {}),
      }),
      { error: mustBe(`an array of refits {id, rows, applyAt, domains${version === 2 ? ', jobs' : ''}}`) },
    ),
    // Version 2's fit points are checked field by field by FitPointHistory.fromJSON.
    ...(version === 2
      ? { points: z.unknown() }
      : {
          history: strictObject({
            rows: integer(0),
            firstStep: integer(-1),
            firstRow: array(integer(0), K, 'integers ≥ 0'),
            loss: array(lossColumn, K, 'loss columns'),
            count: array(countColumn, K, 'count columns'),
          }),
        }),
    budget: budgetSchema(K).optional(),
  });
}

/** The data budget (budgets.ts; absent in older snapshots and without one): its values are checked again by DataBudget.fromJSON. */
function budgetSchema(K: number) {
  return strictObject({
    budget: array(z.union([z.null(), nonNegative()], { error: mustBe('a number ≥ 0 or null (unlimited)') }), K, 'budgets (numbers ≥ 0 or null)'),
    maxEpochs: array(finite('a number > 0').positive({ error: mustBe('a number > 0') }), K, 'numbers > 0'),
    plannedSteps: z.union([z.null(), integer(1)], { error: mustBe('an integer ≥ 1 or null') }),
    steps: integer(0),
    total: nonNegative(),
  });
}

function odmSchema(K: number) {
  return strictObject({ ...HEADER, settings: settingsObject, rewards: numbers(K), exhausted: booleans(K), weights: shares(K) });
}

function staticSchema(K: number) {
  return strictObject({ ...HEADER, base: shares(K), exhausted: booleans(K) });
}

function parse<S extends z.ZodType>(kind: string, schema: S, s: unknown): z.output<S> {
  const r = schema.safeParse(s);
  if (!r.success) throw snapshotIssueError(kind, r.error);
  return r.data;
}

// ---- semantic checks (after the types are right) ----

function fail(kind: string, field: string, text: string): never {
  throw new Error(`${kind} snapshot: field "${field}" ${text}`);
}

function sumOf(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s;
}

/** Sums to 1 within SUM_TOLERANCE. */
function checkDistribution(kind: string, field: string, v: readonly number[]): void {
  const sum = sumOf(v);
  if (!(Math.abs(sum - 1) <= SUM_TOLERANCE)) fail(kind, field, `must sum to 1 (±${SUM_TOLERANCE}), sums to ${sum}`);
}

function checkLive(kind: string, exhausted: readonly boolean[]): number {
  const live = exhausted.filter((x) => !x).length;
  if (live === 0) throw snapshotError(kind, 'exhausted', 'an array with at least one live domain', exhausted);
  return live;
}

/** A mixture: a distribution with weight 0 on every exhausted domain. */
function checkMixture(kind: string, field: string, w: readonly number[], exhausted: readonly boolean[], domains: readonly string[]): void {
  checkDistribution(kind, field, w);
  for (let k = 0; k < w.length; k++) {
    if (exhausted[k] && w[k] !== 0) throw snapshotError(kind, `${field}[${k}]`, `0 (domain "${domains[k]}" is exhausted)`, w[k]);
  }
}

/** Nested checks (the settings) answer with their own sentence: `field "settings": AdoPolicy: …`. */
function nested<T>(kind: string, field: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw new Error(`${kind} snapshot: field "${field}": ${(err as Error).message}`);
  }
}

/**
 * A snapshot holds every setting (older ado snapshots all but `target`): a missing one would
 * silently take today's default, which need not be what the run used.
 */
function requireSettings(kind: string, saved: object, keys: readonly string[]): void {
  const missing = keys.find((k) => (saved as Record<string, unknown>)[k] === undefined);
  if (missing !== undefined) throw snapshotFail(kind, `settings.${missing}`, 'must be present (a snapshot holds every setting)', undefined);
}

/** Equal within SUM_TOLERANCE (absolute, relative above 1): for values the code derives from others. */
function near(a: number, b: number, tolerance = SUM_TOLERANCE): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}

// ---- ado ----

/** Settings added after the first ado snapshots: an older snapshot may lack them (they resolve to their defaults, `target` and `initialMixture` to "prior", `capacity` to 0, `fitChecks` to "off", `warmStart` to false). */
const ADO_SETTINGS_ADDED_LATER: ReadonlySet<string> = new Set(['target', 'initialMixture', 'creditExponent', 'capacity', 'fitChecks', 'collapseAlerts', 'warmStart', 'warmVerifyEvery']);

/** A checked ado snapshot, ready to resume. */
export interface ParsedAdoSnapshot {
  /** The snapshot, its settings resolved. */
  s: AdoPolicySnapshot;
  /** The importance τ the policy resumes with. */
  importance: Float64Array;
  /** The fit points (version 1: its rows replayed). */
  points: FitPointHistory;
  /** The jobs of each refit in flight, as they were started. */
  pendingJobs: RefitDomainJob[][];
}

/**
 * A checked ado snapshot, its settings resolved (older snapshots: `target` defaults to
 * "prior", what they weighted ρ by), the importance τ and the fit points it resumes with.
 */
export function parseAdoSnapshot(snapshot: unknown): ParsedAdoSnapshot {
  const header = checkSnapshotHeader(snapshot, 'ado', [1, 2]);
  const K = header.domains.length;
  const version = header.version as 1 | 2;
  const s = parse('ado', adoSchema(K, version), snapshot) as unknown as AdoPolicySnapshot;
  const { domains, exhausted } = s;
  const saved = s.settings as Partial<AdoSettings>;
  requireSettings('ado', saved, Object.keys(adoSettingsShape).filter((k) => !ADO_SETTINGS_ADDED_LATER.has(k)));
  const settings = nested('ado', 'settings', () =>
    // capacity, fitChecks, warmStart: an older run added no capacity, checked nothing and refitted cold, so it resumes so
    resolveSettings({ ...saved, target: saved.target ?? 'prior', initialMixture: saved.initialMixture ?? 'prior', capacity: saved.capacity ?? 0, fitChecks: saved.fitChecks ?? 'off', warmStart: saved.warmStart ?? false }, K),
  );
  const live = checkLive('ado', exhausted);
  const floor = minShareProblem(settings.minShare, live);
  if (floor !== undefined) throw new Error(`ado snapshot: field "settings": AdoPolicy: ${floor}`);
  for (const f of ['mu', 'h', 'piBar'] as const) checkDistribution('ado', f, s[f]);
  const capacityFields = (['capacity', 'firstLossSum', 'firstLossCount'] as const).filter((f) => s[f] !== undefined);
  if (capacityFields.length % 3 !== 0) throw snapshotFail('ado', capacityFields[0], 'must come with "capacity", "firstLossSum" and "firstLossCount" (all three, or none in an older snapshot)', s[capacityFields[0]]);
  checkMixture('ado', 'weights', s.weights, exhausted, domains);
  const importance = adoImportance(s, settings);
  if (s.laws.every((l) => l === null)) checkBeforeFirstLaw(s, settings.initialMixture, initialShares(settings.initialMixture, Float64Array.from(s.mu), importance));
  if (s.laws.some((l) => l !== null) && s.lawsVersion < 1) throw snapshotError('ado', 'lawsVersion', '≥ 1 (there are laws)', s.lawsVersion);
  const options = fitPointOptions(refitFitOptions(settings));
  if (version === 1) {
    const h = s.history!;
    checkHistory(h, s);
    checkCounts(s, countsOfRows(h));
    checkPending(s, settings, h.firstStep, h.firstRow);
    const { points, pendingJobs } = replayRows(h, options, s.pending);
    return { s: { ...s, settings }, importance, points, pendingJobs };
  }
  const points = FitPointHistory.fromJSON(s.points, domains, options, 'ado snapshot');
  const expectedRows = s.step < 0 ? 0 : s.step - points.firstStep + 1;
  if (points.rows !== expectedRows) throw snapshotError('ado', 'points.rows', `${expectedRows} (steps ${points.firstStep}…${s.step})`, points.rows);
  const joined = points.firstRow;
  joined.forEach((f, k) => {
    if (k === 0 ? f !== 0 : f < joined[k - 1]) throw snapshotError('ado', `points.domains[${k}].first`, k === 0 ? '0 (the first domain is there from the start)' : `≥ ${joined[k - 1]} (domains are added in order)`, f);
  });
  checkCounts(s, points.counts());
  checkPending(s, settings, points.firstStep, points.firstRow);
  const pendingJobs = s.pending.map((j, i) => {
    const jobs = (j as PendingRefitJson).jobs;
    const at = `pending[${i}].jobs`;
    if (jobs.length !== j.domains.length || jobs.some((job, n) => (job as { domain?: unknown })?.domain !== j.domains[n])) {
      throw snapshotFail('ado', at, `must hold one job per domain of "pending[${i}].domains" (${j.domains.join(', ')}), in order`, jobs);
    }
    return jobs.map((job, n) => points.jobFromJSON(job, 'ado snapshot', `${at}[${n}]`));
  });
  return { s: { ...s, settings }, importance, points, pendingJobs };
}

/** Version 1's rows, appended to fresh fit points; each refit in flight prepared at its own row. */
function replayRows(h: HistoryJson, options: FitPointOptions, pending: readonly PendingRefit[]): { points: FitPointHistory; pendingJobs: RefitDomainJob[][] } {
  const K = h.firstRow.length;
  const points = new FitPointHistory(h.firstRow.filter((r) => r === 0).length, options);
  const loss = new Float64Array(K);
  const count = new Float64Array(K);
  const pendingJobs: RefitDomainJob[][] = pending.map(() => []);
  for (let r = 0; r < h.rows; r++) {
    while (points.domains < K && h.firstRow[points.domains] === r) points.addDomain();
    for (let k = 0; k < points.domains; k++) {
      loss[k] = h.loss[k][r] ?? NaN;
      count[k] = h.count[k][r];
    }
    points.append(h.firstStep + r, loss, count);
    pending.forEach((j, i) => {
      if (j.rows === r + 1) pendingJobs[i] = points.prepare(j.domains);
    });
  }
  while (points.domains < K) points.addDomain();
  return { points, pendingJobs };
}

/** Until a domain has a law the mixture is the initial one (μ or τ normalised: settings.initialMixture) over the live domains, and π̄ is it (±1e-9). */
function checkBeforeFirstLaw(s: AdoPolicySnapshot, mode: AdoSettings['initialMixture'], initial: Float64Array): void {
  const what = mode === 'target' ? 'the importance normalised' : 'equal to "mu"';
  const start = normalizeLive(initial, s.exhausted.map((x) => !x), new Float64Array(initial.length));
  // A data budget caps the weights (budgets.ts), so they may lie below the initial mixture.
  if (s.budget === undefined) s.weights.forEach((w, k) => {
    if (!near(w, start[k])) throw snapshotError('ado', `weights[${k}]`, `${start[k]} (the initial mixture over the live domains: no domain has a law yet)`, w);
  });
  s.piBar.forEach((x, k) => {
    if (!near(x, initial[k])) throw snapshotError('ado', `piBar[${k}]`, `${initial[k]} (${what}: no domain has a law yet)`, x);
  });
}

/** τ as the policy resumes it, checked against settings.target. */
function adoImportance(s: AdoPolicySnapshot, settings: AdoSettings): Float64Array {
  const { target } = settings;
  const K = s.domains.length;
  const imp = s.importance;
  if (target === 'prior') {
    imp?.forEach((x, k) => {
      if (!near(x, s.mu[k])) throw snapshotError('ado', `importance[${k}]`, `${s.mu[k]} (equal to "mu": settings.target is "prior")`, x);
    });
    return Float64Array.from(s.mu);
  }
  if (target === 'uniform') {
    imp?.forEach((x, k) => {
      if (x !== 1) throw snapshotError('ado', `importance[${k}]`, '1 (settings.target is "uniform")', x);
    });
    return new Float64Array(K).fill(1);
  }
  if (imp !== undefined) {
    checkDistribution('ado', 'importance', imp);
    // τ began as the normalised target; each added domain scaled it by (1 − p) and appended.
    const L = target.length;
    if (L > K) throw snapshotFail('ado', 'settings.target', `must have at most ${K} entries (one per domain)`, target);
    const t = sumOf(target);
    const c = sumOf(imp.slice(0, L));
    if (target.some((x, k) => !near(imp[k], (c * x) / t))) {
      throw snapshotFail('ado', 'settings.target', `must be proportional to "importance" over the first ${L} domains (τ starts as the normalised target)`, target);
    }
    return Float64Array.from(imp);
  }
  // Older snapshots: no `importance`, so the explicit target must cover every domain.
  if (target.length !== K) throw snapshotFail('ado', 'settings.target', `must have ${K} entries (one per domain) when "importance" is absent`, target);
  const sum = sumOf(target);
  return Float64Array.from(target, (x) => x / sum);
}

function checkHistory(h: HistoryJson, s: AdoPolicySnapshot): void {
  const { rows, firstStep, firstRow } = h;
  const K = s.domains.length;
  if (rows > 0 ? firstStep < 0 : firstStep !== -1) throw snapshotError('ado', 'history.firstStep', rows > 0 ? 'an integer ≥ 0' : '-1 (no rows)', firstStep);
  const expectedRows = s.step < 0 ? 0 : s.step - firstStep + 1;
  if (rows !== expectedRows) {
    throw snapshotError('ado', 'history.rows', `${expectedRows} (steps ${firstStep}…${s.step})`, rows);
  }
  for (let k = 0; k < K; k++) {
    if (firstRow[k] > rows) throw snapshotError('ado', `history.firstRow[${k}]`, `≤ rows = ${rows}`, firstRow[k]);
    if (k > 0 && firstRow[k] < firstRow[k - 1]) {
      throw snapshotError('ado', `history.firstRow[${k}]`, `≥ firstRow[${k - 1}] = ${firstRow[k - 1]} (domains are added in order)`, firstRow[k]);
    }
  }
  if (K > 0 && firstRow[0] !== 0) throw snapshotError('ado', 'history.firstRow[0]', '0 (the first domain is there from the start)', firstRow[0]);
  for (let k = 0; k < K; k++) {
    const loss = h.loss[k];
    const count = h.count[k];
    const name = s.domains[k];
    if (loss.length !== rows) throw snapshotError('ado', `history.loss[${k}]`, `an array of ${rows} losses (domain "${name}")`, loss);
    if (count.length !== rows) throw snapshotError('ado', `history.count[${k}]`, `an array of ${rows} counts (domain "${name}")`, count);
    for (let r = 0; r < rows; r++) {
      const before = r < firstRow[k];
      if (before ? loss[r] !== null : loss[r] === null) {
        throw snapshotError('ado', `history.loss[${k}][${r}]`, before ? `null (before domain "${name}" was added)` : 'a finite number ≥ 0', loss[r]);
      }
      if (before && count[r] !== 0) throw snapshotError('ado', `history.count[${k}][${r}]`, `0 (before domain "${name}" was added)`, count[r]);
    }
  }
  const totals = rowTotals(h, rows);
  const empty = totals.findIndex((t) => !(t > 0));
  if (empty >= 0) fail('ado', 'history.count', `must have a positive total in every row (a step holds at least one example), row ${empty} sums to 0`);
}

function rowTotals(h: HistoryJson, rows: number): Float64Array {
  const totals = new Float64Array(rows);
  for (const c of h.count) for (let r = 0; r < rows; r++) totals[r] += c[r];
  return totals;
}

/** The counts a snapshot's history holds: every count, each domain's own, each domain's base (every count before it joined). */
interface HistoryCounts {
  all: number;
  own: number[];
  base: number[];
}

function countsOfRows(h: HistoryJson): HistoryCounts {
  const totals = rowTotals(h, h.rows);
  return { all: sumOf(totals), own: h.count.map(sumOf), base: h.firstRow.map((f) => sumOf(totals.subarray(0, f))) };
}

/** nSame, nOwn, nBase agree with the history's counts (integers: exact). */
function checkCounts(s: AdoPolicySnapshot, c: HistoryCounts): void {
  if (s.nSame !== c.all) throw snapshotError('ado', 'nSame', `${c.all} (the history's total count)`, s.nSame);
  s.domains.forEach((name, k) => {
    if (s.nOwn[k] !== c.own[k]) throw snapshotError('ado', `nOwn[${k}]`, `${c.own[k]} (domain "${name}"'s total count in the history)`, s.nOwn[k]);
    if (s.nBase[k] !== c.base[k]) throw snapshotError('ado', `nBase[${k}]`, `${c.base[k]} (the history's total count before domain "${name}" was added)`, s.nBase[k]);
  });
}

/** The refits in flight are exactly those started in the last `lag` steps, as the policy started them. */
function checkPending(s: AdoPolicySnapshot, st: AdoSettings, firstStep: number, firstRow: readonly number[]): void {
  const expected: number[] = [];
  if (s.step >= 0 && st.lag > 0) {
    const from = Math.max(firstStep, st.startStep, s.step - st.lag + 1);
    for (let t = Math.ceil(from / st.refitInterval) * st.refitInterval; t <= s.step; t += st.refitInterval) expected.push(t);
  }
  const ids = s.pending.map((j) => j.id);
  if (ids.length !== expected.length || ids.some((id, i) => id !== expected[i])) {
    const which = expected.length > 0 ? `list the refits in flight, started after steps ${expected.join(', ')}` : 'be [] (no refit is in flight)';
    throw snapshotFail('ado', 'pending', `must ${which} (startStep ${st.startStep}, refitInterval ${st.refitInterval}, lag ${st.lag})`, s.pending);
  }
  s.pending.forEach((j, i) => {
    const at = `pending[${i}]`;
    const rows = j.id - firstStep + 1;
    if (j.rows !== rows) throw snapshotError('ado', `${at}.rows`, `${rows} (the history rows after step ${j.id})`, j.rows);
    if (j.applyAt !== j.id + st.lag) throw snapshotError('ado', `${at}.applyAt`, `${j.id + st.lag} (id ${j.id} + lag ${st.lag})`, j.applyAt);
    const d = j.domains;
    if (d.some((k, n) => k >= s.domains.length || (n > 0 && k <= d[n - 1]))) {
      throw snapshotError('ado', `${at}.domains`, `ascending distinct domain indices < ${s.domains.length}`, d);
    }
    const included = new Set(d);
    s.domains.forEach((name, k) => {
      const existed = firstRow[k] < rows;
      if (included.has(k) && !existed) throw snapshotFail('ado', `${at}.domains`, `must not include ${k} (domain "${name}" was added after step ${j.id})`, d);
      if (!included.has(k) && existed && !s.exhausted[k]) throw snapshotFail('ado', `${at}.domains`, `must include ${k} (domain "${name}" existed and is live)`, d);
    });
  });
}

// ---- odm ----

/** A checked odm snapshot and its resolved settings; its weights are the mixture its rewards give. */
export function parseOdmSnapshot(snapshot: unknown): { s: OdmPolicySnapshot; settings: OdmSettings } {
  const header = checkSnapshotHeader(snapshot, 'odm', 1);
  const s = parse('odm', odmSchema(header.domains.length), snapshot) as unknown as OdmPolicySnapshot;
  requireSettings('odm', s.settings, ODM_SETTING_KEYS);
  const settings = nested('odm', 'settings', () => resolveOdmSettings(s.settings));
  checkLive('odm', s.exhausted);
  checkMixture('odm', 'weights', s.weights, s.exhausted, s.domains);
  const live = s.exhausted.map((x) => !x);
  const expected = odmMixture(Float64Array.from(s.rewards), live, s.step + 2, new Float64Array(s.domains.length));
  s.weights.forEach((w, k) => {
    if (!near(w, expected[k])) throw snapshotError('odm', `weights[${k}]`, `${expected[k]} (the mixture "rewards" give, ±${SUM_TOLERANCE})`, w);
  });
  return { s, settings };
}

// ---- natural, balanced, static ----

export function parseStaticSnapshot(snapshot: unknown): StaticPolicySnapshot {
  const header = checkSnapshotHeader(snapshot, ['natural', 'balanced', 'static'], 1);
  const { kind } = header;
  const K = header.domains.length;
  const s = parse(kind, staticSchema(K), snapshot) as unknown as StaticPolicySnapshot;
  checkLive(kind, s.exhausted);
  checkDistribution(kind, 'base', s.base);
  if (kind === 'balanced') {
    s.base.forEach((b, k) => {
      if (!near(b, 1 / K)) throw snapshotError(kind, `base[${k}]`, `${1 / K} (1/${K}: balanced is uniform)`, b);
    });
  }
  return s;
}
