import { describe, expect, it } from 'vitest';
import { savitzkyGolay } from '../../src/curves/index.js';

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Math.abs(got[i] - want[i]) > tol) {
      throw new Error(`index ${i}: got ${got[i]}, want ${want[i]} (tolerance ${tol})`);
    }
  }
};

describe('savitzkyGolay', () => {
  it('window 5, order 2: interior weights are scipy savgol_coeffs(5, 2) = [-3, 12, 17, 12, -3]/35', () => {
    // The response to a unit impulse at index 6 is the kernel (symmetric) around it.
    const y = new Array(13).fill(0);
    y[6] = 1;
    const s = savitzkyGolay(y, { window: 5, order: 2 });
    close(s.slice(4, 9), [-3 / 35, 12 / 35, 17 / 35, 12 / 35, -3 / 35], 1e-15);
    close(s.slice(0, 4), [0, 0, 0, 0], 1e-15);
  });

  it('window 5, order 2: edges evaluate the quadratic fitted to the first/last 5 points (hand-computed)', () => {
    // Hat-matrix rows of a quadratic on 5 points: first point [31, 9, -3, -5, 3]/35,
    // second point [9, 13, 12, 6, -5]/35; the last two are their mirror images.
    const y = [2, -1, 4, 0, 3, 7, 1];
    const s = savitzkyGolay(y, { window: 5, order: 2 });
    const dot = (w: number[], v: number[]): number => w.reduce((acc, wi, i) => acc + wi * v[i], 0) / 35;
    const head = y.slice(0, 5);
    const tail = y.slice(2, 7);
    expect(s[0]).toBeCloseTo(dot([31, 9, -3, -5, 3], head), 14);
    expect(s[1]).toBeCloseTo(dot([9, 13, 12, 6, -5], head), 14);
    expect(s[2]).toBeCloseTo(dot([-3, 12, 17, 12, -3], head), 14);
    expect(s[5]).toBeCloseTo(dot([-5, 6, 12, 13, 9], tail), 14);
    expect(s[6]).toBeCloseTo(dot([3, -5, -3, 9, 31], tail), 14);
    // by hand: (31·2 + 9·(−1) − 3·4 − 5·0 + 3·3)/35 = 50/35
    expect(s[0]).toBeCloseTo(50 / 35, 14);
  });

  it('reproduces any cubic exactly with window 101, order 3, edges included', () => {
    const cubic = (t: number): number => 0.3 - 0.02 * t + 4e-4 * t * t - 1.5e-6 * t * t * t;
    const y = Array.from({ length: 300 }, (_, t) => cubic(t));
    close(savitzkyGolay(y), y, 1e-9);
    // short series: largest odd window that fits (59 for 60 points, 7 for 8 points)
    close(savitzkyGolay(y.slice(0, 60)), y.slice(0, 60), 1e-10);
    close(savitzkyGolay(y.slice(0, 8)), y.slice(0, 8), 1e-12);
  });

  it('matches scipy.signal.savgol_filter(y, 7, 3) (scipy 1.17.1)', () => {
    const y = Array.from({ length: 15 }, (_, i) => Math.sin(0.3 * i) + 0.1 * (i % 3));
    const scipy = [
      0.020157330757802346, 0.37699748171586767, 0.6786761684050802, 0.9092727638859885, 1.0289150545409091,
      1.0655801299160772, 1.0991548931189266, 0.9603160403608416, 0.7446277179546127, 0.5545188064596723,
      0.24064699856198396, -0.08578838683515258, -0.35644306033035345, -0.5671726412631668, -0.6926858733322956,
    ];
    close(savitzkyGolay(y, { window: 7, order: 3 }), scipy, 1e-13);
  });

  it('matches scipy.signal.savgol_filter(y, 101, 3) at edge and interior points', () => {
    const y = Array.from({ length: 250 }, (_, i) => Math.sin(0.05 * i) + 0.2 * Math.cos(0.7 * i) + 0.01 * i);
    const s = savitzkyGolay(y);
    const scipy: [number, number][] = [
      [0, -0.1935816588303597],
      [1, -0.09007800618057764],
      [25, 1.2482484936873166],
      [49, 1.0509044837176447],
      [50, 1.0237694992456832],
      [51, 1.0010485622351442],
      [125, 1.2268475546479596],
      [198, 1.5812587947629912],
      [199, 1.5492501224166855],
      [200, 1.5196568716001293],
      [230, 1.3463353886614557],
      [249, 2.514997594922245],
    ];
    for (const [i, v] of scipy) expect(Math.abs(s[i] - v)).toBeLessThan(1e-12);
  });

  it('a 60-point series uses window 59 (scipy savgol_filter(y, 59, 3))', () => {
    const y = Array.from({ length: 60 }, (_, i) => Math.sin(0.05 * i) + 0.2 * Math.cos(0.7 * i) + 0.01 * i);
    const s = savitzkyGolay(y);
    const scipy: [number, number][] = [
      [0, 0.011985247044420475],
      [10, 0.593510625695615],
      [29, 1.265653313074216],
      [30, 1.289389354549746],
      [45, 1.2470923226967203],
      [59, 0.6847954216116936],
    ];
    for (const [i, v] of scipy) expect(Math.abs(s[i] - v)).toBeLessThan(1e-12);
  });

  it('leaves fewer than 5 points unsmoothed and returns a new array', () => {
    const y = [3, 1, 2, 5];
    const s = savitzkyGolay(y);
    expect(Array.from(s)).toEqual(y);
    expect(savitzkyGolay([])).toHaveLength(0);
    // 5 points: window 5 > order 3, so they are smoothed (a cubic through 5 noisy points)
    expect(Array.from(savitzkyGolay([3, 1, 2, 5, 4]))).not.toEqual([3, 1, 2, 5, 4]);
  });

  it('rejects bad options and non-finite values with clear messages', () => {
    expect(() => savitzkyGolay([1, 2, 3], { window: 4 })).toThrow('savitzkyGolay: window must be a positive odd integer, got 4');
    expect(() => savitzkyGolay([1, 2, 3], { window: 3, order: 3 })).toThrow('savitzkyGolay: window (3) must exceed order (3)');
    expect(() => savitzkyGolay([1, 2, 3], { order: -1 })).toThrow('savitzkyGolay: order must be a non-negative integer, got -1');
    expect(() => savitzkyGolay([1, 2, NaN, 4, 5])).toThrow('savitzkyGolay: y[2] = NaN is not a finite number');
  });
});
