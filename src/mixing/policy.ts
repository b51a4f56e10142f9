/**
 * The one interface every mixture policy implements.
 *
 * A training loop asks `weights()` for the mixture of its next batch, draws the batch,
 * and reports what that step cost with `observe()`, which answers the next mixture.
 */

/** One training step's per-domain statistics. */
export interface StepObservation {
  /** Global step index t (0, 1, 2, …); each observe() must be the previous step + 1. */
  step: number;
  /** Mean training loss per domain; NaN (or null in a step log) where the domain was absent (count 0). */
  loss: ArrayLike<number>;
  /** Examples (or tokens, per the run's unit) per domain in this step: non-negative integers. */
  count: ArrayLike<number>;
  /** Optional held-out loss per domain (NaN where not evaluated). */
  evalLoss?: ArrayLike<number>;
}

/** A plain JSON-serialisable object holding a policy's whole state. */
export interface PolicySnapshot {
  /** The policy kind, e.g. "ado", "static", "odm". */
  kind: string;
  /** Version of this kind's snapshot layout. */
  version: number;
  /** Last observed step, or -1 before the first observe(). */
  step: number;
  domains: string[];
  [field: string]: unknown;
}

export interface MixturePolicy {
  /** e.g. "ado", "natural", "balanced", "static", "odm". */
  readonly kind: string;
  /** Domain names, in weight order. */
  readonly domains: readonly string[];
  /**
   * The mixture for the next step: finite, non-negative, sums to 1 (a fresh copy the caller
   * owns; the built-in policies cut copies from a pooled buffer, so transfer a copy, not its
   * `.buffer`, to another thread).
   */
  weights(): Float64Array;
  /**
   * Record one step and return the mixture for the next one (a fresh copy). Throws, naming
   * the step, domain and value, on invalid input; the policy is then left unchanged.
   */
  observe(obs: StepObservation): Float64Array;
  /**
   * Optional: told the run's length before its first step (`trainLoop` does this), a policy
   * may fit its schedule to it (AdoPolicy does for short runs). Returns whether it changed anything.
   */
  planSteps?(steps: number): boolean;
  /** Add a domain mid-run with the given prior share. */
  addDomain(name: string, prior: number): void;
  /** Mark a domain's data as exhausted: its weight becomes 0 from now on. */
  markExhausted(domain: string | number): void;
  /** Whole state as plain JSON. */
  snapshot(): PolicySnapshot;
  /** Release resources (worker threads). Safe to call twice. */
  close(): Promise<void>;
}
