/**
 * fitPowerLaw: the ADO learning-curve fit L(n) = ε + β·n^(−α) to (n_i, ℓ_i).
 *
 * Minimises the reference objective, the SUM over points of Huber_δ(log L̂(n_i) − log ℓ_i)
 * (δ = 1e-3, log L̂ = logsumexp(a − α·log n, e)), under the preset's limits (fitBounds.ts):
 *   - `auto` (default): hard bounds following the data: 0 ≤ α ≤ 2, ε ≤ the loss curve's
 *     lowest level (the smallest mean of ℓ over runs of N/20 points consecutive in n; the
 *     smallest ℓ itself below 40 points), ε > 0 and a kept finite by wide floors;
 *   - `reference`: the reference's unscaled linear penalties, added to the objective and
 *     minimised honestly (the optimum can lie beyond a penalty's kink).
 *
 * Where the reference refines 512 grid starts with L-BFGS, this:
 *   1. profiles the objective over α (step 0.05) on a subsample (all points up to 1024,
 *      else 256 evenly spread ones weighted N/256), with (ε, β) in closed form for each α
 *      (alphaScan.ts), keeping the profile's local minima as starts — for `reference` in
 *      the penalty-free box and in a wide box beyond the kinks;
 *   2. refines each start on the subsample by following the α profile to its minimum
 *      (variable projection, profileRefine.ts), and scores the distinct candidates on all
 *      points when there are several;
 *   3. polishes the best distinct candidates on all points with a damped, projected Newton
 *      method on the exact penalised objective (penalizedNewton.ts; profileRefine again
 *      if Newton stalls in a curved valley) until a tight KKT test passes.
 * On a typical 1,900-point curve (20,000 steps through fitDomains) that is the scan's
 * 41 × 2 × 256 logarithms, ~20 evaluations of f, ∇f, ∇²f on 256 points and ~6 on all of
 * them (bench/fit.ts times it as the "cold single-domain fit").
 * `converged` reports that test. A non-finite parameter is never returned.
 *
 * With `warmStart` (a refit: the domain's previous law), step 1 runs as before, then damped
 * Newton starts from that law on all points; its optimum is returned without steps 2–3 when
 * the scan vouches for it (warmCandidate, wellPosed, warmVerified), else steps 2–3 run too
 * and the better of both is returned: never worse than the cold fit. A refit of 1,900 points
 * then costs the scan and ~5 Newton iterations; of 10,000, the scan and ~2.
 *
 * Fewer than 3 points do not determine 3 parameters (the ADO reference's first fit sees a
 * single point, which it accepts). Then the parameters the data cannot fix are held where
 * the reference's search starts, its first grid start (a, e, α) = (−2, −2, 0) brought into
 * the preset's penalty-free box (reference: (−2, 0.5, 0.001)), and the rest is fitted
 * exactly (underdeterminedFit).
 */
import type { BoundPreset, PowerLawParams } from './types.js';
import { freeBox, logLossLevel, presetLimits, totalPenalty, type FitLimits } from './fitBounds.js';
import { alphaScan, type ScanStart } from './alphaScan.js';
import { penalizedNewton, type NewtonResult } from './penalizedNewton.js';
import { profileRefine } from './profileRefine.js';
import { diagnosticsAt, sumSquaresAboutMean, type FitDiagnostics } from './fitDiagnostics.js';
import { evaluateObjective, lawDataOf, newObjectiveState, objectiveValue, type LawData, type ObjectiveState } from './lawObjective.js';

export interface FitPowerLawOptions {
  /** Bound preset (default 'auto'). */
  preset?: BoundPreset;
  /** Huber threshold δ on log-space residuals (default 1e-3). */
  delta?: number;
  /**
   * A refit's start: the domain's previous law. The damped Newton method starts from it on
   * all points; its optimum is kept when the α-profile scan of the cold fit (step 1) finds
   * every start in its basin (warmBasin), else the cold fit runs as well and the better of
   * the two is returned. Ignored below 3 points.
   */
  warmStart?: PowerLawParams;
  /**
   * Also return `diagnostics` (fitDiagnostics.ts) of the fit: from the last Newton
   * iteration's sums when the warm optimum is kept (no extra pass over the points), else
   * from one more evaluation at the optimum. Equal to fitDiagnostics(n, loss, params).
   */
  diagnostics?: boolean;
  /**
   * With `warmStart`: false skips the scan when the warm optimum is well posed (returned as
   * warm: 'unverified'); a refit schedule verifies every few refits (AdoPolicy:
   * `warmVerifyEvery`). Default true.
   */
  verify?: boolean;
}

export interface PowerLawFit {
  params: PowerLawParams;
  /** ε = exp(e): the irreducible loss. */
  epsilon: number;
  /** β = exp(a). */
  beta: number;
  alpha: number;
  /** Σ Huber over the points, plus the penalties for `reference`. */
  objective: number;
  /** Newton iterations (inner profile solves included) spent refining the returned fit. */
  iterations: number;
  /** Points used. */
  points: number;
  /** Whether the gradient (KKT) test passed at a tight tolerance. */
  converged: boolean;
  /**
   * With `warmStart` only: 'accepted' when the warm optimum was verified against the
   * α-profile scan and returned without the cold fit; 'rejected' when the cold fit ran too
   * (the better of both is returned); 'unverified' when it was kept without the scan
   * (`verify: false`).
   */
  warm?: 'accepted' | 'rejected' | 'unverified';
  /** With the `diagnostics` option only. */
  diagnostics?: FitDiagnostics;
}

/** Points the start finder and the first refinement look at (beyond FULL_BELOW). */
const SCAN_POINTS = 256;
/** Up to this many points, starts are found and refined on all of them. */
const FULL_BELOW = 1024;
/** Local minima of the α profile refined, per scanned box. */
const MAX_STARTS = 6;
/** Spacing of the α profile. */
const ALPHA_STEP = 0.05;
/** Candidates polished on all points at most. */
const MAX_POLISHED = 3;
/** Candidates polished on all points when their objective is this close to the best. */
const POLISH_MARGIN = 0.05;

export function fitPowerLaw(
  n: ArrayLike<number>,
  loss: ArrayLike<number>,
  options: FitPowerLawOptions = {},
): PowerLawFit {
  const preset = options.preset ?? 'auto';
  if (preset !== 'auto' && preset !== 'reference') {
    throw new Error(`fitPowerLaw: preset must be 'auto' or 'reference', got ${JSON.stringify(preset)}`);
  }
  const delta = options.delta ?? 1e-3;
  if (!(Number.isFinite(delta) && delta > 0)) {
    throw new Error(`fitPowerLaw: delta must be a positive finite number, got ${delta}`);
  }
  const warmTheta = options.warmStart === undefined ? undefined : warmStartOf(options.warmStart);
  const data = lawData(n, loss);
  const N = data.x.length;
  let maxX = -Infinity;
  let minX = Infinity;
  for (let i = 0; i < N; i++) {
    if (data.x[i] > maxX) maxX = data.x[i];
    if (data.x[i] < minX) minX = data.x[i];
  }
  const limits = presetLimits(preset, logLossLevel(data.x, loss), maxX);
  const penalty = (t: ArrayLike<number>): number => totalPenalty(limits, t);
  // The diagnostics of the returned θ (state: the objective's at θ, when there is one).
  const done = (fit: PowerLawFit, state?: ObjectiveState): PowerLawFit => {
    if (!options.diagnostics) return fit;
    const theta = [fit.params.a, fit.params.e, fit.params.alpha];
    if (state === undefined) evaluateObjective(data, theta, delta, (state = newObjectiveState()));
    fit.diagnostics = diagnosticsAt(state, N, theta, limits, sumSquaresAboutMean(data.y));
    return fit;
  };
  if (N < 3) {
    const theta = underdeterminedFit(data, limits);
    return done(result(theta, objectiveValue(data, theta, delta) + penalty(theta), 0, N, true));
  }

  // A warm start not to be verified this time: its Newton optimum is kept when well posed.
  let warm: (Candidate & { verifiable: boolean; state: ObjectiveState }) | undefined;
  if (warmTheta !== undefined && options.verify === false) {
    warm = warmCandidate(data, warmTheta, limits, delta, minX, maxX);
    if (warm !== undefined && warm.verifiable) return done(result(warm.theta, warm.objective, warm.iterations, N, true, 'unverified'), warm.state);
  }

  // 1. starts: local minima of the α profile on a subsample, in the penalty-free box and,
  //    for `reference`, also in a wide box reaching beyond the penalties' kinks.
  const sub = N <= FULL_BELOW ? data : subsample(data, SCAN_POINTS);
  const boxes = [freeBox(limits)];
  if (preset === 'reference') boxes.push(wideBox(data));
  const starts: ScanStart[] = [];
  for (const box of boxes) {
    const steps = Math.max(8, Math.round((box.hi[2] - box.lo[2]) / ALPHA_STEP));
    starts.push(...alphaScan(sub, box.lo, box.hi, delta, steps, MAX_STARTS, penalty));
  }

  // A warm start: Newton on all points from the previous law, kept when no start of the
  // scan leads elsewhere to a competitive optimum (warmVerified).
  if (warmTheta !== undefined) {
    warm ??= warmCandidate(data, warmTheta, limits, delta, minX, maxX);
    if (warm !== undefined && warm.verifiable && warmVerified(sub, starts, warm.theta, limits, delta)) {
      return done(result(warm.theta, warm.objective, warm.iterations, N, true, 'accepted'), warm.state);
    }
  }
  const cold = starts.length === 0 ? undefined : coldFit(data, sub, starts, limits, delta);
  const state = warmTheta === undefined ? undefined : 'rejected';
  if (warm !== undefined && (cold === undefined || warm.objective < cold.objective)) {
    return done(result(warm.theta, warm.objective, warm.iterations, N, warm.converged, state), warm.state);
  }
  if (cold === undefined) throw new Error('fitPowerLaw: no finite start found (is the data degenerate?)');
  return done(result(cold.theta, cold.objective, cold.iterations, N, cold.converged, state));
}

/** Steps 2 and 3 of the cold fit, from the scan's starts (at least one). */
function coldFit(data: LawData, sub: LawData, starts: ScanStart[], limits: FitLimits, delta: number): Candidate {
  const penalty = (t: ArrayLike<number>): number => totalPenalty(limits, t);
  starts.sort((p, q) => p.f - q.f);

  // 2. each start refined on the subsample (exact penalised objective); duplicates dropped;
  //    when there is a choice, the candidates are scored on all points.
  const same = sub === data;
  let candidates: Candidate[] = [];
  for (const s of starts) {
    // the α profile is what the scan sampled: follow it to its minimum
    const r = profileRefine(sub, s.theta, limits, delta);
    if (!r.theta.every(Number.isFinite)) continue;
    if (candidates.some((c) => c.theta.every((v, j) => Math.abs(v - r.theta[j]) <= 1e-6 * (1 + Math.abs(v))))) {
      continue;
    }
    const f = r.f + penalty(r.theta);
    if (!Number.isFinite(f)) continue;
    candidates.push({ theta: r.theta, objective: f, iterations: r.iterations, converged: same && r.converged });
  }
  if (!same && candidates.length > 1) {
    for (const c of candidates) c.objective = objectiveValue(data, c.theta, delta) + penalty(c.theta);
    candidates = candidates.filter((c) => Number.isFinite(c.objective));
  }
  candidates.sort((p, q) => p.objective - q.objective);

  // 3. the best candidates polished on all points
  let best: Candidate | undefined = same ? candidates[0] : undefined;
  if (!same) {
    for (const c of candidates.slice(0, MAX_POLISHED)) {
      if (best !== undefined && !(c.objective <= candidates[0].objective * (1 + POLISH_MARGIN))) break;
      const r = refine(data, c.theta, limits, delta);
      const objective = r.f + penalty(r.theta);
      if (!r.theta.every(Number.isFinite) || !Number.isFinite(objective)) continue;
      if (best === undefined || objective < best.objective) {
        best = { theta: r.theta, objective, iterations: c.iterations + r.iterations, converged: r.converged };
      }
    }
  }
  if (best === undefined) {
    // Never hand out a non-finite parameter: fall back to the best finite start.
    const theta = [...starts[0].theta];
    best = { theta, objective: objectiveValue(data, theta, delta) + penalty(theta), iterations: 0, converged: false };
  }
  return best;
}

/** The previous law as θ = (a, e, α), validated. */
function warmStartOf(p: PowerLawParams): [number, number, number] {
  if (p === null || typeof p !== 'object') {
    throw new Error(`fitPowerLaw: warmStart must be a law {a, e, alpha}, got ${JSON.stringify(p)}`);
  }
  for (const key of ['a', 'e', 'alpha'] as const) {
    const v = p[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`fitPowerLaw: warmStart.${key} must be a finite number, got ${String(v)}`);
    }
  }
  return [p.a, p.e, p.alpha];
}

/**
 * The warm optimum: the previous law brought inside the preset's hard limits, refined on
 * all points by at most WARM_ITERATIONS damped Newton iterations; undefined if it is not
 * finite. `verifiable` when Newton converged at a well-posed optimum (wellPosed): only then
 * can the scan vouch for it. A start that needs
 * more iterations is no cheap refit: the cold fit runs, and this point is only a candidate.
 */
function warmCandidate(
  data: LawData,
  theta0: readonly number[],
  limits: FitLimits,
  delta: number,
  minX: number,
  maxX: number,
): (Candidate & { verifiable: boolean; state: ObjectiveState }) | undefined {
  const start = theta0.map((v, j) => Math.min(limits[j].hi, Math.max(limits[j].lo, v)));
  const r = penalizedNewton(data, start, limits, delta, WARM_ITERATIONS);
  const objective = r.f + totalPenalty(limits, r.theta);
  if (!r.theta.every(Number.isFinite) || !Number.isFinite(objective)) return undefined;
  const verifiable = r.converged && wellPosed(r.theta, minX, maxX);
  return { theta: r.theta, objective, iterations: r.iterations, converged: r.converged, verifiable, state: r.state };
}

/** Newton iterations a warm start may take before the cold fit runs. */
const WARM_ITERATIONS = 20;
/** Least share of L̂ that ε and β·n^−α must each carry somewhere in the data (else a plateau). */
const MIN_SHARE = 1e-6;

/**
 * Whether an optimum is well posed: α at least one step of the scan's grid, else it lies in
 * the flat small-α valley (the law nearly linear in log n), whose shallow local minima
 * differ by up to ~1e-4 of the objective (3e-5 seen) and which the scan cannot tell apart; and both
 * terms of the law carry at least MIN_SHARE of L̂ somewhere (p = σ(a − α·x − e) is monotone
 * in x, so the ends of the data, x from minX to maxX, decide), else it sits on a plateau
 * where ∇f vanishes (ε → 0 or β → 0): Newton cannot leave it, while the cold fit's
 * closed-form starts may find an interior optimum below it.
 */
function wellPosed(theta: readonly number[], minX: number, maxX: number): boolean {
  const [a, e, alpha] = theta;
  if (!(alpha >= ALPHA_STEP)) return false;
  const share = (x: number): number => 1 / (1 + Math.exp(-(a - alpha * x - e)));
  const pMax = Math.max(share(minX), share(maxX));
  const qMax = Math.max(1 - share(minX), 1 - share(maxX));
  return pMax >= MIN_SHARE && qMax >= MIN_SHARE;
}

/** A scan start is in the warm optimum's basin within this many α grid steps ... */
const WARM_BASIN_STEPS = 2;
/** ... and when its law stays this close to the warm one on the scanned points (log L̂). */
const WARM_BASIN_LAW = 0.01;
/** A start refined elsewhere must be worse than the warm optimum by this fraction (scanned points). */
const WARM_MARGIN = 0.05;

/**
 * Whether the warm optimum θ_w stands against the cold fit's starts: every start either lies
 * in its basin (α within WARM_BASIN_STEPS grid steps and log L̂ within WARM_BASIN_LAW of θ_w's
 * at every scanned point: the cold fit would refine it to θ_w), or, refined on the scanned
 * points as the cold fit refines it (profileRefine), ends above θ_w's objective there by more
 * than WARM_MARGIN (the cold fit's polish could not bring it below θ_w).
 */
function warmVerified(sub: LawData, starts: ScanStart[], warm: readonly number[], limits: FitLimits, delta: number): boolean {
  let warmSub = NaN;
  for (const s of starts) {
    if (Math.abs(s.theta[2] - warm[2]) <= WARM_BASIN_STEPS * ALPHA_STEP && lawDistance(sub, s.theta, warm) <= WARM_BASIN_LAW) continue;
    if (Number.isNaN(warmSub)) warmSub = objectiveValue(sub, warm, delta) + totalPenalty(limits, warm);
    const r = profileRefine(sub, s.theta, limits, delta);
    const f = r.f + totalPenalty(limits, r.theta);
    if (!(r.theta.every(Number.isFinite) && Number.isFinite(f))) continue; // the cold fit drops it too
    if (!(f > warmSub * (1 + WARM_MARGIN))) return false;
  }
  return true;
}

/** max_i |log L̂_p(n_i) − log L̂_q(n_i)| over the points of `data` (log L̂ = logsumexp(a − α·x, e)). */
function lawDistance(data: LawData, p: readonly number[], q: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < data.x.length; i++) {
    const diff = Math.abs(logLaw(p, data.x[i]) - logLaw(q, data.x[i]));
    if (!(diff <= d)) d = diff;
  }
  return d;
}

function logLaw(t: readonly number[], x: number): number {
  const u = t[0] - t[2] * x;
  const m = u > t[1] ? u : t[1];
  return m + Math.log1p(Math.exp(-Math.abs(u - t[1])));
}

function result(
  theta: readonly number[],
  objective: number,
  iterations: number,
  points: number,
  converged: boolean,
  warm?: PowerLawFit['warm'],
): PowerLawFit {
  const [a, e, alpha] = theta;
  const fit: PowerLawFit = { params: { a, e, alpha }, epsilon: Math.exp(e), beta: Math.exp(a), alpha, objective, iterations, points, converged };
  if (warm !== undefined) fit.warm = warm;
  return fit;
}

/** The ADO reference's first grid start (a, e, α); its grid is a ∈ {−2…5}, e ∈ {−2…1.5}, α ∈ {0…0.7}. */
export const FIRST_GRID_START: readonly [number, number, number] = [-2, -2, 0];

/**
 * The fit of 1 or 2 points, which cannot determine (a, e, α). Held at the reference's first
 * grid start, brought into the preset's penalty-free box (θ₀): with 1 point e and α; with 2
 * points e alone. The rest is solved exactly from log(ℓ_i − ε) = a − α·log n_i (clamped to
 * the box): 1 point gives a = α₀·x + log(ℓ − ε₀); 2 points give the line through both. A
 * point at or below ε₀ cannot be reached: the law is then flat at ε₀ (a at its lower limit).
 * Two points at the same n, or not both above ε₀, are fitted as the later one alone.
 */
export function underdeterminedFit(data: LawData, limits: FitLimits): number[] {
  const box = freeBox(limits);
  const clamp = (v: number, j: number): number => Math.min(box.hi[j], Math.max(box.lo[j], v));
  const theta = FIRST_GRID_START.map(clamp);
  const eps = Math.exp(theta[1]);
  const N = data.x.length;
  const last = N - 1;
  const reducible = (i: number): number => Math.exp(data.y[i]) - eps;
  if (N === 2 && data.x[0] !== data.x[1] && reducible(0) > 0 && reducible(1) > 0) {
    const [r0, r1] = [Math.log(reducible(0)), Math.log(reducible(1))];
    theta[2] = clamp((r0 - r1) / (data.x[1] - data.x[0]), 2);
    theta[0] = clamp((r0 + theta[2] * data.x[0] + r1 + theta[2] * data.x[1]) / 2, 0);
    return theta;
  }
  const r = reducible(last);
  theta[0] = r > 0 ? clamp(theta[2] * data.x[last] + Math.log(r), 0) : limits[0].lo;
  return theta;
}

/** Newton iterations before a stalled fit is handed to the profile (valley) refinement. */
const NEWTON_ITERATIONS = 30;

/**
 * Damped Newton on the penalised objective; if it has not converged after a few dozen
 * iterations (a curved valley, typically small α), the variable-projection refinement
 * takes over from where it stopped. Returns the better of the two.
 */
function refine(data: LawData, theta: ArrayLike<number>, limits: FitLimits, delta: number): NewtonResult {
  const r = penalizedNewton(data, theta, limits, delta, NEWTON_ITERATIONS);
  if (r.converged) return r;
  const p = profileRefine(data, r.theta, limits, delta);
  p.iterations += r.iterations;
  const objective = (x: NewtonResult): number => x.f + totalPenalty(limits, x.theta);
  if (!p.theta.every(Number.isFinite) || !(objective(p) <= objective(r))) {
    r.iterations = p.iterations;
    return r;
  }
  return p;
}

interface Candidate {
  theta: number[];
  objective: number;
  iterations: number;
  converged: boolean;
}

/**
 * Where the reference preset's starts beyond its penalty kinks are looked for: ε from far
 * below the data to its top, α up to 2, β wide.
 */
function wideBox(data: LawData): { lo: number[]; hi: number[] } {
  let minY = Infinity;
  let maxY = -Infinity;
  let maxX = 0;
  for (let i = 0; i < data.y.length; i++) {
    minY = Math.min(minY, data.y[i]);
    maxY = Math.max(maxY, data.y[i]);
    maxX = Math.max(maxX, data.x[i]);
  }
  return { lo: [-30, minY - 7, 0], hi: [30 + 2 * maxX, maxY, 2] };
}

/** Validated x = log n, y = log loss. */
function lawData(n: ArrayLike<number>, loss: ArrayLike<number>): LawData {
  if (n == null || loss == null || typeof n.length !== 'number' || typeof loss.length !== 'number') {
    throw new Error('fitPowerLaw: n and loss must be arrays of numbers');
  }
  if (n.length !== loss.length) {
    throw new Error(`fitPowerLaw: n has ${n.length} values but loss has ${loss.length}; they must match`);
  }
  if (n.length < 1) {
    throw new Error('fitPowerLaw: needs at least 1 point, got none');
  }
  const N = n.length;
  const x = new Float64Array(N);
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const ni = n[i];
    const li = loss[i];
    if (typeof ni !== 'number' || !Number.isFinite(ni) || ni <= 0) {
      throw new Error(`fitPowerLaw: n[${i}] = ${String(ni)} must be a positive finite number`);
    }
    if (typeof li !== 'number' || !Number.isFinite(li) || li <= 0) {
      throw new Error(`fitPowerLaw: loss[${i}] = ${String(li)} must be a positive finite number`);
    }
    x[i] = Math.log(ni);
    y[i] = Math.log(li);
  }
  return lawDataOf(x, y, 1);
}

/** At most `m` points spread evenly over the index range (all of them when N ≤ m). */
function subsample(data: LawData, m: number): LawData {
  const N = data.x.length;
  if (N <= m) return data;
  const x = new Float64Array(m);
  const y = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const i = Math.round((k * (N - 1)) / (m - 1));
    x[k] = data.x[i];
    y[k] = data.y[i];
  }
  return lawDataOf(x, y, N / m);
}
