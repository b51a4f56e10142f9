import { describe, expect, it } from 'vitest';
import { chinchillaLoss, type ChinchillaLaw } from '../../src/planning/chinchillaLaw.js';
import {
  PF_DAY_FLOP,
  chinchillaComputeForLoss,
  chinchillaOptimalExponents,
  chinchillaOptimum,
  computeOptimal,
  kaplanOptimum,
  kaplanPublishedAllocation,
} from '../../src/planning/computeOptimal.js';
import { kaplanLoss, type KaplanLaw } from '../../src/planning/kaplanLaw.js';
import { parsePlanningLaw, lawCounting } from '../../src/planning/planningLaw.js';
import { LAW_PRESETS, LAW_PRESET_NAMES, lawPreset } from '../../src/planning/presets.js';
import { relErr } from './synthetic.js';

const law = (name: string): ChinchillaLaw => {
  const l = lawPreset(name).law;
  if (l.form !== 'chinchilla') throw new Error('not chinchilla');
  return l;
};

/** Golden-section minimum of f on [lo, hi]. */
function argmin(f: (x: number) => number, lo: number, hi: number): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  for (let i = 0; i < 200; i++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (f(c) < f(d)) b = d;
    else a = c;
  }
  return (a + b) / 2;
}

describe('Chinchilla compute-optimal allocation (LAWS.md numbers)', () => {
  it('unrounded values: N_opt ≈ 40.4e9 and D_opt ≈ 2.38e12 at C = 5.76e23', () => {
    const o = chinchillaOptimum(law('chinchilla'), 5.76e23);
    expect(relErr(o.N, 40.4e9)).toBeLessThan(0.002);
    expect(relErr(o.D, 2.38e12)).toBeLessThan(0.002);
    expect(6 * o.N * o.D).toBeCloseTo(5.76e23, -10);
    expect(o.tokensPerParam).toBeCloseTo(o.D / o.N, 12);
    expect(o.method).toBe('chinchilla-closed-form');
  });

  it('printed (rounded) values: N_opt ≈ 32.2e9', () => {
    expect(relErr(chinchillaOptimum(law('chinchilla-rounded'), 5.76e23).N, 32.2e9)).toBeLessThan(0.002);
  });

  it('Epoch\'s refit: exponent β/(α+β) ≈ 0.513', () => {
    expect(chinchillaOptimalExponents(law('epoch')).a).toBeCloseTo(0.513, 3);
  });

  it('the closed form is the minimum of L along 6ND = C, with loss at the optimum', () => {
    for (const name of ['chinchilla', 'epoch']) {
      const l = law(name);
      for (const C of [1e19, 1e22, 5.76e23, 1e26]) {
        const o = chinchillaOptimum(l, C);
        const x = argmin((lx) => chinchillaLoss(l, Math.exp(lx), C / (6 * Math.exp(lx))), 5, 40);
        expect(Math.abs(x - Math.log(o.N))).toBeLessThan(1e-6);
        expect(o.loss).toBeCloseTo(chinchillaLoss(l, o.N, o.D), 12);
      }
    }
  });

  it('scales as C^(β/(α+β)) and C^(α/(α+β)); the optimal-loss curve inverts', () => {
    const l = law('chinchilla');
    const { a, b } = chinchillaOptimalExponents(l);
    const o1 = chinchillaOptimum(l, 1e21);
    const o2 = chinchillaOptimum(l, 1e23);
    expect(Math.log10(o2.N / o1.N) / 2).toBeCloseTo(a, 12);
    expect(Math.log10(o2.D / o1.D) / 2).toBeCloseTo(b, 12);
    expect(a + b).toBeCloseTo(1, 15);
    expect(relErr(chinchillaComputeForLoss(l, o1.loss), 1e21)).toBeLessThan(1e-9);
    expect(() => chinchillaComputeForLoss(l, 1.5)).toThrow(/not above the irreducible loss/);
  });

  it('rejects a non-positive budget', () => {
    expect(() => chinchillaOptimum(law('chinchilla'), 0)).toThrow(/compute must be a positive number of FLOP, got 0/);
  });
});

describe('Kaplan allocation', () => {
  const K: KaplanLaw = { Nc: 6.4e13, Dc: 1.8e13, alphaN: 0.076, alphaD: 0.103 };

  it('joint-law optimum under 6ND = C matches a direct minimisation, exponent α_D/(α_N+α_D)', () => {
    for (const C of [1e18, 1e21, 1e24]) {
      const o = kaplanOptimum(K, C);
      const x = argmin((lx) => kaplanLoss(K, Math.exp(lx), C / (6 * Math.exp(lx))), 5, 45);
      expect(Math.abs(x - Math.log(o.N))).toBeLessThan(1e-5);
      expect(6 * o.N * o.D).toBeCloseTo(C, -Math.floor(Math.log10(C)) + 10);
    }
    const r = kaplanOptimum(K, 1e23).N / kaplanOptimum(K, 1e21).N;
    expect(Math.log10(r) / 2).toBeCloseTo(0.103 / (0.076 + 0.103), 10);
  });

  it('published allocation: N = 1.3e9, D = 2e10 at one PF-day, N ∝ C^0.73', () => {
    const o = kaplanPublishedAllocation(PF_DAY_FLOP);
    expect(o.N).toBeCloseTo(1.3e9, 0);
    expect(o.D).toBeCloseTo(2e10, 0);
    expect(Number.isNaN(o.loss)).toBe(true);
    const o2 = kaplanPublishedAllocation(1000 * PF_DAY_FLOP, K);
    expect(Math.log10(o2.N / o.N) / 3).toBeCloseTo(0.73, 12);
    expect(o2.loss).toBeCloseTo(kaplanLoss(K, o2.N, o2.D), 12);
  });

  it('computeOptimal dispatches on the form', () => {
    expect(computeOptimal(LAW_PRESETS.kaplan.law, 1e21).method).toBe('kaplan-joint-6nd');
    expect(computeOptimal(LAW_PRESETS.epoch.law, 1e21).method).toBe('chinchilla-closed-form');
  });
});

describe('presets and law files', () => {
  it('has the four presets, each with a source', () => {
    expect(LAW_PRESET_NAMES).toEqual(['chinchilla', 'chinchilla-rounded', 'epoch', 'kaplan']);
    for (const n of LAW_PRESET_NAMES) expect(LAW_PRESETS[n].source.length).toBeGreaterThan(10);
    expect(() => lawPreset('gopher')).toThrow(/unknown law preset "gopher" \(known: chinchilla, chinchilla-rounded, epoch, kaplan\)/);
  });

  it('reads a bare law and the JSON of `laws fit`', () => {
    const bare = parsePlanningLaw({ form: 'chinchilla', E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 });
    expect(bare.form).toBe('chinchilla');
    expect(lawCounting(bare)).toBe('total');
    const fitOut = { command: 'laws fit', form: 'kaplan', law: { form: 'kaplan', params: 'total', Nc: 1e13, Dc: 1e13, alphaN: 0.07, alphaD: 0.1 } };
    const k = parsePlanningLaw(fitOut, 'fit.json');
    expect(k).toEqual(fitOut.law);
    expect(lawCounting(k)).toBe('total');
  });

  it('names what is wrong with a bad law', () => {
    expect(() => parsePlanningLaw({ form: 'chinchilla', E: 1.69, A: 406.4, B: 'x', alpha: 0.34, beta: 0.28 }, 'law.json')).toThrow(
      'law.json: B must be a finite number, got x',
    );
    expect(() => parsePlanningLaw({ form: 'chinchilla', E: -1, A: 1, B: 1, alpha: 0.3, beta: 0.3 }, 'l')).toThrow('l: E must be positive, got -1');
    expect(() => parsePlanningLaw({ form: 'gpt' }, 'l')).toThrow('l: form must be "chinchilla" or "kaplan", got "gpt"');
    expect(() => parsePlanningLaw([1], 'l')).toThrow(/l: expected an object/);
    expect(() => parsePlanningLaw({ form: 'kaplan', Nc: 1, Dc: 1, alphaN: 0, alphaD: 1 }, 'l')).toThrow('l: alphaN must be a positive number, got 0');
    expect(() => parsePlanningLaw({ form: 'kaplan', params: 'all', Nc: 1, Dc: 1, alphaN: 1, alphaD: 1 }, 'l')).toThrow(/params must be "total" or "non-embedding"/);
  });
});
