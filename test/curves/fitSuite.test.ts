/**
 * The fit regression suite: realistic curves (bench/_fitCurves.ts, through fitDomains'
 * preparation) whose optima were fitted by the code before the cold-fit speed-up and stored
 * in test/fixtures/fitSuite.json. The fit must reach the same optimum or a lower one:
 *
 *   - objective ≤ stored·(1 + 1e-12);
 *   - converged wherever the stored fit converged;
 *   - at the same optimum (objective within 1e-9), the same law: log L̂ at every point
 *     within 1e-6, and every parameter the data pin down within 1e-4 (a parameter is pinned
 *     when its term carries at least 1e-6 of L̂ somewhere: e with ε/L̂, a and α with
 *     β·n^−α/L̂; flat laws leave α free, ε → 0 leaves e free). The tolerance is that of
 *     the KKT test in the ill-conditioned small-α valleys, where the objective agrees to
 *     1e-11 and the parameters to ~1e-5.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { curvePoints, suiteCases } from '../../bench/_fitCurves.js';
import { fitPowerLaw, type PowerLawParams } from '../../src/curves/index.js';

interface Expected {
  name: string;
  preset: string;
  points: number;
  objective: number;
  a: number;
  e: number;
  alpha: number;
  converged: boolean;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/fitSuite.json', import.meta.url), 'utf8')) as {
  cases: Expected[];
};

/** log L̂(n) = logsumexp(a − α·log n, e). */
function logLaw(p: PowerLawParams, n: number): number {
  const u = p.a - p.alpha * Math.log(n);
  return Math.max(u, p.e) + Math.log1p(Math.exp(-Math.abs(u - p.e)));
}

describe('fitPowerLaw reaches the stored optima of the regression suite', () => {
  const cases = suiteCases();

  it('has one stored optimum per case', () => {
    expect(fixture.cases.map((c) => `${c.name}/${c.preset}`)).toEqual(cases.map((c) => `${c.name}/${c.preset}`));
  });

  cases.forEach((c, i) => {
    it(`${c.name} (${c.preset})`, () => {
      const want = fixture.cases[i];
      const { n, loss } = curvePoints(c);
      const fit = fitPowerLaw(n, loss, { preset: c.preset });
      expect(fit.points).toBe(want.points);
      expect(fit.objective).toBeLessThanOrEqual(want.objective * (1 + 1e-12));
      if (want.converged) expect(fit.converged).toBe(true);
      if (fit.objective < want.objective * (1 - 1e-9)) return; // a better optimum than before

      let dLaw = 0;
      let shareE = 0;
      let shareBeta = 0;
      for (const ni of n) {
        const logL = logLaw(want, ni);
        dLaw = Math.max(dLaw, Math.abs(logLaw(fit.params, ni) - logL));
        shareE = Math.max(shareE, Math.exp(want.e - logL));
        shareBeta = Math.max(shareBeta, Math.exp(want.a - want.alpha * Math.log(ni) - logL));
      }
      expect(dLaw).toBeLessThan(1e-6);
      if (shareE >= 1e-6) expect(Math.abs(fit.params.e - want.e)).toBeLessThan(1e-4);
      if (shareBeta >= 1e-6) {
        expect(Math.abs(fit.params.a - want.a)).toBeLessThan(1e-4);
        expect(Math.abs(fit.params.alpha - want.alpha)).toBeLessThan(1e-4);
      }
    });
  });
});
