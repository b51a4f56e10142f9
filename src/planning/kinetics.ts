/**
 * Inference cost in eFLOPs (Sadhukhan et al. 2025, "Kinetics: Rethinking Test-Time Scaling
 * Laws", arXiv 2506.05333): eFLOPs = compute FLOPs + I · memory bytes moved, with I the
 * hardware's arithmetic intensity (562.5 for a B200).
 *
 * Per query: prompt of L_in tokens, N sampled trials of L_out tokens each, a model of P
 * parameters with n_layers layers, n_heads query heads and n_kv key/value heads of size
 * d_h. As in the authors' implementation (dense attention, 2-byte KV cache, the prompt's
 * KV shared by the N trials, weight reads left out):
 *   compute = 2·P·L_out·N + 2·(2·L_in + L_out)·L_out·n_heads·d_h·n_layers·N
 *   memory  = 2·(2·L_in + N·L_out)·L_out·n_kv·d_h·n_layers
 * The first compute term is the parameter FLOPs, the second attention; memory is the KV
 * cache read at every generated token. Both are linear in N and quadratic in L_out, so the
 * largest N or L_out within a budget has a closed form.
 */

export const B200_INTENSITY = 562.5;

export interface KineticsConfig {
  /** Model parameters P. */
  params: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Prompt length L_in (tokens). */
  promptLength: number;
  /** Generation length L_out per trial (tokens). */
  genLength: number;
  /** Sampled trials N. */
  trials: number;
  /** Arithmetic intensity I (FLOP per byte). Default 562.5 (B200). */
  intensity?: number;
}

export interface KineticsCost {
  /** 2·P·L_out·N. */
  paramFlops: number;
  /** 2·(2·L_in + L_out)·L_out·n_heads·d_h·n_layers·N. */
  attentionFlops: number;
  computeFlops: number;
  /** KV-cache bytes read: 2·(2·L_in + N·L_out)·L_out·n_kv·d_h·n_layers. */
  memoryBytes: number;
  /** I · memoryBytes. */
  memoryEFlops: number;
  eFlops: number;
  /** memoryEFlops / eFlops. */
  memoryShare: number;
  intensity: number;
}

function positive(v: number, name: string, integer: boolean): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new Error(`kinetics config: ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(v)}`);
  }
}

export function validateKineticsConfig(cfg: KineticsConfig): void {
  positive(cfg.params, 'params', false);
  for (const k of ['layers', 'heads', 'kvHeads', 'headDim', 'promptLength', 'genLength', 'trials'] as const) positive(cfg[k], k, true);
  if (cfg.intensity !== undefined) positive(cfg.intensity, 'intensity', false);
  if (cfg.heads % cfg.kvHeads !== 0) throw new Error(`kinetics config: heads (${cfg.heads}) must be a multiple of kvHeads (${cfg.kvHeads})`);
}

export function kineticsCost(cfg: KineticsConfig): KineticsCost {
  validateKineticsConfig(cfg);
  const I = cfg.intensity ?? B200_INTENSITY;
  const { params: P, layers: nl, heads: h, kvHeads: g, headDim: dh, promptLength: Li, genLength: Lo, trials: N } = cfg;
  const paramFlops = 2 * P * Lo * N;
  const attentionFlops = 2 * (2 * Li + Lo) * Lo * h * dh * nl * N;
  const computeFlops = paramFlops + attentionFlops;
  const memoryBytes = 2 * (2 * Li + N * Lo) * Lo * g * dh * nl;
  const memoryEFlops = I * memoryBytes;
  const eFlops = computeFlops + memoryEFlops;
  return { paramFlops, attentionFlops, computeFlops, memoryBytes, memoryEFlops, eFlops, memoryShare: memoryEFlops / eFlops, intensity: I };
}

/** eFLOPs of cfg with `trials` and `gen` substituted (the formulas above). */
function eFlopsAt(cfg: KineticsConfig, trials: number, gen: number): number {
  const I = cfg.intensity ?? B200_INTENSITY;
  const { params: P, layers: nl, heads: h, kvHeads: g, headDim: dh, promptLength: Li } = cfg;
  const compute = 2 * P * gen * trials + 2 * (2 * Li + gen) * gen * h * dh * nl * trials;
  return compute + I * 2 * (2 * Li + trials * gen) * gen * g * dh * nl;
}

/** Rounds a closed-form root down to the last integer whose cost fits (guards rounding). */
function lastFitting(root: number, fits: (k: number) => boolean): number {
  let k = Math.max(0, Math.floor(root));
  while (k > 0 && !fits(k)) k--;
  while (fits(k + 1)) k++;
  return k;
}

/** The most trials (≥ 0) whose cost stays within `budget` eFLOPs: cost = c0 + c1·N. */
export function maxTrialsWithin(budget: number, cfg: KineticsConfig): number {
  validateKineticsConfig(cfg);
  const Lo = cfg.genLength;
  const c0 = eFlopsAt(cfg, 0, Lo); // the shared prompt-KV reads
  const c1 = eFlopsAt(cfg, 1, Lo) - c0;
  const tol = budget * 1e-12;
  return lastFitting((budget - c0) / c1, (k) => eFlopsAt(cfg, k, Lo) <= budget + tol);
}

/** The longest generation (tokens, ≥ 0) whose cost stays within `budget`: cost = q·L² + l·L. */
export function maxGenWithin(budget: number, cfg: KineticsConfig): number {
  validateKineticsConfig(cfg);
  const I = cfg.intensity ?? B200_INTENSITY;
  const { params: P, layers: nl, heads: h, kvHeads: g, headDim: dh, promptLength: Li, trials: N } = cfg;
  const q = 2 * h * dh * nl * N + I * 2 * N * g * dh * nl;
  const l = 2 * P * N + 4 * Li * h * dh * nl * N + I * 4 * Li * g * dh * nl;
  if (!(budget > 0)) return 0;
  const root = (-l + Math.sqrt(l * l + 4 * q * budget)) / (2 * q);
  const tol = budget * 1e-12;
  return lastFitting(root, (k) => eFlopsAt(cfg, N, k) <= budget + tol);
}

export interface EqualCostRow {
  config: KineticsConfig;
  cost: KineticsCost;
  /** Trials affordable at this config's generation length within the budget. */
  maxTrials: number;
  /** Generation length affordable at this config's trials within the budget. */
  maxGen: number;
}

/** Several configurations side by side at one eFLOPs budget. */
export function compareAtEqualCost(budget: number, configs: readonly KineticsConfig[]): EqualCostRow[] {
  if (!(budget > 0) || !Number.isFinite(budget)) throw new Error(`budget must be a positive number of eFLOPs, got ${budget}`);
  return configs.map((config) => ({ config, cost: kineticsCost(config), maxTrials: maxTrialsWithin(budget, config), maxGen: maxGenWithin(budget, config) }));
}
