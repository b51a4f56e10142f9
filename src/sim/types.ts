/**
 * The ground-truth world of the simulator: K data domains, each with a true learning
 * curve in the (effective) examples it has seen.
 *
 *   L_k = ε_k + β_k · (m_k + n0_k)^(−α_k),   m_k = Σ_j T_kj · d_j(n_j)
 *
 * n_j are the examples drawn from domain j so far, d_j(n) the effective data after
 * repetition (see `effectiveData.ts`: data seen more than once counts less, Muennighoff
 * et al. 2023), T the transfer matrix (T_kk = 1; T_kj > 0 when examples of j also
 * teach k), and n0 a small offset so that L(0) is finite (a fresh model's loss).
 *
 * A domain with a capacity term σ_k > 0 also depends on what the model trains on NOW:
 *
 *   L_k = ε_k + β_k · (m_k + n0_k)^(−α_k) + σ_k · ln(1 / (K · r_k))
 *
 * with r_k the model's recent share of domain k (an exponential moving average of the
 * batches' shares over `capacityMemory` steps, starting even at 1/K). It is how a small
 * model behaves on real text (bench/quality-data.ts): its capacity follows the mixture, so a
 * domain's level rises when its share is cut and falls back when the share returns, far
 * more than its data term alone says, while its curve in steps looks like a plateau.
 */

export interface SimDomain {
  name: string;
  /** Irreducible loss ε ≥ 0 (nats). */
  epsilon: number;
  /** Scale β ≥ 0; β = 0 is a domain with nothing to learn (pure noise). */
  beta: number;
  /** Exponent α > 0. */
  alpha: number;
  /** Natural share μ_k (the prior): normalised over the domains. */
  prior: number;
  /** Unique examples available; Infinity when the domain never repeats. */
  size: number;
  /** Most passes over the data before it runs out; Infinity: repeat with diminishing returns. */
  epochs: number;
  /** Relative std of ONE example's loss; a step's mean over c examples gets noise/√c. */
  noise: number;
  /** Offset n0 in examples: L(0) = ε + β·n0^(−α). */
  offset: number;
  /** σ ≥ 0: nats per e-fold of the recent share below an even split (0: the loss depends on the counts only). */
  capacity: number;
}

export interface Scenario {
  name: string;
  description: string;
  domains: SimDomain[];
  /** T[k][j]: how much one (effective) example of domain j counts for domain k; T[k][k] = 1. */
  transfer: number[][];
  /** Default budget in steps (overridable per run). */
  steps: number;
  /** Examples per step. */
  batchSize: number;
  /** R* of Muennighoff et al.: repeated data decays with e^(−R/R*) after the first epoch. */
  repeatDecay: number;
  /** Held-out (true) loss every this many steps; 0 = never; absent: about 50 evaluations per run. */
  evalEvery?: number;
  /** Steps the recent share r of the capacity term averages over (its moving average keeps 1 − 1/capacityMemory). */
  capacityMemory: number;
}
