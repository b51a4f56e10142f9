import { describe, expect, it } from 'vitest';
import { FeistelPermutation } from '../../src/random/index.js';

describe('FeistelPermutation', () => {
  it('is a permutation of 0 … n−1 for every n, small or odd-sized', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 16, 17, 100, 1000, 4097, 65_537]) {
      const p = new FeistelPermutation(n, 12345);
      const seen = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = p.at(i);
        expect(v >= 0 && v < n && seen[v] === 0, `n = ${n}, position ${i} → ${v}`).toBe(true);
        seen[v] = 1;
      }
    }
  });

  it('depends on its key, is the same for the same key, and mixes (not the identity, no long runs)', () => {
    const n = 10_000;
    const a = Array.from({ length: n }, (_, i) => new FeistelPermutation(n, 1).at(i));
    const b = Array.from({ length: n }, (_, i) => new FeistelPermutation(n, 2).at(i));
    expect(Array.from({ length: n }, (_, i) => new FeistelPermutation(n, 1).at(i))).toEqual(a);
    expect(a).not.toEqual(b);
    expect(a.filter((v, i) => v === i).length).toBeLessThan(10); // about 1 fixed point expected
    const steps = a.slice(1).filter((v, i) => v === a[i] + 1).length;
    expect(steps).toBeLessThan(10); // consecutive positions rarely map to consecutive values
    // the first half of the order covers both halves of the range about evenly
    expect(Math.abs(a.slice(0, n / 2).filter((v) => v < n / 2).length - n / 4)).toBeLessThan(200);
  });

  it('handles very large n with O(1) memory and rejects bad input', () => {
    const n = 2 ** 40 + 3;
    const p = new FeistelPermutation(n, 7);
    const v = p.at(n - 1);
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThan(n);
    expect(() => new FeistelPermutation(0, 1)).toThrow('FeistelPermutation: n must be a positive safe integer, got 0');
    expect(() => p.at(n)).toThrow(/position must be an integer in \[0, 1099511627779\)/);
  });
});
