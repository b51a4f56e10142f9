/**
 * The ADO weight update for one step, as pure math over typed arrays (DESIGN.md,
 * "The ADO algorithm", steps 2–5; step 1, the h update, happens in `updateHistoryShares`).
 *
 * For every live domain k with a law (a_k, e_k, α_k) and n_k > 0:
 *   slope_k = max(α_k, α_min) · (L̂_k(n_k) − ε_k) / n_k,   L̂_k(n) − ε_k = exp(a_k − α_k·ln n)
 *   r_k     = (τ_k · (slope_k + σ_k/n_k) · H(h_k))^γ,   H(h) = h^s  (or (h·(1−h))^s, an earlier commit's bug, as an option);
 *             σ_k the capacity term (min(σ, what domain k has learned); AdoPolicy), γ = 1 by default
 * where τ is the domains' importance (the reference uses the prior, τ = μ; adomix's default
 * is uniform, τ_k = 1: the mixture that minimises the mean loss over domains, see AdoPolicy).
 *   ρ_k     = r_k / Σ r                 (live domains without a law keep their prior share, below)
 *   ρ       ← floor(ρ, δ_min)           (reference: max(ρ, δ) then renormalise; exact: water-filling)
 *   π_k     = γ·π̄_k + (1 − γ)·ρ_k       with π̄ from the previous step
 *   π̄_k     ← (1 − 1/(t+1))·π̄_k + ρ_k/(t+1)
 * and finally π is masked to the live domains and renormalised (this also absorbs rounding);
 * in `exact` floor mode π itself is floored at δ_min too (a no-op unless μ_k < δ_min).
 *
 * Beyond the reference: a live domain without a law (added mid-run, or refused for too few
 * points) keeps its share of the prior over live domains in ρ, and the domains with laws
 * share the rest; exhausted domains get ρ = π = 0.
 */
import { floorShares, normalizeLive } from './shares.js';

export type FloorMode = 'exact' | 'reference';
export type HistoryTerm = 'h' | 'h(1-h)';

export interface AdoWeightParams {
  /** Exponent s of the history term (0.5). */
  s: number;
  /** γ: π = γ·π̄ + (1 − γ)·ρ (0.9). */
  mixDecay: number;
  /** δ_min (0.01). */
  minShare: number;
  /** Lower bound on α in the slope only (0.05). */
  minExponent: number;
  /** γ: ρ ∝ r^γ (1: the credit itself). */
  creditExponent: number;
  floor: FloorMode;
  historyTerm: HistoryTerm;
}

export interface AdoWeightState {
  /** The initial mixture (sums to 1 over all domains: μ or τ normalised): the share of a live domain without a law. */
  mu: Float64Array;
  /** Importance τ_k ≥ 0 of each domain inside ρ (the reference: τ = μ; any scale). */
  importance: Float64Array;
  /** Smoothed realised shares h. */
  h: Float64Array;
  /** π̄, updated in place. */
  piBar: Float64Array;
  live: readonly boolean[];
  /** Laws per domain: lawA/lawE/lawAlpha valid where hasLaw[k] = 1. */
  hasLaw: Uint8Array;
  lawA: Float64Array;
  lawE: Float64Array;
  lawAlpha: Float64Array;
  /** Cumulative count n_k at which the slope is taken. */
  n: Float64Array;
  /** σ_k ≥ 0: loss per e-fold of domain k's own share, added to its credit α(L̂ − ε) (0: none). */
  capacity: Float64Array;
}

export interface AdoScratch {
  rho: Float64Array;
  pinned: Uint8Array;
}

export function newAdoScratch(K: number): AdoScratch {
  return { rho: new Float64Array(K), pinned: new Uint8Array(K) };
}

/**
 * The mixture ADO starts from: the prior μ, or the importance τ normalised (τ = μ for the
 * target "prior", so both are μ there). A fresh array.
 */
export function initialShares(mode: 'target' | 'prior', mu: Float64Array, importance: Float64Array): Float64Array {
  if (mode === 'prior' || importance === mu) return mu.slice();
  let total = 0;
  for (let k = 0; k < importance.length; k++) total += importance[k];
  return Float64Array.from(importance, (x) => x / total);
}

/** h_k ← d·h_k + (1 − d)·c_k/Σc (step 1; the step's realised shares). */
export function updateHistoryShares(h: Float64Array, count: ArrayLike<number>, decay: number): void {
  const K = h.length;
  let total = 0;
  for (let k = 0; k < K; k++) total += count[k];
  for (let k = 0; k < K; k++) h[k] = decay * h[k] + (1 - decay) * (count[k] / total);
}

/** True when at least one live domain has a law (then the policy leaves μ). */
export function anyLiveLaw(state: Pick<AdoWeightState, 'hasLaw' | 'live'>): boolean {
  for (let k = 0; k < state.hasLaw.length; k++) if (state.hasLaw[k] && state.live[k]) return true;
  return false;
}

/**
 * ρ for the current laws (steps 2–4). Writes scratch.rho; reads nothing else mutable.
 */
export function adoRho(state: AdoWeightState, p: AdoWeightParams, scratch: AdoScratch): Float64Array {
  const { mu, importance, h, live, hasLaw, lawA, lawAlpha, n, capacity } = state;
  const rho = scratch.rho;
  const K = mu.length;
  let muLive = 0;
  let muLawless = 0;
  let sumR = 0;
  let nLive = 0;
  let nLawless = 0;
  // In same-step mode every domain has the same n: take its log once.
  let lastN = NaN;
  let logN = NaN;
  // Read once (this runs every step): H = base^s is the constant 1 for s = 0 (pow(x, 0) = 1
  // for every x, so skipping it changes nothing) and a square root for s = 0.5.
  const s = p.s;
  const hMode = s === 0 ? 0 : s === 0.5 ? 1 : 2;
  const plainH = p.historyTerm === 'h';
  const minExponent = p.minExponent;
  const gamma = p.creditExponent;
  for (let k = 0; k < K; k++) {
    rho[k] = 0;
    if (!live[k]) continue;
    nLive++;
    muLive += mu[k];
    if (!hasLaw[k] || !(n[k] > 0)) {
      muLawless += mu[k];
      nLawless++;
      rho[k] = -1; // marker: lawless, filled below
      continue;
    }
    const nk = n[k];
    if (nk !== lastN) {
      lastN = nk;
      logN = Math.log(nk);
    }
    const alpha = lawAlpha[k];
    const reducible = Math.exp(lawA[k] - alpha * logN); // L̂(n) − ε = β·n^(−α)
    const slope = (Math.max(alpha, minExponent) * reducible + capacity[k]) / nk;
    let hTerm = 1;
    if (hMode !== 0) {
      const hk = h[k];
      const base = plainH ? hk : hk * (1 - hk);
      hTerm = hMode === 1 ? Math.sqrt(base) : Math.pow(base, s);
    }
    const r = gamma === 1 ? importance[k] * slope * hTerm : Math.pow(importance[k] * slope * hTerm, gamma);
    rho[k] = r > 0 && Number.isFinite(r) ? r : 0;
    sumR += rho[k];
  }
  // Mass of lawless live domains: their prior share among live domains.
  const lawlessShare = muLive > 0 ? muLawless / muLive : 0;
  const lawMass = 1 - lawlessShare;
  const nLawful = nLive - nLawless;
  for (let k = 0; k < K; k++) {
    if (!live[k]) continue;
    if (rho[k] === -1) rho[k] = muLive > 0 ? mu[k] / muLive : 1 / nLive;
    else if (sumR > 0 && Number.isFinite(sumR)) rho[k] = (lawMass * rho[k]) / sumR;
    else {
      // No usable slope at all: the lawful domains split their mass by prior (else evenly).
      const muLaw = muLive - muLawless;
      rho[k] = muLaw > 0 ? (lawMass * mu[k]) / muLaw : lawMass / nLawful;
    }
  }
  if (p.floor === 'reference') clipMinProbability(rho, live, p.minShare);
  else if (belowFloor(rho, live, p.minShare)) floorShares(rho, live, p.minShare, scratch.pinned);
  return rho;
}

/**
 * The reference's clip_min_probability over the live domains:
 * deficit = max(δ·K − Σp, 0); p ← p·(1 − deficit)/Σp; p ← max(p, δ); p ← p/Σp.
 */
export function clipMinProbability(p: Float64Array, live: readonly boolean[], minProb: number): void {
  const K = p.length;
  let sum = 0;
  let nLive = 0;
  for (let k = 0; k < K; k++) {
    if (!live[k]) continue;
    sum += p[k];
    nLive++;
  }
  const deficit = Math.max(minProb * nLive - sum, 0);
  const scale = (1 - deficit) / sum;
  let total = 0;
  for (let k = 0; k < K; k++) {
    if (!live[k]) {
      p[k] = 0;
      continue;
    }
    p[k] = Math.max(p[k] * scale, minProb);
    total += p[k];
  }
  for (let k = 0; k < K; k++) p[k] /= total;
}

/**
 * Steps 2–5 after observing global step t: computes ρ, writes π (masked to live domains,
 * normalised) into `out`, and updates π̄ in place.
 */
export function adoMixture(
  t: number,
  state: AdoWeightState,
  p: AdoWeightParams,
  scratch: AdoScratch,
  out: Float64Array,
): Float64Array {
  const rho = adoRho(state, p, scratch);
  const { piBar } = state;
  const K = rho.length;
  const g = p.mixDecay;
  const w = 1 / (t + 1);
  for (let k = 0; k < K; k++) {
    out[k] = g * piBar[k] + (1 - g) * rho[k];
    piBar[k] = (1 - w) * piBar[k] + w * rho[k];
  }
  normalizeLive(out, state.live, out);
  // Exact mode guarantees δ_min on the answer too. A no-op unless some μ_k < δ_min or a
  // domain added mid-run scaled π̄ down; the reference leaves π as it is.
  if (p.floor === 'exact' && belowFloor(out, state.live, p.minShare)) floorShares(out, state.live, p.minShare, scratch.pinned);
  return out;
}

function belowFloor(v: Float64Array, live: readonly boolean[], floor: number): boolean {
  for (let k = 0; k < v.length; k++) if (live[k] && v[k] < floor) return true;
  return false;
}
