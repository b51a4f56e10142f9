/**
 * Compute-optimal allocation of a training budget C = 6·N·D between parameters N and
 * tokens D.
 *
 * Chinchilla form (Hoffmann et al. 2022, eq. 4): minimising E + A/N^α + B/D^β on 6ND = C,
 *   N_opt = G·(C/6)^(β/(α+β)),  D_opt = (1/G)·(C/6)^(α/(α+β)),  G = (α·A / (β·B))^(1/(α+β)),
 * and the loss there is E + (A·G^(−α) + B·G^β)·(C/6)^(−αβ/(α+β)).
 *
 * Kaplan joint form (Kaplan et al. 2020, eq. 1.5) on 6ND = C: with k = α_N/α_D, minimising
 * (N_c/N)^k + 6·D_c·N/C gives N_opt^(k+1) = k·N_c^k·C/(6·D_c), exponent α_D/(α_N+α_D).
 * Kaplan's own, published allocation (§6, C in PF-days, 1 PF-day = 8.64e19 FLOP) comes from
 * the L(N, S) analysis instead: N_opt ≈ 1.3e9·C^0.73, D_opt ≈ 2e10·C^0.27.
 */
import { chinchillaLoss, type ChinchillaLaw } from './chinchillaLaw.js';
import { kaplanLoss, type KaplanLaw } from './kaplanLaw.js';
import type { PlanningLaw } from './planningLaw.js';

/** One PF-day in FLOP: 1e15 FLOP/s for 86,400 s. */
export const PF_DAY_FLOP = 8.64e19;

export type OptimumMethod = 'chinchilla-closed-form' | 'kaplan-joint-6nd' | 'kaplan-published';

export interface ComputeOptimum {
  /** Training compute in FLOP. */
  compute: number;
  /** Parameters (counted as the law counts them). */
  N: number;
  /** Tokens. */
  D: number;
  /** D / N. */
  tokensPerParam: number;
  /** Predicted loss at (N, D). */
  loss: number;
  method: OptimumMethod;
}

function checkCompute(C: number): void {
  if (!Number.isFinite(C) || C <= 0) throw new Error(`compute must be a positive number of FLOP, got ${C}`);
}

/** Exponents of N_opt ∝ C^a and D_opt ∝ C^b for the Chinchilla form: a = β/(α+β), b = α/(α+β). */
export function chinchillaOptimalExponents(law: ChinchillaLaw): { a: number; b: number } {
  const s = law.alpha + law.beta;
  return { a: law.beta / s, b: law.alpha / s };
}

/** The closed-form compute-optimal (N, D) of the Chinchilla form under C = 6ND. */
export function chinchillaOptimum(law: ChinchillaLaw, C: number): ComputeOptimum {
  checkCompute(C);
  const { alpha, beta, A, B } = law;
  if (!(alpha > 0 && beta > 0)) throw new Error(`compute-optimal allocation needs α, β > 0, got α = ${alpha}, β = ${beta}`);
  const s = alpha + beta;
  // In logs: (C/6)^x overflows nothing this way.
  const logG = (Math.log(alpha * A) - Math.log(beta * B)) / s;
  const logC6 = Math.log(C / 6);
  const N = Math.exp(logG + (beta / s) * logC6);
  const D = Math.exp(-logG + (alpha / s) * logC6);
  return { compute: C, N, D, tokensPerParam: D / N, loss: chinchillaLoss(law, N, D), method: 'chinchilla-closed-form' };
}

/** Compute needed to reach `loss` at the Chinchilla optimum (inverse of the optimal-loss curve). */
export function chinchillaComputeForLoss(law: ChinchillaLaw, loss: number): number {
  if (!(loss > law.E)) throw new Error(`target loss ${loss} is not above the irreducible loss E = ${law.E}`);
  const { alpha, beta, A, B } = law;
  const s = alpha + beta;
  const logG = (Math.log(alpha * A) - Math.log(beta * B)) / s;
  const K = A * Math.exp(-alpha * logG) + B * Math.exp(beta * logG);
  return 6 * Math.exp(-(s / (alpha * beta)) * Math.log((loss - law.E) / K));
}

/** The compute-optimal (N, D) of Kaplan's joint form under C = 6ND (closed form above). */
export function kaplanOptimum(law: KaplanLaw, C: number): ComputeOptimum {
  checkCompute(C);
  const k = law.alphaN / law.alphaD;
  const logN = (Math.log(k) + k * Math.log(law.Nc) + Math.log(C) - Math.log(6 * law.Dc)) / (k + 1);
  const N = Math.exp(logN);
  const D = C / (6 * N);
  return { compute: C, N, D, tokensPerParam: D / N, loss: kaplanLoss(law, N, D), method: 'kaplan-joint-6nd' };
}

/**
 * Kaplan et al.'s published compute-efficient allocation: N ≈ 1.3e9·C^0.73, D ≈ 2e10·C^0.27,
 * C in PF-days. N is non-embedding. The loss is the given law's at (N, D) (NaN without a law).
 * These fits do not satisfy 6ND = C exactly: Kaplan's C_min counts compute differently.
 */
export function kaplanPublishedAllocation(C: number, law?: KaplanLaw): ComputeOptimum {
  checkCompute(C);
  const pfDays = C / PF_DAY_FLOP;
  const N = 1.3e9 * Math.pow(pfDays, 0.73);
  const D = 2e10 * Math.pow(pfDays, 0.27);
  return { compute: C, N, D, tokensPerParam: D / N, loss: law ? kaplanLoss(law, N, D) : NaN, method: 'kaplan-published' };
}

/** The compute-optimal allocation of any planning law under C = 6ND. */
export function computeOptimal(law: PlanningLaw, C: number): ComputeOptimum {
  return law.form === 'chinchilla' ? chinchillaOptimum(law, C) : kaplanOptimum(law, C);
}
