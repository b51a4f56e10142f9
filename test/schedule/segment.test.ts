import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/index.js';
import { formatUnits, mixtureDecimals, roundMixture, segmentTrajectory } from '../../src/stages/index.js';

/** A random mixture of K domains (normalised exponentials: a flat Dirichlet draw). */
function randomMixture(rng: Rng, K: number): number[] {
  const x = Array.from({ length: K }, () => -Math.log(1 - rng.next()));
  const s = x.reduce((a, b) => a + b, 0);
  return x.map((v) => v / s);
}

/** T steps, row-major, from a function of the step. */
function trajectory(T: number, K: number, at: (t: number) => number[]): Float64Array {
  const w = new Float64Array(T * K);
  for (let t = 0; t < T; t++) w.set(at(t), t * K);
  return w;
}

/** Σ_s Σ_{t∈s} ‖w(t) − mean_s‖², computed directly for the stages cut at `cuts` (0 = c_0 < … < c_M = T). */
function directError(w: Float64Array, K: number, cuts: number[]): number {
  let e = 0;
  for (let s = 0; s + 1 < cuts.length; s++) {
    const [a, b] = [cuts[s], cuts[s + 1]];
    const mean = new Array<number>(K).fill(0);
    for (let t = a; t < b; t++) for (let k = 0; k < K; k++) mean[k] += w[t * K + k] / (b - a);
    for (let t = a; t < b; t++) for (let k = 0; k < K; k++) e += (w[t * K + k] - mean[k]) ** 2;
  }
  return e;
}

/** Every way to cut T steps into M stages of at least `min` steps, as cut lists. */
function allCuts(T: number, M: number, min = 1): number[][] {
  const out: number[][] = [];
  const rec = (cuts: number[]): void => {
    const last = cuts[cuts.length - 1];
    const left = M - (cuts.length - 1);
    if (left === 1) {
      if (T - last >= min) out.push([...cuts, T]);
      return;
    }
    for (let c = last + min; c <= T - (left - 1) * min; c++) rec([...cuts, c]);
  };
  rec([0]);
  return out;
}

const cutsOf = (stages: { start: number; end: number }[]): number[] => [...stages.map((s) => s.start), stages[stages.length - 1].end];

describe('segmentTrajectory', () => {
  const a = [0.5, 0.3, 0.2];
  const b = [0.1, 0.6, 0.3];
  const c = [0.25, 0.25, 0.5];

  it('recovers a piecewise-constant trajectory exactly: boundaries, weights, zero error', () => {
    const w = trajectory(300, 3, (t) => (t < 100 ? a : t < 220 ? b : c));
    const seg = segmentTrajectory(w, 3, { stages: 3 });
    expect(seg.stages.map((s) => [s.start, s.end])).toEqual([
      [0, 100],
      [100, 220],
      [220, 300],
    ]);
    [a, b, c].forEach((m, s) => m.forEach((x, k) => expect(seg.stages[s].weights[k]).toBeCloseTo(x, 14)));
    expect(seg.sse).toBe(0);
    expect(seg.rms).toBe(0);
    expect(seg.blocks).toBe(300);
    expect(seg.blockSize).toBe(1);
  });

  it('recovers boundaries that fall on block boundaries of a long trajectory', () => {
    // 100,000 steps in 500 blocks of 200: the pieces change at steps 30,000 and 72,200.
    const w = trajectory(100_000, 3, (t) => (t < 30_000 ? a : t < 72_200 ? b : c));
    const seg = segmentTrajectory(w, 3, { stages: 3, maxBlocks: 500 });
    expect(seg.blocks).toBe(500);
    expect(seg.blockSize).toBe(200);
    expect(cutsOf(seg.stages)).toEqual([0, 30_000, 72_200, 100_000]);
    [a, b, c].forEach((m, s) => m.forEach((x, k) => expect(seg.stages[s].weights[k]).toBeCloseTo(x, 12)));
    expect(seg.rms).toBe(0);
  });

  it('finds the jumps under noise, and gives each stage the mean of its steps', () => {
    const rng = new Rng(7);
    const w = trajectory(600, 3, (t) => {
      const m = t < 150 ? a : t < 400 ? b : c;
      const noisy = m.map((x) => x * (1 + 0.02 * rng.normal()));
      const s = noisy.reduce((p, q) => p + q, 0);
      return noisy.map((x) => x / s);
    });
    const seg = segmentTrajectory(w, 3, { stages: 3 });
    expect(cutsOf(seg.stages)).toEqual([0, 150, 400, 600]);
    for (const s of seg.stages) {
      for (let k = 0; k < 3; k++) {
        let mean = 0;
        for (let t = s.start; t < s.end; t++) mean += w[t * 3 + k] / (s.end - s.start);
        expect(s.weights[k]).toBeCloseTo(mean, 14);
      }
    }
    expect(seg.sse).toBeCloseTo(directError(w, 3, cutsOf(seg.stages)), 12);
    expect(seg.rms).toBeCloseTo(Math.sqrt(seg.sse / 600), 15);
  });

  it('is the exact optimum: equal to the best of all segmentations of a short random trajectory', () => {
    const rng = new Rng(11);
    const T = 16;
    const K = 3;
    const w = trajectory(T, K, () => randomMixture(rng, K));
    for (const M of [1, 2, 3, 4, 5]) {
      const seg = segmentTrajectory(w, K, { stages: M });
      const best = Math.min(...allCuts(T, M).map((cuts) => directError(w, K, cuts)));
      expect(seg.stages).toHaveLength(M);
      expect(seg.sse).toBeCloseTo(best, 12);
      expect(directError(w, K, cutsOf(seg.stages))).toBeCloseTo(best, 12);
    }
  });

  it('is never worse than any of 3,000 random segmentations', () => {
    const rng = new Rng(3);
    const T = 60;
    const K = 4;
    // A drifting mixture with noise, like a policy's trajectory.
    const w = trajectory(T, K, (t) => {
      const x = [1 + t / 20, 2 - t / 40, 0.5 + Math.sin(t / 7), 1].map((v) => Math.max(0.05, v * (1 + 0.1 * rng.normal())));
      const s = x.reduce((p, q) => p + q, 0);
      return x.map((v) => v / s);
    });
    const M = 5;
    const seg = segmentTrajectory(w, K, { stages: M });
    let worse = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const inner = new Set<number>();
      while (inner.size < M - 1) inner.add(1 + rng.int(T - 1));
      const cuts = [0, ...[...inner].sort((p, q) => p - q), T];
      if (directError(w, K, cuts) < seg.sse - 1e-12) worse++;
    }
    expect(worse).toBe(0);
  });

  it('honours the minimum stage length, optimally', () => {
    const rng = new Rng(5);
    const T = 18;
    const K = 2;
    const w = trajectory(T, K, () => randomMixture(rng, K));
    for (const min of [2, 3, 5]) {
      const seg = segmentTrajectory(w, K, { stages: 3, minSteps: min });
      for (const s of seg.stages) expect(s.end - s.start).toBeGreaterThanOrEqual(min);
      const best = Math.min(...allCuts(T, 3, min).map((cuts) => directError(w, K, cuts)));
      expect(seg.sse).toBeCloseTo(best, 12);
    }
    expect(() => segmentTrajectory(w, K, { stages: 4, minSteps: 5 })).toThrow('18 steps cannot make 4 stages of at least 5 steps (at most 3)');
    // Feasible in steps (5 + 5 + 5 ≤ 18) but not on blocks of 6: 12 + 6 splits only as 6 | 6 | 6.
    expect(segmentTrajectory(w, K, { stages: 3, minSteps: 5, maxBlocks: 3 }).stages.map((s) => s.end - s.start)).toEqual([6, 6, 6]);
    expect(() => segmentTrajectory(w, K, { stages: 3, minSteps: 7, maxBlocks: 3 })).toThrow(/18 steps cannot make 3 stages/);
    // 2 stages of 9: the blocks of 6 cut only at 6 or 12; blocks of 4, 5, 4, 5 cut at 9.
    expect(() => segmentTrajectory(w, K, { stages: 2, minSteps: 9, maxBlocks: 3 })).toThrow(/no 2 stages of at least 9 steps fit the block boundaries \(3 blocks of up to 6 steps\)/);
    expect(segmentTrajectory(w, K, { stages: 2, minSteps: 9, maxBlocks: 4 }).stages.map((s) => s.end - s.start)).toEqual([9, 9]);
  });

  it('N = 1 gives the run\'s mean mixture; N ≥ T gives the trajectory itself', () => {
    const rng = new Rng(9);
    const T = 40;
    const w = trajectory(T, 3, () => randomMixture(rng, 3));
    const one = segmentTrajectory(w, 3, { stages: 1 });
    expect(one.stages).toHaveLength(1);
    for (let k = 0; k < 3; k++) {
      let mean = 0;
      for (let t = 0; t < T; t++) mean += w[t * 3 + k] / T;
      expect(one.stages[0].weights[k]).toBeCloseTo(mean, 14);
    }
    expect(one.sse).toBeCloseTo(directError(w, 3, [0, T]), 12);
    for (const N of [T, T + 5, 10_000]) {
      const all = segmentTrajectory(w, 3, { stages: N });
      expect(all.stages).toHaveLength(T);
      all.stages.forEach((s, t) => {
        expect([s.start, s.end]).toEqual([t, t + 1]);
        for (let k = 0; k < 3; k++) expect(s.weights[k]).toBeCloseTo(w[t * 3 + k], 14);
      });
      expect(all.sse).toBe(0);
    }
  });

  it('stage weights sum to 1 and stay non-negative', () => {
    const rng = new Rng(13);
    const w = trajectory(500, 6, (t) => (t % 97 === 0 ? [1, 0, 0, 0, 0, 0] : randomMixture(rng, 6)));
    for (const N of [1, 3, 17, 500]) {
      for (const s of segmentTrajectory(w, 6, { stages: N }).stages) {
        expect(s.weights.reduce((p, q) => p + q, 0)).toBeCloseTo(1, 14);
        expect(s.weights.every((x) => x >= 0)).toBe(true);
      }
    }
  });

  it('compresses a million steps on 2,000 blocks in seconds, its error exact over every step', () => {
    // An ADO-like trajectory: a smooth drift toward a target, with per-step noise.
    const T = 1_000_000;
    const K = 4;
    const rng = new Rng(21);
    const w = trajectory(T, K, (t) => {
      const f = Math.min(1, t / 600_000);
      const x = [0.25 + 0.15 * f, 0.25 + 0.15 * f, 0.25 - 0.05 * f, 0.25 - 0.24 * f].map((v) => v * (1 + 0.01 * rng.normal()));
      const s = x.reduce((p, q) => p + q, 0);
      return x.map((v) => v / s);
    });
    const started = performance.now();
    const seg = segmentTrajectory(w, K, { stages: 6 });
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(10_000);
    expect(seg.blocks).toBe(2000);
    expect(seg.blockSize).toBe(500);
    for (const s of seg.stages) expect(s.start % 500).toBe(0);
    expect(seg.sse).toBeCloseTo(directError(w, K, cutsOf(seg.stages)), 6);
    expect(seg.sse / directError(w, K, cutsOf(seg.stages))).toBeCloseTo(1, 9);
    // The drift ends at step 600,000: random's weight falls stage by stage to the target's 0.01.
    for (let s = 1; s < 6; s++) expect(seg.stages[s].weights[3]).toBeLessThan(seg.stages[s - 1].weights[3]);
    expect(seg.stages[5].end).toBe(T);
    expect(seg.stages[5].weights[3]).toBeCloseTo(0.01, 2);
    // More stages never fit worse.
    expect(segmentTrajectory(w, K, { stages: 7 }).sse).toBeLessThanOrEqual(seg.sse);
  });

  it('weights each entry by the steps it stands for (mass), as if it were repeated', () => {
    const rng = new Rng(23);
    const T = 14;
    const K = 3;
    const w = trajectory(T, K, () => randomMixture(rng, K));
    const mass = Float64Array.from({ length: T }, () => 1 + rng.int(6));
    const expandedAt: number[] = [];
    mass.forEach((m, t) => expandedAt.push(...new Array<number>(m).fill(t)));
    const expanded = trajectory(expandedAt.length, K, (i) => Array.from(w.subarray(expandedAt[i] * K, expandedAt[i] * K + K)));
    const toExpanded = (cuts: number[]): number[] => cuts.map((c) => mass.subarray(0, c).reduce((a, b) => a + b, 0));
    const total = mass.reduce((a, b) => a + b, 0);
    for (const M of [1, 2, 3, 4]) {
      const seg = segmentTrajectory(w, K, { stages: M, mass });
      expect(seg.steps).toBe(total);
      expect(seg.length).toBe(T);
      const best = Math.min(...allCuts(T, M).map((cuts) => directError(expanded, K, toExpanded(cuts))));
      expect(seg.sse).toBeCloseTo(best, 12);
      expect(seg.sse).toBeCloseTo(directError(expanded, K, toExpanded(cutsOf(seg.stages))), 12);
      expect(seg.rms).toBeCloseTo(Math.sqrt(seg.sse / total), 15);
      for (const s of seg.stages) {
        const [a, b] = toExpanded([s.start, s.end]);
        expect(s.steps).toBe(b - a);
        for (let k = 0; k < K; k++) {
          let mean = 0;
          for (let i = a; i < b; i++) mean += expanded[i * K + k] / (b - a);
          expect(s.weights[k]).toBeCloseTo(mean, 14);
        }
      }
    }
    // minSteps counts steps, not entries.
    const long = segmentTrajectory(w, K, { stages: 2, mass, minSteps: Math.ceil(total / 2) - 1 });
    for (const s of long.stages) expect(s.steps).toBeGreaterThanOrEqual(Math.ceil(total / 2) - 1);
    expect(() => segmentTrajectory(w, K, { stages: 1, mass: mass.subarray(1) })).toThrow(`mass has ${T - 1} entries for ${T} steps`);
    expect(() => segmentTrajectory(w, K, { stages: 1, mass: new Float64Array(T).fill(0) })).toThrow('step 0: mass must be a finite number > 0, got 0');
  });

  it('names what is wrong with its input', () => {
    expect(() => segmentTrajectory(new Float64Array([0.5, 0.5, 0.2]), 2, { stages: 1 })).toThrow('3 weights are not whole steps of 2 domains');
    expect(() => segmentTrajectory(new Float64Array([0.5, 0.5, 0.7, 0.4]), 2, { stages: 1 })).toThrow('step 1: weights must sum to 1 (±0.00001), they sum to 1.1');
    expect(() => segmentTrajectory(new Float64Array([0.5, NaN]), 2, { stages: 1 })).toThrow('step 0, domain 1: weight must be a finite number ≥ 0, got NaN');
    expect(() => segmentTrajectory(new Float64Array([1.5, -0.5]), 2, { stages: 1 })).toThrow('step 0, domain 1');
    expect(() => segmentTrajectory(new Float64Array([]), 2, { stages: 1 })).toThrow('it has no steps');
    expect(() => segmentTrajectory(new Float64Array([1, 0]), 2, { stages: 0 })).toThrow('stages must be a positive integer, got 0');
    expect(() => segmentTrajectory(new Float64Array([1, 0]), 2, { stages: 1, maxBlocks: 0.5 })).toThrow('maxBlocks must be a positive integer');
  });
});

describe('roundMixture', () => {
  it('rounds to d decimals that sum to exactly 1, each within one unit', () => {
    const rng = new Rng(17);
    for (let trial = 0; trial < 500; trial++) {
      const K = 1 + rng.int(30);
      const w = randomMixture(rng, K);
      const d = 1 + rng.int(9);
      const units = roundMixture(w, d);
      expect(units.reduce((a, b) => a + b, 0)).toBe(10 ** d);
      units.forEach((u, k) => expect(Math.abs(u - w[k] * 10 ** d)).toBeLessThan(1));
      // The decimal strings add up to 1 in floating point as numpy checks it (|Σp − 1| ≤ 1.5e-8).
      const p = mixtureDecimals(w, d).map(Number);
      expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    }
  });

  it('gives the leftover units to the largest remainders', () => {
    expect(roundMixture([1 / 3, 1 / 3, 1 / 3], 2)).toEqual([34, 33, 33]);
    expect(roundMixture([0.29, 0.71], 2)).toEqual([29, 71]);
    expect(roundMixture([0.1234, 0.2345, 0.6421], 2)).toEqual([12, 24, 64]);
    expect(roundMixture([2, 1, 1], 1)).toEqual([5, 3, 2]); // not yet normalised: 0.5, 0.25, 0.25
    expect(mixtureDecimals([0.25, 0.75], 6)).toEqual(['0.25', '0.75']);
    expect(mixtureDecimals([1, 0], 6)).toEqual(['1', '0']);
  });

  it('writes exact decimals', () => {
    expect(formatUnits(390123, 6)).toBe('0.390123');
    expect(formatUnits(250000, 6)).toBe('0.25');
    expect(formatUnits(7, 6)).toBe('0.000007');
    expect(formatUnits(1_000_000, 6)).toBe('1');
    expect(formatUnits(0, 6)).toBe('0');
    expect(formatUnits(5, 0)).toBe('5');
    expect(() => roundMixture([0.5, 0.5], 13)).toThrow('decimals must be an integer from 0 to 12, got 13');
    expect(() => roundMixture([0, 0], 3)).toThrow('the weights sum to 0');
    expect(() => roundMixture([0.5, -1], 3)).toThrow('weight 1 must be a finite number ≥ 0, got -1');
  });
});
