import { describe, expect, it } from 'vitest';
import { GrowableRows } from '../../src/numerics/index.js';

describe('GrowableRows', () => {
  it('keeps every row across doublings, row-major, trimmed to size', () => {
    const r = new GrowableRows(3, 1);
    for (let i = 0; i < 100; i++) r.push([i, 10 * i, 100 * i, 999]); // the 4th value is past the width
    expect(r.rows).toBe(100);
    const v = r.values();
    expect(v).toHaveLength(300);
    expect(Array.from(v.subarray(297))).toEqual([99, 990, 9900]);
    expect(r.at(42, 1)).toBe(420);
  });

  it('one-number rows, read back and merged in place', () => {
    const r = new GrowableRows(1, 2);
    [5, 6, 7].forEach((x) => r.pushValue(x));
    r.set(2, 0, r.at(2) + 1);
    expect(Array.from(r.values())).toEqual([5, 6, 8]);
  });
});
