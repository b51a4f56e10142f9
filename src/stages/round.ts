/**
 * A mixture written with d decimals that still sums to exactly 1.
 *
 * Rounding each weight on its own can leave the printed sum off by up to K/2 units of the
 * last place, which a reader that checks the sum tightly (numpy's `choice(p=…)`, which
 * `datasets.interleave_datasets` uses, allows about 1.5e-8) refuses. Instead the weights
 * are apportioned by largest remainder (Hamilton's method): with u_k = 10^d · w_k / Σw,
 * each weight gets ⌊u_k⌋ units and the 10^d − Σ⌊u_k⌋ units left go, one each, to the
 * largest fractions u_k − ⌊u_k⌋ (ties to the lower index). Every weight moves by less
 * than one unit, and the units sum to 10^d exactly.
 */

/** The largest `decimals` accepted (10^12 units stay exact integers in a double). */
export const MAX_DECIMALS = 12;

function checkDecimals(decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    throw new Error(`roundMixture: decimals must be an integer from 0 to ${MAX_DECIMALS}, got ${decimals}`);
  }
}

/** Integer units of 10^−d per weight, summing to exactly 10^d (see the module comment). */
export function roundMixture(weights: ArrayLike<number>, decimals: number): number[] {
  checkDecimals(decimals);
  const scale = 10 ** decimals;
  let total = 0;
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k];
    if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`roundMixture: weight ${k} must be a finite number ≥ 0, got ${w}`);
    total += w;
  }
  if (!(total > 0)) throw new Error('roundMixture: the weights sum to 0');
  const units = new Array<number>(weights.length);
  const fraction = new Array<number>(weights.length);
  let given = 0;
  for (let k = 0; k < weights.length; k++) {
    const u = (weights[k] / total) * scale;
    units[k] = Math.floor(u);
    fraction[k] = u - units[k];
    given += units[k];
  }
  const order = units.map((_, k) => k).sort((a, b) => fraction[b] - fraction[a] || a - b);
  for (let r = 0; r < scale - given; r++) units[order[r % order.length]]++;
  return units;
}

/** `units` × 10^−d as an exact decimal string: 390123, 6 → "0.390123"; 250000, 6 → "0.25"; 0 → "0". */
export function formatUnits(units: number, decimals: number): string {
  checkDecimals(decimals);
  if (!Number.isSafeInteger(units) || units < 0) throw new Error(`formatUnits: units must be a non-negative safe integer, got ${units}`);
  const digits = String(units).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return frac === '' ? whole : `${whole}.${frac}`;
}

/** The weights as decimal strings of at most `decimals` places that sum to exactly 1. */
export function mixtureDecimals(weights: ArrayLike<number>, decimals: number): string[] {
  return roundMixture(weights, decimals).map((u) => formatUnits(u, decimals));
}
