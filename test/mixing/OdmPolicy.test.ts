import { describe, expect, it } from 'vitest';
import { OdmPolicy, odmEpsilon, restorePolicy } from '../../src/mixing/index.js';
import { Rng } from '../../src/random/index.js';
import { sameBits } from './helpers.js';

describe('OdmPolicy', () => {
  it('matches a hand computation of EXP3 with importance-weighted rewards', () => {
    const p = new OdmPolicy({ domains: ['a', 'b'] });
    expect(Array.from(p.weights())).toEqual([0.5, 0.5]); // round 1: R̂ = 0
    // step 0 drawn with π = [0.5, 0.5]: R̂ = 0.1·[3, 2]/0.5 = [0.6, 0.4]
    // round 2: ε_2 = √(ln2/4) = 0.41628, ε_1 = min(1/2, √(ln2/2)) = 0.5
    // w = (1 − 2ε_2)·softmax(0.5·R̂) + ε_2
    const w1 = p.observe({ step: 0, loss: [3, 2], count: [4, 4] });
    expect(Array.from(p.rewardEstimates())).toEqual([0.6000000000000001, 0.4]);
    expect(w1[0]).toBeCloseTo(0.5041826497603759, 14);
    expect(w1[1]).toBeCloseTo(0.49581735023962414, 14);
    // step 1: only domain a present: R̂_a += 0.1·3/π_a; round 3 uses ε_3, ε_2
    const w2 = p.observe({ step: 1, loss: [3, NaN], count: [8, 0] });
    expect(p.rewardEstimates()[0]).toBeCloseTo(1.1950224589096468, 14);
    expect(p.rewardEstimates()[1]).toBe(0.4);
    expect(w2[0]).toBeCloseTo(0.5262551501224279, 14);
    expect(w2[1]).toBeCloseTo(0.47374484987757215, 14);
  });

  it('smoothed variant: R̂ ← 0.9·R̂ + 0.1·(loss/10)', () => {
    const p = new OdmPolicy({ domains: ['a', 'b'], variant: 'smoothed' });
    const w = p.observe({ step: 0, loss: [3, 2], count: [4, 4] });
    expect(p.rewardEstimates()[0]).toBeCloseTo(0.03, 15);
    expect(p.rewardEstimates()[1]).toBeCloseTo(0.02, 15);
    expect(w[0]).toBeCloseTo(0.5002093062999983, 14);
    expect(w[1]).toBeCloseTo(0.49979069370000173, 14);
  });

  it('exploration rate follows min(1/K, √(ln K/(K·t)))', () => {
    expect(odmEpsilon(4, 0)).toBe(0.25);
    expect(odmEpsilon(4, 1)).toBe(0.25);
    expect(odmEpsilon(4, 100)).toBeCloseTo(Math.sqrt(Math.log(4) / 400), 15);
  });

  it('keeps weights a finite mixture ≥ ε_t under random losses, with domains added and exhausted', () => {
    const rng = new Rng(7);
    for (const variant of ['exp3', 'smoothed'] as const) {
      const p = new OdmPolicy({ domains: ['a', 'b', 'c', 'd'], variant });
      let w = p.weights();
      for (let t = 0; t < 3000; t++) {
        if (t === 1000) p.addDomain('e', 0.3);
        if (t === 2000) p.markExhausted('b');
        const K = p.domains.length;
        const count = Array.from({ length: K }, (_, k) => (k === 1 && t >= 2000 ? 0 : rng.int(5)));
        if (count.every((c) => c === 0)) count[0] = 1;
        const loss = count.map((c) => (c > 0 ? 5 * rng.next() : NaN));
        w = p.observe({ step: t, loss, count });
        const s = w.reduce((a, b) => a + b, 0);
        expect(Math.abs(s - 1)).toBeLessThan(1e-12);
        const live = t >= 2000 ? K - 1 : K;
        const eps = odmEpsilon(live, t + 2);
        w.forEach((x, k) => {
          expect(Number.isFinite(x)).toBe(true);
          if (t >= 2000 && k === 1) expect(x).toBe(0);
          else expect(x).toBeGreaterThanOrEqual(eps * (1 - 1e-9));
        });
      }
    }
  });

  it('an added domain gets its prior share of the exponential-weights part', () => {
    const p = new OdmPolicy({ domains: ['a', 'b'] });
    for (let t = 0; t < 50; t++) p.observe({ step: t, loss: [3, 1], count: [5, 5] });
    p.addDomain('c', 0.25);
    const w = p.weights();
    const eps = odmEpsilon(3, 51);
    expect((w[2] - eps) / (1 - 3 * eps)).toBeCloseTo(0.25, 12);
  });

  it('resumes bit-for-bit from a JSON snapshot', () => {
    const rng = new Rng(3);
    const steps = Array.from({ length: 400 }, (_, t) => ({
      step: t,
      loss: [1 + rng.next(), 2 + rng.next(), 3 * rng.next()],
      count: [rng.int(4) + 1, rng.int(4), rng.int(4) + 1],
    }));
    const a = new OdmPolicy({ domains: ['x', 'y', 'z'] });
    const full = steps.map((o) => a.observe(o));
    const b = new OdmPolicy({ domains: ['x', 'y', 'z'] });
    const first = steps.slice(0, 150).map((o) => b.observe(o));
    const c = restorePolicy(JSON.parse(JSON.stringify(b.snapshot())));
    const rest = steps.slice(150).map((o) => c.observe(o));
    expect(sameBits(full, [...first, ...rest])).toBe(true);
  });

  it('rejects bad settings and snapshots', () => {
    expect(() => new OdmPolicy({ domains: ['a'], rewardScale: -1 })).toThrow(/rewardScale must be a positive number/);
    expect(() => new OdmPolicy({ domains: ['a'], variant: 'x' as never })).toThrow(/variant must be/);
    const s = new OdmPolicy({ domains: ['a', 'b'] }).snapshot();
    expect(() => OdmPolicy.restore({ ...s, rewards: [1] })).toThrow(/odm snapshot: field "rewards" must be an array of 2 finite numbers/);
    expect(() => OdmPolicy.restore({ ...s, version: 9 })).toThrow(/field "version" must be 1/);
  });
});
