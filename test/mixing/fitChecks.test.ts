import { describe, expect, it } from 'vitest';
import { AdoPolicy, applyFitChecks, fitRefusal, restorePolicy, type RefitDomainResult, type StepObservation } from '../../src/mixing/index.js';
import type { FitDiagnostics } from '../../src/curves/index.js';

const GOOD: FitDiagnostics = { points: 100, rms: 1e-3, r2: 0.999, se: { a: 0.01, e: 0.01, alpha: 0.01, epsilon: 0.015 }, activeBounds: [] };
const PARAMS: [number, number, number] = [1, Math.log(1.5), 0.3];

describe('fitRefusal', () => {
  it('passes a good fit and names the first failed check with its figures', () => {
    expect(fitRefusal(GOOD, PARAMS, { maxRms: 0.1, minR2: 0.5, maxAlphaRelSE: 0.5, maxEpsilonRelSE: 0.5 })).toBeUndefined();
    expect(fitRefusal({ ...GOOD, rms: 0.23 }, PARAMS, { maxRms: 0.1 })).toBe('residual RMS 0.23 > maxRms 0.1 (log space, 100 points)');
    expect(fitRefusal({ ...GOOD, r2: 0.42 }, PARAMS, { minR2: 0.5 })).toBe('R² 0.42 < minR2 0.5 (log space, 100 points)');
    expect(fitRefusal({ ...GOOD, se: { ...GOOD.se, alpha: 0.9 } }, PARAMS, { maxAlphaRelSE: 0.5 })).toBe('α standard error 0.9 > 0.5 × α = 0.15');
    expect(fitRefusal({ ...GOOD, se: { ...GOOD.se, epsilon: 1 } }, PARAMS, { maxEpsilonRelSE: 0.5 })).toBe('ε standard error 1 > 0.5 × ε = 0.75');
  });

  it('skips what is not defined: R² of a flat curve, SE of a parameter at a bound; refuses an undetermined SE', () => {
    expect(fitRefusal({ ...GOOD, r2: null }, PARAMS, { minR2: 0.5 })).toBeUndefined();
    const atBound: FitDiagnostics = { ...GOOD, se: { ...GOOD.se, alpha: null }, activeBounds: [{ param: 'alpha', side: 'lower', value: 0, kind: 'limit' }] };
    expect(fitRefusal(atBound, [1, 0, 0], { maxAlphaRelSE: 0.5 })).toBeUndefined();
    expect(fitRefusal({ ...GOOD, se: { ...GOOD.se, alpha: null } }, PARAMS, { maxAlphaRelSE: 0.5 })).toMatch(/α standard error undetermined/);
  });

  it('applyFitChecks turns refused fits into failures that keep their diagnostics, and leaves the rest alone', () => {
    const results: RefitDomainResult[] = [
      { domain: 0, ok: true, params: PARAMS, points: 100, diagnostics: GOOD },
      { domain: 1, ok: true, params: PARAMS, points: 100, diagnostics: { ...GOOD, rms: 0.5 } },
      { domain: 2, ok: false, reason: 'too few', points: 3 },
    ];
    expect(applyFitChecks(results, 'off')).toBe(results);
    expect(applyFitChecks(results, { minR2: 0.1 })).toBe(results);
    const out = applyFitChecks(results, { maxRms: 0.1 });
    expect(out[0]).toBe(results[0]);
    expect(out[2]).toBe(results[2]);
    expect(out[1]).toEqual({
      domain: 1,
      ok: false,
      reason: 'fit refused: residual RMS 0.5 > maxRms 0.1 (log space, 100 points)',
      refused: 'residual RMS 0.5 > maxRms 0.1 (log space, 100 points)',
      points: 100,
      diagnostics: { ...GOOD, rms: 0.5 },
      params: PARAMS,
    });
  });
});

/** Two domains on clean power laws; domain "b" diverges (loss ×3) from step 1300 on. */
function diverging(t: number): StepObservation {
  const n = (t + 1) * 64;
  const b = 1.2 + 8 * n ** -0.35;
  return { step: t, loss: [1.5 + 6 * n ** -0.3, t >= 1300 ? 3 * b : b], count: [32, 32] };
}

describe('ADO fit checks', () => {
  const base = { domains: ['a', 'b'], startStep: 1000, refitInterval: 1000, lag: 0 };

  it('default: a diverged domain keeps its previous law and the report says why', () => {
    const p = new AdoPolicy(base);
    expect(p.settings.fitChecks).toEqual({ maxRms: 0.3 });
    for (let t = 0; t <= 1000; t++) p.observe(diverging(t));
    const first = p.laws();
    expect(p.lastRefit!.results.every((r) => r.ok)).toBe(true);
    const d = p.lastRefit!.results[1].diagnostics!;
    expect(d.rms!).toBeLessThan(0.01);
    for (let t = 1001; t <= 2000; t++) p.observe(diverging(t));
    const rep = p.lastRefit!;
    expect(rep.results[0].ok).toBe(true);
    const b = rep.results[1];
    expect(b.ok).toBe(false);
    if (b.ok) return;
    expect(b.refused).toMatch(/^residual RMS 0\.\d+ > maxRms 0\.3 \(log space, 151 points\)$/);
    expect(b.reason).toBe(`fit refused: ${b.refused}`);
    expect(b.diagnostics!.rms!).toBeGreaterThan(0.3);
    expect(p.laws()[1]).toEqual(first[1]);
    expect(p.laws()[0]).not.toEqual(first[0]);
    expect(rep.changed).toEqual([0]);
  });

  it('off (and the reference preset): the same fit is taken', () => {
    const p = new AdoPolicy({ ...base, fitChecks: 'off' });
    for (let t = 0; t <= 2000; t++) p.observe(diverging(t));
    expect(p.lastRefit!.results[1].ok).toBe(true);
    expect(p.lastRefit!.changed).toEqual([0, 1]);
    expect(new AdoPolicy({ domains: ['a'], preset: 'reference' }).settings.fitChecks).toBe('off');
  });

  it('checks its option like the others', () => {
    expect(() => new AdoPolicy({ domains: ['a'], fitChecks: { maxRMS: 0.1 } as never })).toThrow(/unknown option.*"fitChecks\.maxRMS" \(did you mean "fitChecks\.maxRms"\?\)/);
    expect(() => new AdoPolicy({ domains: ['a'], fitChecks: { maxRms: -1 } })).toThrow(/fitChecks\.maxRms must be a positive finite number, got -1/);
    expect(() => new AdoPolicy({ domains: ['a'], fitChecks: 'on' as never })).toThrow(/fitChecks must be "off" or an object/);
    expect(new AdoPolicy({ domains: ['a'], fitChecks: { minR2: 0.5 } }).settings.fitChecks).toEqual({ minR2: 0.5 });
  });

  it('snapshots keep the checks; an older snapshot without them resumes checking nothing', () => {
    const snap = new AdoPolicy({ domains: ['a', 'b'], fitChecks: { maxAlphaRelSE: 0.5 } }).snapshot();
    expect((restorePolicy(snap) as AdoPolicy).settings.fitChecks).toEqual({ maxAlphaRelSE: 0.5 });
    const { fitChecks: _gone, collapseAlerts: _gone2, ...older } = snap.settings as unknown as Record<string, unknown>;
    const { collapse: _c, ...olderSnap } = snap;
    const restored = restorePolicy({ ...olderSnap, settings: older }) as AdoPolicy;
    expect(restored.settings.fitChecks).toBe('off');
    expect(restored.settings.collapseAlerts).toEqual({ pinnedRefits: 3, minEntropy: 0.5, minFall: 0.01 });
  });
});
