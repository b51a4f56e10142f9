/**
 * Argument parsing and number/table formatting shared by `adomix laws` and `adomix cost`.
 * Quantities accept plain or exponent notation and the suffixes k, M, B (or G), T:
 * `5.76e23`, `70B`, `1.5M`.
 */
import { InvalidArgumentError } from 'commander';

const QUANTITY = /^\+?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?([kKMBGT])?$/;
const SUFFIX: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, B: 1e9, G: 1e9, T: 1e12 };

/** A positive finite number, e.g. `5.76e23` or `70B`; undefined when `text` is not one. */
export function quantity(text: string): number | undefined {
  const t = text.trim();
  const m = QUANTITY.exec(t);
  if (!m) return undefined;
  const v = Number(m[1] + (m[2] ?? '')) * (m[3] ? SUFFIX[m[3]] : 1);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/** Commander parser: a positive quantity. */
export function positiveQuantity(value: string): number {
  const v = quantity(value);
  if (v === undefined) throw new InvalidArgumentError(`It must be a positive number (e.g. 5.76e23 or 70B), got "${value}".`);
  return v;
}

/** Commander parser: a positive integer (suffixes allowed: 4k = 4000). */
export function positiveInteger(value: string): number {
  const v = quantity(value);
  if (v === undefined || !Number.isSafeInteger(v)) throw new InvalidArgumentError(`It must be a positive integer, got "${value}".`);
  return v;
}

/** Commander parser: a comma-separated list of one kind of value. */
export function listOf(parse: (v: string) => number) {
  return (value: string): number[] => {
    const parts = value.split(',');
    if (parts.some((p) => p.trim() === '')) throw new InvalidArgumentError(`It must be a comma-separated list, got "${value}".`);
    return parts.map(parse);
  };
}

/** Commander parser: an integer ≥ 0. */
export function nonNegativeInteger(value: string): number {
  const t = value.trim();
  const v = Number(t);
  if (!/^\+?\d+$/.test(t) || !Number.isSafeInteger(v)) throw new InvalidArgumentError(`It must be a non-negative integer, got "${value}".`);
  return v;
}

/** 4 significant digits; exponent form for very large or small magnitudes. */
export function num(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? '—' : String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(digits - 1);
  return x.toPrecision(digits);
}

/** A count with an SI-style suffix: 40.36B, 2.379T, 124.4M. */
export function count(x: number): string {
  if (!Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  for (const [s, v] of [['T', 1e12], ['B', 1e9], ['M', 1e6], ['k', 1e3]] as const) {
    if (a >= v && a < v * 1e3) return `${(x / v).toPrecision(4)}${s}`;
  }
  return a >= 1e15 || (a < 1 && a > 0) ? x.toExponential(3) : x.toPrecision(4);
}

/** An aligned text table: first column left-aligned, the rest right-aligned. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = head.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (c: readonly string[]): string =>
    c.map((v, j) => (j === 0 ? v.padEnd(width[j]) : v.padStart(width[j]))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}
