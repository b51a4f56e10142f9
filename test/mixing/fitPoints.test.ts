import { describe, expect, it } from 'vitest';
import { fitDomains, type FitDomainsOptions } from '../../src/curves/index.js';
import { FitPointHistory, computeRefit, fitPointOptions, type RefitFitOptions } from '../../src/mixing/index.js';
import { Rng } from '../../src/random/index.js';

const uniform = (seed: number) => {
  const rng = new Rng(seed);
  return () => rng.next();
};

/**
 * A random run: K domains (some added later), losses falling as power laws with noise,
 * random counts with absent domains, occasional exact-zero losses; every row also kept in
 * full, as the reference fitDomains reads it.
 */
function randomRun(seed: number, K0: number, added: number, steps: number, fit: RefitFitOptions, refitEvery: number) {
  const rand = uniform(seed);
  const points = new FitPointHistory(K0, fitPointOptions(fit));
  const loss: number[][] = [];
  const count: number[][] = [];
  const first: number[] = [];
  for (let k = 0; k < K0; k++) {
    loss.push([]);
    count.push([]);
    first.push(0);
  }
  const joinAt = Array.from({ length: added }, () => 1 + Math.floor(rand() * steps * 0.7));
  const comparisons: { rows: number; same: boolean; detail: string }[] = [];
  for (let r = 0; r < steps; r++) {
    for (const at of joinAt) {
      if (at === r) {
        points.addDomain();
        loss.push(new Array(r).fill(NaN));
        count.push(new Array(r).fill(0));
        first.push(r);
      }
    }
    const K = loss.length;
    const l = new Float64Array(K);
    const c = new Float64Array(K);
    let any = false;
    for (let k = 0; k < K; k++) {
      c[k] = rand() < 0.25 ? 0 : Math.floor(rand() * 8);
      if (c[k] > 0) any = true;
      const n = r - first[k] + 1;
      l[k] = c[k] > 0 ? (rand() < 0.0005 ? 0 : 1 + k * 0.1 + 3 * n ** -0.4 * (1 + 0.05 * (rand() - 0.5))) : NaN;
    }
    if (!any) c[r % K] = 1 + Math.floor(rand() * 4);
    if (Number.isNaN(l[r % K]) && c[r % K] > 0) l[r % K] = 2;
    points.append(r, l, c);
    for (let k = 0; k < K; k++) {
      loss[k].push(l[k]);
      count[k].push(c[k]);
    }
    if ((r + 1) % refitEvery === 0) {
      const domains = Array.from({ length: K }, (_, k) => k);
      const got = computeRefit(points.prepare(domains), fit, points.arena.views).results;
      const want = fitDomains({ steps: r + 1, loss, count, firstStep: first }, { ...fit, domains } as FitDomainsOptions);
      const same = want.every((w, k) => {
        const g = got[k];
        if (!w.ok) return !g.ok && g.reason === w.reason && g.points === w.points;
        return g.ok && g.params[0] === w.fit.params.a && g.params[1] === w.fit.params.e && g.params[2] === w.fit.params.alpha && g.points === w.fit.points;
      });
      comparisons.push({ rows: r + 1, same, detail: same ? '' : JSON.stringify({ got, want: want.map((w) => (w.ok ? w.fit.params : w.reason)) }) });
    }
  }
  return { points, comparisons };
}

describe('FitPointHistory: the fit points of a full history, kept as the run goes', () => {
  const cases: [string, RefitFitOptions][] = [
    ['default (auto bounds, ignore 500, same-step)', { preset: 'auto', ignoreSteps: 500, countMode: 'same-step', minPoints: 20 }],
    ['reference (ignore 1000, minPoints 1)', { preset: 'reference', ignoreSteps: 1000, countMode: 'same-step', minPoints: 1 }],
    ['per-domain counts, window 21, subsample 7, count scale 3', { preset: 'auto', ignoreSteps: 37, countMode: 'per-domain', minPoints: 5, window: 21, order: 2, subsample: 7, countScale: 3 }],
    ['tiny window 3, no ignore', { preset: 'auto', ignoreSteps: 0, countMode: 'same-step', minPoints: 3, window: 3, order: 1, subsample: 1 }],
  ];
  for (const [name, fit] of cases) {
    it(`gives bit-identical laws and refusals to fitDomains over every row: ${name}`, () => {
      for (const seed of [1, 2]) {
        const { comparisons } = randomRun(seed, 3, 2, 3000, fit, 97);
        expect(comparisons.length).toBe(30);
        for (const c of comparisons) expect(c.same, `rows ${c.rows}: ${c.detail}`).toBe(true);
      }
    });
  }

  it('holds 16 bytes of points per domain per `subsample` steps, plus a fixed tail', () => {
    const fit: RefitFitOptions = { preset: 'auto', ignoreSteps: 0, countMode: 'same-step', minPoints: 20 };
    const K = 100;
    const h = new FitPointHistory(K, fitPointOptions(fit));
    const loss = new Float64Array(K).fill(2);
    const count = new Float64Array(K).fill(3);
    for (let r = 0; r < 20_000; r++) h.append(r, loss, count);
    // Points 0, 10, …: those 50 rows from the end are not final yet (half a window).
    for (let k = 0; k < K; k++) expect(h.frozenPoints(k)).toBe(1995);
    const perStep = h.bytes / (K * 20_000);
    expect(perStep).toBeLessThan(2.2);
  });

  it('thins to log-spaced points when asked (maxPoints), and only then', () => {
    const fit: RefitFitOptions = { preset: 'auto', ignoreSteps: 0, countMode: 'same-step', minPoints: 20, maxPoints: 200 };
    const h = new FitPointHistory(1, fitPointOptions(fit));
    for (let r = 0; r < 100_000; r++) h.append(r, [1 + 5 * (r + 1) ** -0.3], [4]);
    const P = h.frozenPoints(0);
    expect(P).toBeGreaterThanOrEqual(50);
    expect(P).toBeLessThanOrEqual(200);
    const [job] = h.prepare([0]);
    const fitted = computeRefit([job], fit, h.arena.views).results[0];
    expect(fitted.ok).toBe(true);
    if (fitted.ok) expect(fitted.params[2]).toBeCloseTo(0.3, 2);
  });

  it('round-trips through JSON and goes on exactly as the uninterrupted history', () => {
    const fit: RefitFitOptions = { preset: 'auto', ignoreSteps: 50, countMode: 'same-step', minPoints: 5, maxPoints: 64 };
    const options = fitPointOptions(fit);
    const a = new FitPointHistory(2, options);
    const rand = uniform(7);
    const step = (h: FitPointHistory, r: number, x: number) => h.append(r, [1 + 2 * (r + 1) ** -0.5 + 0.01 * x, 2 + (r + 1) ** -0.2], [x < 0.3 ? 0 : 2, 1]);
    const xs = Array.from({ length: 4000 }, () => rand());
    for (let r = 0; r < 1500; r++) step(a, r, xs[r]);
    const b = FitPointHistory.fromJSON(JSON.parse(JSON.stringify(a.toJSON())), ['x', 'y'], options, 'test');
    for (let r = 1500; r < 4000; r++) {
      step(a, r, xs[r]);
      step(b, r, xs[r]);
    }
    expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
    expect(computeRefit(b.prepare([0, 1]), fit, b.arena.views)).toEqual(computeRefit(a.prepare([0, 1]), fit, a.arena.views));
  });

  it('names the field of a bad snapshot', () => {
    const options = fitPointOptions({ preset: 'auto', ignoreSteps: 0, countMode: 'same-step', minPoints: 5 });
    const a = new FitPointHistory(1, options);
    for (let r = 0; r < 300; r++) a.append(r, [2], [1]);
    const json = JSON.parse(JSON.stringify(a.toJSON()));
    json.domains[0].n[3] = 'x';
    expect(() => FitPointHistory.fromJSON(json, ['x'], options, 'ado snapshot')).toThrow(/^ado snapshot: field "points\.domains\[0\]\.n\[3\]" must be a finite number, got "x"$/);
    json.domains[0].n = [1];
    expect(() => FitPointHistory.fromJSON(json, ['x'], options, 'ado snapshot')).toThrow(/field "points\.domains\[0\]\.loss" must be an array of 1 finite numbers, got an array of 25/);
    expect(() => FitPointHistory.fromJSON({ ...json, domains: [] }, ['x'], options, 'ado snapshot')).toThrow(/field "points\.domains" must be an array of 1 domain states/);
  });
});

describe('version-1 snapshots (every history row)', () => {
  it('resume into fit points and continue bit for bit as the adomix that wrote them', async () => {
    const { readFileSync } = await import('node:fs');
    const { restorePolicy } = await import('../../src/mixing/index.js');
    const fixture = JSON.parse(readFileSync(new URL('../fixtures/ado-snapshot-v1.json', import.meta.url), 'utf8'));
    expect(fixture.snapshot.version).toBe(1);
    expect(fixture.snapshot.pending.length).toBe(1); // a refit in flight: restarted from the replayed rows
    const p = restorePolicy(fixture.snapshot);
    fixture.observations.forEach((o: { step: number; loss: (number | null)[]; count: number[] }, i: number) => {
      const w = p.observe({ step: o.step, loss: o.loss.map((x) => x ?? NaN), count: o.count });
      expect(Array.from(w), `step ${o.step}`).toEqual(fixture.weights[i]);
    });
    expect((p as { laws(): unknown }).laws()).toEqual(fixture.laws);
    expect(p.snapshot().version).toBe(2);
  });
});
