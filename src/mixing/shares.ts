/**
 * Small helpers shared by the policies: share vectors over live (not exhausted) domains.
 *
 * A "share vector" is finite, non-negative, and sums to 1 over the live domains; an
 * exhausted domain always has share 0 and its share is redistributed proportionally.
 */

/**
 * out_k = live_k ? src_k : 0, normalised to sum 1. When no live domain has positive
 * mass, falls back to uniform over the live domains (so the result is always a mixture).
 */
export function normalizeLive(src: ArrayLike<number>, live: ArrayLike<boolean>, out: Float64Array): Float64Array {
  const K = out.length;
  let sum = 0;
  let nLive = 0;
  for (let k = 0; k < K; k++) {
    const v = live[k] ? src[k] : 0;
    out[k] = v > 0 && Number.isFinite(v) ? v : 0;
    sum += out[k];
    if (live[k]) nLive++;
  }
  if (sum > 0 && Number.isFinite(sum)) {
    for (let k = 0; k < K; k++) out[k] /= sum;
  } else {
    for (let k = 0; k < K; k++) out[k] = live[k] ? 1 / nLive : 0;
  }
  return out;
}

/**
 * Water-filling floor: the share vector closest in ratio to `v` (over live domains)
 * with every live entry ≥ floor and sum 1. Domains below the floor are pinned to it and
 * the rest are rescaled to the remaining mass; repeated until nothing new is pinned
 * (at most K rounds). If K_live·floor ≥ 1 the result is uniform over live domains.
 * `v` must already be a share vector (zeros on exhausted domains); done in place.
 */
export function floorShares(v: Float64Array, live: ArrayLike<boolean>, floor: number, pinned: Uint8Array): void {
  const K = v.length;
  let nLive = 0;
  for (let k = 0; k < K; k++) if (live[k]) nLive++;
  if (nLive === 0) return;
  if (floor * nLive >= 1) {
    for (let k = 0; k < K; k++) v[k] = live[k] ? 1 / nLive : 0;
    return;
  }
  pinned.fill(0, 0, K);
  for (let round = 0; round < K; round++) {
    // Mass of the free (unpinned live) entries, and how much the floor leaves them.
    let free = 0;
    let nPinned = 0;
    for (let k = 0; k < K; k++) {
      if (!live[k]) continue;
      if (pinned[k]) nPinned++;
      else free += v[k];
    }
    const room = 1 - nPinned * floor;
    let changed = false;
    for (let k = 0; k < K; k++) {
      if (!live[k] || pinned[k]) continue;
      const scaled = free > 0 ? (v[k] * room) / free : room / (nLive - nPinned);
      if (scaled < floor) {
        pinned[k] = 1;
        changed = true;
      }
    }
    if (!changed) {
      for (let k = 0; k < K; k++) {
        if (!live[k]) v[k] = 0;
        else if (pinned[k]) v[k] = floor;
        else v[k] = free > 0 ? (v[k] * room) / free : room / (nLive - nPinned);
      }
      return;
    }
  }
}

/** Index of a domain given by name or index; throws naming the domain when unknown. */
export function resolveDomain(domains: readonly string[], domain: string | number): number {
  if (typeof domain === 'number') {
    if (!Number.isInteger(domain) || domain < 0 || domain >= domains.length) {
      throw new Error(`unknown domain #${domain}: there are ${domains.length} domains (${domains.join(', ')})`);
    }
    return domain;
  }
  const k = domains.indexOf(domain);
  if (k < 0) throw new Error(`unknown domain "${domain}": domains are ${domains.join(', ')}`);
  return k;
}

/** Checks a list of domain names: non-empty strings, no duplicates. */
export function checkDomains(domains: readonly string[], where: string): void {
  if (!Array.isArray(domains) || domains.length === 0) {
    throw new Error(`${where}: domains must be a non-empty array of names`);
  }
  const seen = new Set<string>();
  for (let k = 0; k < domains.length; k++) {
    const d = domains[k];
    if (typeof d !== 'string' || d.length === 0) {
      throw new Error(`${where}: domain #${k} must be a non-empty string, got ${JSON.stringify(d)}`);
    }
    if (seen.has(d)) throw new Error(`${where}: domain "${d}" appears twice`);
    seen.add(d);
  }
}

/**
 * Checks a prior/weight vector (one finite non-negative entry per domain, positive sum)
 * and returns it normalised to sum 1.
 */
export function normalizedVector(v: ArrayLike<number>, domains: readonly string[], what: string): Float64Array {
  if (v === null || v === undefined || typeof v.length !== 'number') {
    throw new Error(`${what} must be an array of ${domains.length} numbers`);
  }
  if (v.length !== domains.length) {
    throw new Error(`${what} has ${v.length} entries, expected ${domains.length} (one per domain)`);
  }
  let sum = 0;
  for (let k = 0; k < v.length; k++) {
    const x = v[k];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
      throw new Error(`${what}: domain "${domains[k]}" (#${k}) must be finite and ≥ 0, got ${String(x)}`);
    }
    sum += x;
  }
  if (!(sum > 0)) throw new Error(`${what} must have a positive sum, got ${sum}`);
  const out = new Float64Array(v.length);
  for (let k = 0; k < v.length; k++) out[k] = v[k] / sum;
  return out;
}

/** Checks the share a new domain gets: 0 < prior < 1. */
export function checkNewDomain(domains: readonly string[], name: string, prior: number): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new Error(`addDomain: name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  if (domains.includes(name)) throw new Error(`addDomain: domain "${name}" already exists`);
  if (typeof prior !== 'number' || !(prior > 0 && prior < 1)) {
    throw new Error(`addDomain("${name}"): prior share must be in (0, 1), got ${String(prior)}`);
  }
}

/**
 * Appends a domain with share p to a share vector: the others are scaled by (1 − p) so
 * the result still sums to 1 and the new domain's share is exactly p.
 */
export function appendShare(v: Float64Array, p: number): Float64Array {
  const out = new Float64Array(v.length + 1);
  for (let k = 0; k < v.length; k++) out[k] = v[k] * (1 - p);
  out[v.length] = p;
  return out;
}

/** Appends one value to a typed array (a new, longer copy). */
export function appendValue(v: Float64Array, x: number): Float64Array {
  const out = new Float64Array(v.length + 1);
  out.set(v);
  out[v.length] = x;
  return out;
}
