import { describe, expect, it } from 'vitest';
import {
  AdoPolicy,
  ADO_PRESETS,
  clipMinProbability,
  floorShares,
  restorePolicy,
  type AdoPolicySnapshot,
} from '../../src/mixing/index.js';
import { domainCounts, fitDomains } from '../../src/curves/index.js';
import { Rng } from '../../src/random/index.js';
import { drive, fixedLawRunner, sameBits, SyntheticRun } from './helpers.js';

const LAWS: [number, number, number][] = [
  [Math.log(2), 0, 0.5],
  [Math.log(3), 0, 0.02], // α below 0.05: the slope uses max(α, 0.05)
];

describe('AdoPolicy, reference preset, against a hand derivation', () => {
  // μ = [0.6, 0.4], h starts at μ, refit at t = 2 (startStep 2, interval 2), lag 0.
  //   t=0 counts [3,1]: h = 0.9·[0.6,0.4] + 0.1·[0.75,0.25] = [0.615, 0.385]     → μ
  //   t=1 counts [2,2]: h = [0.6035, 0.3965]                                     → μ
  //   t=2 counts [1,3]: h = [0.56815, 0.43185]; refit; n = 12 (same-step)
  //     slope_0 = 0.5·2·12^−0.5/12,  slope_1 = 0.05·3·12^−0.02/12
  //     ρ ∝ μ·slope·√h = [0.776777…, 0.223222…]; π = 0.9·μ + 0.1·ρ; π̄ = (2/3)·μ + ρ/3
  //   t=3 counts [4,0]: h = [0.611335, 0.388665]; n = 16; π = 0.9·π̄ + 0.1·ρ
  const make = () =>
    new AdoPolicy({
      domains: ['a', 'b'],
      prior: [0.6, 0.4],
      preset: 'reference',
      startStep: 2,
      refitInterval: 2,
      refitRunner: fixedLawRunner(LAWS).runner,
    });
  const steps = [
    { step: 0, loss: [3, 4], count: [3, 1] },
    { step: 1, loss: [2.9, 3.9], count: [2, 2] },
    { step: 2, loss: [2.8, 3.8], count: [1, 3] },
    { step: 3, loss: [2.7, NaN], count: [4, 0] },
  ];

  it('returns μ before the first fit and follows the hand-derived weights after', () => {
    const p = make();
    expect(Array.from(p.weights())).toEqual([0.6, 0.4]);
    expect(Array.from(p.observe(steps[0]))).toEqual([0.6, 0.4]);
    expect(p.historyShares()[0]).toBeCloseTo(0.615, 15);
    expect(Array.from(p.observe(steps[1]))).toEqual([0.6, 0.4]);
    expect(p.historyShares()[0]).toBeCloseTo(0.6035, 15);
    expect(p.laws()).toEqual([null, null]);

    const w2 = p.observe(steps[2]);
    expect(p.laws()).toEqual(LAWS);
    expect(p.lawsVersion).toBe(1);
    expect(w2[0]).toBeCloseTo(0.6176777250783818, 14);
    expect(w2[1]).toBeCloseTo(0.3823222749216183, 14);
    const snap = p.snapshot();
    expect(snap.piBar[0]).toBeCloseTo(0.6589257502612724, 14);
    expect(snap.h[1]).toBeCloseTo(0.43185, 14);

    const w3 = p.observe(steps[3]);
    expect(w3[0]).toBeCloseTo(0.6698537267360732, 14);
    expect(w3[1]).toBeCloseTo(0.33014627326392676, 14);
    expect(p.snapshot().piBar[0]).toBeCloseTo(0.6862456914482746, 14);
  });

  it('derives the same numbers from the formulas written out', () => {
    const p = make();
    const mu = [0.6, 0.4];
    let h = [...mu];
    let piBar = [...mu];
    let n = 0;
    for (const o of steps) {
      const got = p.observe(o);
      const total = o.count[0] + o.count[1];
      n += total;
      h = h.map((x, k) => 0.9 * x + 0.1 * (o.count[k] / total));
      if (o.step < 2) continue;
      const r = LAWS.map(([a, , al], k) => mu[k] * ((Math.max(al, 0.05) * Math.exp(a) * n ** -al) / n) * Math.sqrt(h[k]));
      const rho = r.map((x) => Math.max(x / (r[0] + r[1]), 0.01));
      const rs = rho[0] + rho[1];
      const rhoN = rho.map((x) => x / rs);
      const pi = piBar.map((x, k) => 0.9 * x + 0.1 * rhoN[k]);
      piBar = piBar.map((x, k) => (1 - 1 / (o.step + 1)) * x + rhoN[k] / (o.step + 1));
      const ps = pi[0] + pi[1];
      expect(got[0]).toBeCloseTo(pi[0] / ps, 14);
      expect(got[1]).toBeCloseTo(pi[1] / ps, 14);
    }
  });

  it('refits exactly at t ≥ startStep with t % refitInterval = 0', () => {
    const { runner, calls } = fixedLawRunner(LAWS);
    const p = new AdoPolicy({ domains: ['a', 'b'], preset: 'reference', startStep: 5, refitInterval: 3, refitRunner: runner });
    for (let t = 0; t < 20; t++) p.observe({ step: t, loss: [2, 3], count: [1, 1] });
    // 6, 9, 12, 15, 18 (5 is not a multiple of 3); each reads rows 0…t
    expect(calls.map((c) => c.rows - 1)).toEqual([6, 9, 12, 15, 18]);
  });

  it('keeps all previous laws when any domain fails (all-or-nothing) — and per domain in the default preset', () => {
    let round = 0;
    const answer = (_rows: number, domains: readonly number[]) => {
      round++;
      return {
        results: domains.map((k) =>
          round === 2 && k === 1
            ? { domain: k, ok: false as const, reason: 'non-finite parameters', points: 9 }
            : { domain: k, ok: true as const, params: [round, 0, 0.3] as [number, number, number], points: 9 },
        ),
      };
    };
    const ref = new AdoPolicy({ domains: ['a', 'b'], preset: 'reference', startStep: 2, refitInterval: 2, refitRunner: fixedLawRunner(answer).runner });
    for (let t = 0; t < 5; t++) ref.observe({ step: t, loss: [2, 3], count: [1, 1] });
    expect(ref.laws()).toEqual([[1, 0, 0.3], [1, 0, 0.3]]);
    round = 0;
    const def = new AdoPolicy({ domains: ['a', 'b'], startStep: 2, refitInterval: 2, lag: 0, refitRunner: fixedLawRunner(answer).runner });
    for (let t = 0; t < 5; t++) def.observe({ step: t, loss: [2, 3], count: [1, 1] });
    expect(def.laws()).toEqual([[2, 0, 0.3], [1, 0, 0.3]]);
    expect(def.lastRefit?.changed).toEqual([0]);
  });

  it('applies a refit started after step t after step t + lag', () => {
    const { runner } = fixedLawRunner(LAWS);
    const p = new AdoPolicy({ domains: ['a', 'b'], startStep: 4, refitInterval: 4, lag: 3, refitRunner: runner });
    const seen: (number | null)[] = [];
    for (let t = 0; t < 10; t++) {
      p.observe({ step: t, loss: [2, 3], count: [1, 1] });
      seen.push(p.laws()[0] === null ? null : t);
      if (t === 5) expect(p.pendingRefits).toEqual([{ id: 4, rows: 5, applyAt: 7, domains: [0, 1] }]);
    }
    expect(seen).toEqual([null, null, null, null, null, null, null, 7, 8, 9]);
    expect(p.lastRefit).toMatchObject({ startedAfter: 4, appliedAfter: 7 });
  });
});

describe('ADO weight helpers', () => {
  it('clipMinProbability is max(ρ, δ) then renormalise (the reference)', () => {
    const p = new Float64Array([0.995, 0.004, 0.001]);
    clipMinProbability(p, [true, true, true], 0.01);
    expect(Array.from(p)).toEqual([0.995 / 1.015, 0.01 / 1.015, 0.01 / 1.015]);
  });

  it('the exact floor pins small shares to δ and rescales the rest', () => {
    const p = new Float64Array([0.995, 0.004, 0.001, 0]);
    floorShares(p, [true, true, true, false], 0.01, new Uint8Array(4));
    expect(p[0]).toBeCloseTo(0.98, 15);
    expect(Array.from(p.subarray(1))).toEqual([0.01, 0.01, 0]);
    const q = new Float64Array([0.5, 0.5]);
    floorShares(q, [true, true], 0.6, new Uint8Array(2));
    expect(Array.from(q)).toEqual([0.5, 0.5]); // infeasible floor → uniform
  });

  it("historyTerm 'h(1-h)' uses the released code's (h·(1−h))^s", () => {
    const mk = (historyTerm: 'h' | 'h(1-h)') =>
      new AdoPolicy({ domains: ['a', 'b'], prior: [0.5, 0.5], preset: 'reference', historyTerm, startStep: 0, refitInterval: 1, refitRunner: fixedLawRunner([[0, 0, 0.5], [0, 0, 0.5]]).runner });
    const o = { step: 0, loss: [2, 2], count: [3, 1] };
    const h = [0.9 * 0.5 + 0.1 * 0.75, 0.9 * 0.5 + 0.1 * 0.25];
    for (const [term, f] of [['h', (x: number) => Math.sqrt(x)], ['h(1-h)', (x: number) => Math.sqrt(x * (1 - x))]] as const) {
      const w = mk(term).observe(o);
      const rho0 = f(h[0]) / (f(h[0]) + f(h[1]));
      // t = 0: π = 0.9·μ + 0.1·ρ
      expect(w[0]).toBeCloseTo(0.9 * 0.5 + 0.1 * rho0, 14);
    }
  });
});

describe('AdoPolicy invariants under random inputs', () => {
  it('weights are finite, sum to 1, are ≥ δ_min on live domains and 0 on exhausted ones', () => {
    const rng = new Rng(2024);
    for (let trial = 0; trial < 12; trial++) {
      const K = 2 + rng.int(7);
      const raw = Array.from({ length: K }, () => rng.next());
      const rs = raw.reduce((a, b) => a + b, 0);
      const prior = raw.map((x) => 0.5 / K + (0.5 * x) / rs); // every μ_k ≥ 1/(2K) > δ_min
      const lawFor = () =>
        rng.next() < 0.1 ? null : ([rng.next() * 6 - 1, rng.next() * 2 - 1, rng.next()] as [number, number, number]);
      const answer = (_rows: number, domains: readonly number[]) => ({
        results: domains.map((k) => {
          const law = lawFor();
          return law ? { domain: k, ok: true as const, params: law, points: 30 } : { domain: k, ok: false as const, reason: 'x', points: 3 };
        }),
      });
      const preset = trial % 2 === 0 ? 'default' : 'reference';
      const p = new AdoPolicy({
        domains: Array.from({ length: K }, (_, k) => `d${k}`),
        prior,
        preset,
        startStep: rng.int(50),
        refitInterval: 1 + rng.int(40),
        lag: preset === 'default' ? rng.int(5) : 0,
        countMode: rng.next() < 0.5 ? 'same-step' : 'per-domain',
        refitRunner: fixedLawRunner(answer).runner,
      });
      const exhaustAt = trial % 3 === 0 ? 150 : -1;
      const addAt = trial % 4 === 1 ? 100 : -1;
      let hadLaw = false;
      for (let t = 0; t < 300; t++) {
        if (t === addAt) p.addDomain('new', 0.05);
        if (t === exhaustAt) p.markExhausted(0);
        const Kn = p.domains.length;
        const count = Array.from({ length: Kn }, (_, k) => (k === 0 && exhaustAt >= 0 && t >= exhaustAt ? 0 : rng.next() < 0.3 ? 0 : rng.int(20)));
        if (count.every((c) => c === 0)) count[Kn - 1] = 1;
        const loss = count.map((c) => (c > 0 ? rng.next() * 8 : NaN));
        const w = p.observe({ step: t, loss, count });
        hadLaw ||= p.laws().some((l) => l !== null);
        expect(w.length).toBe(Kn);
        let s = 0;
        for (let k = 0; k < Kn; k++) {
          expect(Number.isFinite(w[k])).toBe(true);
          expect(w[k]).toBeGreaterThanOrEqual(0);
          s += w[k];
          const exhausted = k === 0 && exhaustAt >= 0 && t >= exhaustAt;
          if (exhausted) expect(w[k]).toBe(0);
          // δ_min holds exactly in the default preset; the reference's max-then-renormalise
          // can undershoot it by the renormalisation factor.
          else if (preset === 'default') expect(w[k]).toBeGreaterThanOrEqual(0.01 - 1e-12);
          else expect(w[k]).toBeGreaterThanOrEqual(0.01 / (1 + 0.01 * Kn) - 1e-12);
        }
        expect(Math.abs(s - 1)).toBeLessThan(1e-12);
      }
      expect(hadLaw).toBe(true);
    }
  });
});

describe('AdoPolicy with the real fitting engine', () => {
  it('recovers the laws of synthetic curves (and fits exactly what fitDomains fits)', () => {
    const run = new SyntheticRun(11, 3);
    // Cold refits, as fitDomains fits (warm ones find the same optimum to the Newton tolerance: adoWarmStart.test.ts).
    const p = new AdoPolicy({ domains: ['a', 'b', 'c'], prior: [1, 1, 1], startStep: 1000, ignoreSteps: 200, refitInterval: 1000, lag: 0, warmStart: false });
    // Every row, as the fitting engine reads a full history.
    const loss: number[][] = [[], [], []];
    const count: number[][] = [[], [], []];
    let w = p.weights();
    for (let t = 0; t < 2001; t++) {
      const obs = run.next(w);
      for (let k = 0; k < 3; k++) {
        loss[k].push(obs.loss[k]);
        count[k].push(obs.count[k]);
      }
      w = p.observe(obs);
    }
    const laws = p.laws();
    expect(p.lawsVersion).toBe(2);
    laws.forEach((law, k) => {
      expect(law).not.toBeNull();
      const [, e, alpha] = law!;
      expect(Math.exp(e)).toBeGreaterThan(run.eps[k] * 0.8);
      expect(Math.exp(e)).toBeLessThan(run.eps[k] * 1.2);
      expect(alpha).toBeGreaterThan(run.alpha[k] * 0.7);
      expect(alpha).toBeLessThan(run.alpha[k] * 1.3);
    });
    // the slope counts agree with the fitting engine's own n
    const snap = p.snapshot();
    expect(snap.nSame).toBe(2001 * 64);
    const hist = { steps: 2001, loss, count };
    expect(Array.from(domainCounts(hist, 'same-step'))).toEqual([2001 * 64, 2001 * 64, 2001 * 64]);
    // the policy's fit points are the fitting engine's over the full history: same fits
    const direct = fitDomains(hist, { preset: 'auto', ignoreSteps: 200, minPoints: 20 });
    direct.forEach((f, k) => {
      expect(f.ok).toBe(true);
      if (f.ok) expect([f.fit.params.a, f.fit.params.e, f.fit.params.alpha]).toEqual(laws[k]);
    });
  });

  it('refuses a fit with too few points, says why, and keeps returning μ', () => {
    const run = new SyntheticRun(5, 2);
    const p = new AdoPolicy({ domains: ['a', 'b'], prior: [0.7, 0.3], initialMixture: 'prior', startStep: 100, refitInterval: 100, ignoreSteps: 500, lag: 0 });
    const w = drive(p, run, 101);
    expect(Array.from(w[100])).toEqual([0.7, 0.3]);
    expect(p.laws()).toEqual([null, null]);
    const r = p.lastRefit!;
    expect(r.results.every((x) => !x.ok)).toBe(true);
    expect(r.results[0].ok ? '' : r.results[0].reason).toMatch(/ignoreSteps 500 leaves 0 points, need 20/);
  });

  it('reference preset with ignore 1000, start 500: like the authors, the refit at 1000 fits its single point, the one at 2000 fits 101', () => {
    const run = new SyntheticRun(6, 2);
    const p = new AdoPolicy({ domains: ['a', 'b'], preset: 'reference', startStep: 500, ignoreSteps: 1000 });
    const w = drive(p, run, 1001);
    expect(p.lastRefit?.results.map((r) => (r.ok ? r.points : r.reason))).toEqual([1, 1]);
    // One point fixes only a: e and α are held at the first grid start in the penalty-free box.
    for (const law of p.laws()) expect(law).toEqual([expect.any(Number), 0.5, 0.001]);
    // The ADO phase starts at step 1000, not a refit later.
    expect(Array.from(w[999])).toEqual([0.5, 0.5]);
    expect(Array.from(w[1000])).not.toEqual([0.5, 0.5]);
    drive(p, run, 1000);
    expect(p.lastRefit?.results.map((r) => r.points)).toEqual([101, 101]);
    expect(p.laws().every((l) => l !== null)).toBe(true);
  });

  it('adds a domain mid-run, fits it from its own first step, and redistributes an exhausted one', () => {
    const run = new SyntheticRun(8, 3);
    const p = new AdoPolicy({ domains: ['a', 'b'], initialMixture: 'prior', startStep: 300, refitInterval: 300, ignoreSteps: 50, lag: 0 });
    drive(p, run, 400);
    expect(p.laws().every((l) => l !== null)).toBe(true);
    p.addDomain('c', 0.2);
    expect(p.weights()[2]).toBeCloseTo(0.2, 12);
    expect(p.laws()[2]).toBeNull();
    const w = drive(p, run, 500); // steps 400…899; refits at 600 (c: 150 rows, 10 points → refused) and 900? no: 899 last
    expect(p.lastRefit?.results[2].ok).toBe(false);
    // the lawless domain keeps (about) its prior share while the others have laws
    expect(w[w.length - 1][2]).toBeGreaterThan(0.1);
    drive(p, run, 1); // step 900: c has 500 rows → 46 points
    expect(p.laws()[2]).not.toBeNull();
    p.markExhausted('a');
    const after = drive(p, run, 50);
    for (const x of after) {
      expect(x[0]).toBe(0);
      expect(x[1] + x[2]).toBeCloseTo(1, 14);
    }
  });
});

describe('exact resume', () => {
  const opts = { domains: ['a', 'b', 'c'], prior: [0.5, 0.3, 0.2], startStep: 300, ignoreSteps: 100, refitInterval: 300, lag: 7 };

  it('restoring a JSON snapshot (with a refit in flight) continues bit-for-bit', () => {
    const full = drive(new AdoPolicy(opts), new SyntheticRun(21, 3), 1000);
    const run = new SyntheticRun(21, 3);
    const first = new AdoPolicy(opts);
    const head = drive(first, run, 603); // last step 602: the refit started after 600 is pending
    const snap = JSON.parse(JSON.stringify(first.snapshot())) as AdoPolicySnapshot;
    expect(snap.pending.map(({ id, rows, applyAt, domains }) => ({ id, rows, applyAt, domains }))).toEqual([{ id: 600, rows: 601, applyAt: 607, domains: [0, 1, 2] }]);
    const second = restorePolicy(snap);
    expect(Array.from(second.weights())).toEqual(Array.from(head[head.length - 1]));
    const tail = drive(second, run, 397);
    expect(sameBits(full, [...head, ...tail])).toBe(true);
    expect(JSON.stringify(second.snapshot())).toBe(JSON.stringify((() => {
      const p = new AdoPolicy(opts);
      drive(p, new SyntheticRun(21, 3), 1000);
      return p.snapshot();
    })()));
  });

  it('reference preset resumes bit-for-bit too', () => {
    const o = { ...opts, preset: 'reference' as const, lag: undefined };
    const full = drive(new AdoPolicy(o), new SyntheticRun(4, 3), 700);
    const run = new SyntheticRun(4, 3);
    const a = new AdoPolicy(o);
    const head = drive(a, run, 350);
    const b = AdoPolicy.restore(JSON.parse(JSON.stringify(a.snapshot())));
    expect(sameBits(full, [...head, ...drive(b, run, 350)])).toBe(true);
  });

  it('rejects corrupt snapshots naming the field', () => {
    const p = new AdoPolicy(opts);
    drive(p, new SyntheticRun(1, 3), 20);
    const s = p.snapshot();
    expect(() => AdoPolicy.restore({ ...s, h: [1, 2] })).toThrow(/ado snapshot: field "h" must be an array of 3 finite numbers/);
    expect(() => AdoPolicy.restore({ ...s, laws: [null, [1, 2], null] })).toThrow(/field "laws\[1\]"/);
    expect(() => AdoPolicy.restore({ ...s, settings: { ...s.settings, lag: -1 } })).toThrow(/field "settings": AdoPolicy: lag must be an integer ≥ 0/);
    expect(() => AdoPolicy.restore({ ...s, step: 25 })).toThrow(/field "points.rows" must be 26/);
    const points = structuredClone(s.points!);
    points.domains[2].ring[4] = 'x' as never;
    expect(() => AdoPolicy.restore({ ...s, points })).toThrow(/field "points.domains\[2\]\.ring\[4\]" must be a finite number, got "x"/);
    expect(() => restorePolicy({ kind: 'mystery' })).toThrow(/field "kind" must be one of/);
  });

  it('knows its presets', () => {
    expect(ADO_PRESETS.reference).toMatchObject({ lag: 0, bounds: 'reference', countMode: 'same-step', floor: 'reference', minPoints: 1 });
    expect(new AdoPolicy({ domains: ['a'] }).settings).toMatchObject({ preset: 'default', lag: 100, minPoints: 20, bounds: 'auto' });
    expect(() => new AdoPolicy({ domains: ['a'], refitInterval: 0 })).toThrow(/refitInterval must be an integer ≥ 1, got 0/);
  });
});
