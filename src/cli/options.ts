/**
 * Option parsers shared by the subcommands (commander `argParser`s): integers in a range,
 * and seeds, which are 32-bit everywhere in adomix (0 … 2^32 − 1, the generator's words).
 */
import { InvalidArgumentError } from 'commander';
import { MAX_SEED } from '../random/index.js';

/** An integer in [min, max], written as digits (no 1e3, no 1.0). */
export function integerOption(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  const what =
    max !== Number.MAX_SAFE_INTEGER
      ? `an integer from ${min} to ${max}`
      : min === 0
        ? 'a non-negative integer'
        : min === 1
          ? 'a positive integer'
          : `an integer ≥ ${min}`;
  return (value: string): number => {
    const t = value.trim();
    const n = Number(t);
    if (!/^[+-]?\d+$/.test(t) || !Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`It must be ${what}.`);
    return n;
  };
}

/** A number > 0 (`--max-epochs 2.5`). */
export function positiveNumberOption(value: string): number {
  const t = value.trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n) || !(n > 0)) throw new InvalidArgumentError('It must be a number > 0.');
  return n;
}

/**
 * `name=N,...`: a number ≥ 0 per domain name (`--budget code=1200000,math=50000`); repeatable,
 * each name at most once.
 */
export function budgetOption(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const out = { ...previous };
  for (const entry of value.split(',')) {
    const eq = entry.indexOf('=');
    const name = entry.slice(0, eq).trim();
    const text = entry.slice(eq + 1).trim();
    const n = Number(text);
    if (eq < 0 || name === '' || text === '') throw new InvalidArgumentError(`"${entry}" is not NAME=N (entries are separated by commas).`);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`"${entry}": the budget must be a number ≥ 0 (examples or tokens, in the log's unit).`);
    if (Object.hasOwn(out, name)) throw new InvalidArgumentError(`"${name}" is given twice.`);
    out[name] = n;
  }
  return out;
}

/** A seed: 0 … 2^32 − 1. */
export const seedOption = integerOption(0, MAX_SEED);
