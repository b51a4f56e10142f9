import { describe, expect, it } from 'vitest';
import { fitKaplan } from '../../src/planning/fitKaplan.js';
import { kaplanLogLoss, kaplanLoss, type KaplanLaw } from '../../src/planning/kaplanLaw.js';
import { LAW_PRESETS } from '../../src/planning/presets.js';
import { relErr, syntheticRuns } from './synthetic.js';

const KAPLAN: KaplanLaw = { Nc: 6.4e13, Dc: 1.8e13, alphaN: 0.076, alphaD: 0.103 };

describe('Kaplan joint law', () => {
  it('L(1e9, 1e10) ≈ 2.420 with the published joint fit (LAWS.md)', () => {
    expect(kaplanLoss(KAPLAN, 1e9, 1e10)).toBeCloseTo(2.42, 3);
    const preset = LAW_PRESETS.kaplan.law;
    expect(preset.form === 'kaplan' && kaplanLoss(preset, 1e9, 1e10)).toBeCloseTo(2.42, 3);
  });

  it('matches the direct formula and stays finite where the direct one overflows', () => {
    const direct = ((KAPLAN.Nc / 3e8) ** (KAPLAN.alphaN / KAPLAN.alphaD) + KAPLAN.Dc / 5e9) ** KAPLAN.alphaD;
    expect(kaplanLoss(KAPLAN, 3e8, 5e9)).toBeCloseTo(direct, 12);
    const tiny = { ...KAPLAN, alphaD: 0.001 }; // exponent α_N/α_D = 76: (N_c/N)^76 overflows
    expect(Number.isFinite(kaplanLogLoss(tiny, 10, 1e6))).toBe(true);
  });
});

describe('fitKaplan', () => {
  it('recovers Kaplan\'s joint fit from noise-free runs', () => {
    const runs = syntheticRuns((N, D) => kaplanLoss(KAPLAN, N, D), 80, { seed: 7, minN: 1e5, maxN: 1e9, minTpp: 1, maxTpp: 1e4 });
    const fit = fitKaplan(runs);
    expect(fit.converged).toBe(true);
    expect(fit.law.alphaN).toBeCloseTo(0.076, 7);
    expect(fit.law.alphaD).toBeCloseTo(0.103, 7);
    expect(relErr(fit.law.Nc, KAPLAN.Nc)).toBeLessThan(1e-6);
    expect(relErr(fit.law.Dc, KAPLAN.Dc)).toBeLessThan(1e-6);
  });

  it('recovers it approximately from noisy runs', () => {
    const runs = syntheticRuns((N, D) => kaplanLoss(KAPLAN, N, D), 200, { seed: 9, sigma: 0.003, minN: 1e5, maxN: 1e9, minTpp: 1, maxTpp: 1e4 });
    const fit = fitKaplan(runs);
    expect(fit.converged).toBe(true);
    expect(relErr(fit.law.alphaN, KAPLAN.alphaN)).toBeLessThan(0.03);
    expect(relErr(fit.law.alphaD, KAPLAN.alphaD)).toBeLessThan(0.05);
    expect(Math.abs(Math.log(fit.law.Nc / KAPLAN.Nc))).toBeLessThan(0.5);
  });

  it('names bad input', () => {
    expect(() => fitKaplan([])).toThrow(/at least 4 runs, got 0/);
  });
});
