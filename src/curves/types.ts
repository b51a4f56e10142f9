/**
 * Shared types of the learning-curve law L(n) = ε + β·n^(−α).
 *
 * Parameterised as in the ADO reference: β = exp(a), ε = exp(e), so every
 * (a, e, α) is a valid law and the fit works in log space.
 */
export interface PowerLawParams {
  /** log β */
  a: number;
  /** log ε */
  e: number;
  /** exponent α */
  alpha: number;
}

/** Bound presets: `auto` follows the data; `reference` reproduces the authors' penalties. */
export type BoundPreset = 'auto' | 'reference';

/** How a domain's example count n_k grows (see DESIGN.md). */
export type CountMode = 'same-step' | 'per-domain';
