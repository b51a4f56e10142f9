import { describe, expect, it } from 'vitest';
import { CopyPool } from '../../src/mixing/copyPool.js';
import { AdoPolicy, StaticPolicy } from '../../src/mixing/index.js';

describe('CopyPool', () => {
  it('hands out independent copies with the source values, never the same memory twice', () => {
    const pool = new CopyPool();
    const src = Float64Array.from({ length: 22 }, (_, k) => k / 7);
    const copies = Array.from({ length: 200 }, () => pool.copy(src)); // spans several 8 KiB pools
    src[0] = 99;
    for (const c of copies) {
      expect(c.length).toBe(22);
      expect(c[0]).toBe(0);
      expect(c[21]).toBe(3);
    }
    copies[0][5] = -1;
    expect(copies.slice(1).every((c) => c[5] === 5 / 7)).toBe(true);
    // big vectors get a buffer of their own
    const big = pool.copy(new Float64Array(1000).fill(2));
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(8000);
  });

  it('replaces a pool whose buffer the caller transferred (detached)', () => {
    const pool = new CopyPool();
    const a = pool.copy(new Float64Array([1, 2, 3]));
    structuredClone(a.buffer, { transfer: [a.buffer] });
    expect(a.length).toBe(0); // detached by the caller
    expect(Array.from(pool.copy(new Float64Array([4, 5, 6])))).toEqual([4, 5, 6]);
  });

  it('policies answer fresh arrays: mutating one answer changes neither the policy nor later answers', () => {
    for (const p of [new AdoPolicy({ domains: ['a', 'b', 'c'], prior: [0.5, 0.3, 0.2], initialMixture: 'prior' }), StaticPolicy.natural(['a', 'b', 'c'], [0.5, 0.3, 0.2])]) {
      const w = p.weights();
      w[0] = 7;
      const o = p.observe({ step: 0, loss: [1, 2, 3], count: [1, 1, 1] });
      expect(Array.from(o)).toEqual([0.5, 0.3, 0.2]);
      o[1] = 7;
      expect(Array.from(p.weights())).toEqual([0.5, 0.3, 0.2]);
      expect(w).not.toBe(o);
    }
  });
});
