/**
 * What a refit is, and the runner that performs it (inline here, or in a worker thread
 * at the edge, see src/refit).
 *
 * A refit started after step t fits the points prepared after step t (RefitDomainJob) and
 * nothing newer, so its outcome depends only on the history up to t, never on when it
 * runs. The policy collects it after step t + lag.
 */
import type { CountMode, BoundPreset, FitDiagnostics } from '../curves/index.js';

/** The options a refit passes to `fitDomains` (everything but `domains`). */
export interface RefitFitOptions {
  preset: BoundPreset;
  ignoreSteps: number;
  countMode: CountMode;
  minPoints: number;
  delta?: number;
  subsample?: number;
  window?: number;
  order?: number;
  countScale?: number;
  /** Thinning (fitPoints.ts); absent or 0: every point is kept. */
  maxPoints?: number;
}

/**
 * One domain's refit result. `ok` only when the fit succeeded with finite parameters (and,
 * in the policy's report, passed its fit checks). `diagnostics` come with every fit
 * (fitDiagnostics.ts: plain numbers and null, so they cross the worker's JSON unchanged);
 * `refused` says which fit check refused a fit (then `reason` is "fit refused: …").
 */
export type RefitDomainResult =
  | { domain: number; ok: true; params: [number, number, number]; points: number; diagnostics?: FitDiagnostics }
  | { domain: number; ok: false; reason: string; points: number; diagnostics?: FitDiagnostics; refused?: string; params?: [number, number, number] };

export interface RefitOutcome {
  /** One entry per fitted domain (the request's `domains`, in order). */
  results: RefitDomainResult[];
  /** Set when the fit threw: then no law changes. */
  error?: string;
}

/**
 * What one domain's fit reads, prepared when the refit starts (fitPoints.ts): its frozen
 * points (a chunk list in the point arena and a count; chunks never change once written)
 * and the tail points smoothed at the start, or the reason it cannot be fitted.
 */
export interface RefitDomainJob {
  domain: number;
  /** Set when the domain cannot be fitted; then there are no points to read. */
  reason?: string;
  /** Points the fit would use (reported with a refusal too). */
  points: number;
  chunks: number[];
  frozen: number;
  /** The domain's thinning generation when prepared (a snapshot stores the points again if it changed). */
  generation: number;
  tailN: number[];
  tailLoss: number[];
  /** The domain's law when the refit started, [a, e, α]: the fit's warm start (absent: a cold fit). */
  warmStart?: [number, number, number];
  /** With warmStart: false keeps a well-posed warm optimum without the α-profile scan (fitPowerLaw's `verify`). */
  verify?: boolean;
}

export interface RefitRequest {
  /** Unique per policy; the policy's step after which the refit started. */
  id: number;
  /** History rows when it started. */
  rows: number;
  fit: RefitFitOptions;
  /** One per domain to fit (live domains), in order. */
  jobs: RefitDomainJob[];
}

/** Where the frozen points a job names live: the point arena's buffers, shared with a worker. */
export interface RefitPointSource {
  readonly arena: { readonly buffers: readonly (SharedArrayBuffer | ArrayBuffer)[]; readonly views: readonly Float64Array[] };
  readonly shared: boolean;
}

export interface RefitRunner {
  readonly mode: 'inline' | 'worker';
  /** Starts a refit of the jobs' points (shared, not copied; the chunks they name never change). */
  submit(request: RefitRequest, points: RefitPointSource): void;
  /** The outcome of a submitted refit, waiting for it if it is not done. Each id is collected once. */
  collect(id: number): RefitOutcome;
  /** Forget submitted refits (their results are never collected). */
  discard(id: number): void;
  /** Stops any thread; safe to call twice. */
  close(): Promise<void>;
}
