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

/** A seed: 0 … 2^32 − 1. */
export const seedOption = integerOption(0, MAX_SEED);
