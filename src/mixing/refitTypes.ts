/**
 * What a refit is, and the runner that performs it (inline here, or in a worker thread
 * at the edge, see src/refit).
 *
 * A refit started after step t reads history rows 0 … rows−1 (rows = rows written after
 * step t) and nothing newer, so its outcome depends only on the history up to t, never on
 * when it runs. The policy collects it after step t + lag.
 */
import type { CountMode, BoundPreset, FitDiagnostics } from '../curves/index.js';

/** Structurally the `DomainHistory` the fitting engine takes. */
export interface DomainHistoryView {
  steps: number;
  loss: ArrayLike<number>[];
  count: ArrayLike<number>[];
  firstStep?: ArrayLike<number>;
}

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

export interface RefitRequest {
  /** Unique per policy; the policy's step after which the refit started. */
  id: number;
  /** History rows the refit reads. */
  rows: number;
  fit: RefitFitOptions;
  /** Domain indices to fit (live domains). */
  domains: number[];
}

/** Anything that exposes the history buffers a refit reads. */
export interface RefitHistorySource {
  view(rows?: number): DomainHistoryView;
  /** Row-major rows (K losses then K counts per row, see history.ts), shared with a worker. */
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  /** K: the number of domains, so a row is 2K doubles. */
  readonly domains: number;
  readonly firstRow: readonly number[];
  readonly shared: boolean;
}

export interface RefitRunner {
  readonly mode: 'inline' | 'worker';
  /** Starts a refit over `history` (shared, not copied; rows < request.rows are never written again). */
  submit(request: RefitRequest, history: RefitHistorySource): void;
  /** The outcome of a submitted refit, waiting for it if it is not done. Each id is collected once. */
  collect(id: number): RefitOutcome;
  /** Forget submitted refits (their results are never collected). */
  discard(id: number): void;
  /** Stops any thread; safe to call twice. */
  close(): Promise<void>;
}
