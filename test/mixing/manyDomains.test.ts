/**
 * More than 128 domains: the history reserves a bounded amount of address space (it used
 * to reserve 2^21 rows × 2K doubles, which V8 refuses past K = 128), and a policy over
 * hundreds or a thousand domains runs, refits and resumes bit for bit.
 */
import { describe, expect, it, vi } from 'vitest';
import { AdoPolicy, StepHistory, restorePolicy } from '../../src/mixing/index.js';
import { MAX_RESERVED_BYTES } from '../../src/mixing/history.js';
import { Rng } from '../../src/random/index.js';
import { drive, sameBits, WideRun } from './helpers.js';

const names = (K: number) => Array.from({ length: K }, (_, k) => `d${k}`);

/** The largest deviation from "a mixture": a negative or non-finite entry (Infinity), or |Σ − 1|. */
function mixtureError(w: Float64Array): number {
  let s = 0;
  for (const x of w) {
    if (!(Number.isFinite(x) && x >= 0)) return Infinity;
    s += x;
  }
  return Math.abs(s - 1);
}

describe('the history buffer for many domains', () => {
  it('reserves at most MAX_RESERVED_BYTES of address space, whatever K', () => {
    expect(MAX_RESERVED_BYTES).toBe(2 ** 30);
    for (const K of [3, 128, 129, 1000, 20000]) {
      const h = new StepHistory(K);
      const max = (h.buffer as SharedArrayBuffer & { maxByteLength?: number }).maxByteLength ?? h.buffer.byteLength;
      expect(max).toBeLessThanOrEqual(Math.max(MAX_RESERVED_BYTES, h.buffer.byteLength));
      expect(h.buffer.byteLength).toBeLessThanOrEqual(16 * 2 ** 20 + 16 * K); // the first rows: ≤ 16 MiB (or one row)
    }
  });

  it('asks for less address space where the runtime refuses a reservation, down to none', () => {
    const Real = SharedArrayBuffer;
    for (const limit of [2 ** 20, 0]) {
      // A runtime that refuses growable buffers reserving more than `limit` bytes (0: any).
      class Refusing extends Real {
        constructor(n: number, o?: { maxByteLength: number }) {
          if (o !== undefined && o.maxByteLength > limit) throw new RangeError('refused');
          super(n, o as never);
        }
      }
      vi.stubGlobal('SharedArrayBuffer', Refusing);
      try {
        const h = new StepHistory(3);
        const b = h.buffer as SharedArrayBuffer & { growable?: boolean; maxByteLength?: number };
        if (limit > 0) expect(b.maxByteLength).toBeGreaterThan(limit / 2);
        expect(b.maxByteLength ?? 0).toBeLessThanOrEqual(Math.max(limit, b.byteLength));
        if (limit === 0) expect(b.growable).toBe(false);
        for (let t = 0; t < 3000; t++) h.append(t, [t, 1, 2], [1, t % 3, 0]);
        expect(Array.from(h.lossColumn(0)).every((x, t) => x === t)).toBe(true);
        expect(Array.from(h.countColumn(1)).every((x, t) => x === t % 3)).toBe(true);
      } finally {
        vi.unstubAllGlobals();
      }
    }
  });

  it('keeps every row through growth and reallocation past the reservation', () => {
    const K = 129;
    for (const maxRows of [undefined, 1024]) {
      const h = new StepHistory(K, { maxRows });
      const rng = new Rng(1);
      const rows: number[][] = [];
      for (let t = 0; t < 5000; t++) {
        const count = Array.from({ length: K }, () => rng.int(3));
        count[0] += 1;
        const loss = count.map((c) => (c > 0 ? rng.next() * 4 : NaN));
        h.append(t, loss, count);
        if (t % 997 === 0) rows.push([t, ...count]);
      }
      for (const [t, ...count] of rows) for (let k = 0; k < K; k++) expect(h.countColumn(k)[t]).toBe(count[k]);
      expect(h.rows).toBe(5000);
    }
  });
});

describe('the default δ_min', () => {
  it('is 0.01 up to 100 domains and 1/(2K) beyond', () => {
    expect(new AdoPolicy({ domains: names(100) }).settings.minShare).toBe(0.01);
    expect(new AdoPolicy({ domains: names(100), preset: 'reference' }).settings.minShare).toBe(0.01);
    expect(new AdoPolicy({ domains: names(101) }).settings.minShare).toBe(1 / 202);
    expect(() => new AdoPolicy({ domains: names(101), minShare: 0.01 })).toThrow(/^AdoPolicy: minShare must be ≤ 1\/101 \(101 live domains each get at least minShare\), got 0\.01$/);
  });
});

describe.each([129, 200, 1000])('ADO over %i domains', (K) => {
  const opts = { domains: names(K), startStep: 600, refitInterval: 600, ignoreSteps: 100, lag: 13, fit: { subsample: 25 } };

  it('constructs with a feasible default δ_min, refits, and resumes from JSON bit for bit', () => {
    const full = new AdoPolicy(opts);
    expect(full.settings.minShare).toBe(1 / (2 * K)); // 0.01 would not fit: K·0.01 > 1
    const steps = 1250;
    const all = drive(full, new WideRun(K), steps);
    expect(full.lawsVersion).toBe(2); // refits at 600 and 1200
    expect(full.laws().filter((l) => l !== null).length).toBeGreaterThan(K / 2);
    expect(Math.max(...all.map(mixtureError))).toBeLessThan(1e-12);
    // the laws steer the mixture away from uniform
    const last = all[steps - 1];
    expect(Math.max(...last) / Math.min(...last)).toBeGreaterThan(1.5);

    const run = new WideRun(K);
    const a = new AdoPolicy(opts);
    const head = drive(a, run, 1205); // the refit started after 1200 is in flight
    expect(a.pendingRefits.map((j) => j.id)).toEqual([1200]);
    const b = restorePolicy(JSON.parse(JSON.stringify(a.snapshot())));
    const tail = drive(b, run, steps - 1205);
    expect(sameBits(all, [...head, ...tail])).toBe(true);
    expect(JSON.stringify(b.snapshot())).toBe(JSON.stringify(full.snapshot()));
  });
});
