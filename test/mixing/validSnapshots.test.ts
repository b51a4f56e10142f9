/**
 * Every snapshot the policies write passes the restore checks: long seeded random runs
 * (random settings, absent domains, domains added and exhausted, refits in flight) are
 * snapshotted at random steps, restored from JSON and continued bit for bit. The largest
 * |Σ − 1| of any distribution seen is what the ±1e-9 tolerance of the checks is set against.
 */
import { describe, expect, it } from 'vitest';
import {
  AdoPolicy,
  OdmPolicy,
  StaticPolicy,
  restorePolicy,
  type AdoPolicyOptions,
  type MixturePolicy,
  type PolicySnapshot,
  type RefitOutcome,
} from '../../src/mixing/index.js';
import { Rng } from '../../src/random/index.js';
import { fixedLawRunner, sameBits } from './helpers.js';

/** Laws that depend only on the refit's rows and domains, so a resumed run refits the same. */
const lawsFor = (rows: number, domains: readonly number[]): RefitOutcome => ({
  results: domains.map((k) => {
    const r = new Rng(rows * 1009 + k);
    return r.next() < 0.15
      ? { domain: k, ok: false as const, reason: 'test', points: 1 }
      : { domain: k, ok: true as const, params: [r.next() * 6 - 1, r.next() * 2 - 1, r.next()] as [number, number, number], points: 30 };
  }),
});
const runner = () => fixedLawRunner(lawsFor).runner;

const DISTRIBUTIONS = ['mu', 'h', 'piBar', 'weights', 'base'];

/** Largest |Σ − 1| over the snapshot's distributions (importance too where it is one). */
function sumError(s: PolicySnapshot): number {
  let worst = 0;
  const fields = [...DISTRIBUTIONS, ...(Array.isArray((s.settings as { target?: unknown })?.target) ? ['importance'] : [])];
  for (const f of fields) {
    const v = s[f];
    if (!Array.isArray(v)) continue;
    worst = Math.max(worst, Math.abs((v as number[]).reduce((a, b) => a + b, 0) - 1));
  }
  return worst;
}

/** A random step for the live domains (some absent), at least one example. */
function randomStep(rng: Rng, step: number, exhausted: readonly boolean[]): { step: number; loss: number[]; count: number[] } {
  const K = exhausted.length;
  const count = exhausted.map((x) => (x || rng.next() < 0.3 ? 0 : rng.int(40)));
  if (count.every((c) => c === 0)) count[exhausted.indexOf(false)] = 1;
  return { step, loss: count.map((c) => (c > 0 ? 0.3 + rng.next() * 6 : NaN)), count: count.slice(0, K) };
}

function randomAdo(rng: Rng): AdoPolicy {
  const K = 1 + rng.int(7);
  const preset = rng.next() < 0.5 ? 'default' : 'reference';
  const target = [undefined, 'uniform', 'prior', Array.from({ length: K }, () => rng.next())][rng.int(4)] as AdoPolicyOptions['target'];
  return new AdoPolicy({
    domains: Array.from({ length: K }, (_, k) => `d${k}`),
    prior: Array.from({ length: K }, () => 0.05 + rng.next()),
    preset,
    ...(target !== undefined ? { target } : {}),
    s: [0, 0.5, 1.3][rng.int(3)],
    countMode: rng.next() < 0.5 ? 'same-step' : 'per-domain',
    floor: rng.next() < 0.5 ? 'exact' : 'reference',
    historyTerm: rng.next() < 0.8 ? 'h' : 'h(1-h)',
    minShare: [0, 0.001, 0.01, 0.05][rng.int(4)],
    startStep: rng.int(200),
    refitInterval: 1 + rng.int(150),
    lag: rng.int(3) === 0 ? 0 : rng.int(60),
    refitRunner: runner(),
  });
}

/** Runs `policy` for `steps` random steps, adding and exhausting domains now and then; snapshots (as JSON) at random steps. */
function run(policy: MixturePolicy, rng: Rng, steps: number, every: number): { snaps: { at: number; json: string }[]; worst: number } {
  const snaps: { at: number; json: string }[] = [];
  let worst = 0;
  const exhausted = (policy.snapshot().exhausted as boolean[]).slice();
  for (let t = 0; t < steps; t++) {
    if (rng.next() < 0.002) {
      try {
        policy.addDomain(`n${t}`, 0.02 + 0.2 * rng.next());
        exhausted.push(false);
      } catch (err) {
        expect((err as Error).message).toMatch(/allows at most \d+ live domains/); // δ_min would not fit
      }
    }
    if (rng.next() < 0.002 && exhausted.filter((x) => !x).length > 1) {
      const k = rng.int(exhausted.length);
      policy.markExhausted(k);
      exhausted[k] = true;
    }
    policy.observe(randomStep(rng, t, exhausted));
    if (rng.int(every) === 0 || t === steps - 1) {
      const s = policy.snapshot();
      worst = Math.max(worst, sumError(s));
      snaps.push({ at: t, json: JSON.stringify(s) });
    }
  }
  return { snaps, worst };
}

describe('snapshots written by the policies always restore', () => {
  it('ado, odm and static over long random runs: restored from JSON, they write the same snapshot and continue bit for bit', () => {
    const rng = new Rng(99);
    let worst = 0;
    let restored = 0;
    const makers: (() => MixturePolicy)[] = [
      ...Array.from({ length: 24 }, () => () => randomAdo(rng)),
      ...Array.from({ length: 8 }, () => () => new OdmPolicy({ domains: ['a', 'b', 'c', 'd'].slice(0, 1 + rng.int(4)), variant: rng.next() < 0.5 ? 'exp3' : 'smoothed' })),
      () => StaticPolicy.natural(['a', 'b', 'c'], [0.2, 0.3, 0.5]),
      () => StaticPolicy.balanced(['a', 'b', 'c', 'd', 'e', 'f', 'g']),
      () => new StaticPolicy({ domains: ['a', 'b'], weights: [1, 3] }),
    ];
    for (const make of makers) {
      const policy = make();
      const seed = rng.int(1e9);
      const out = run(policy, new Rng(seed), 1500, 150);
      worst = Math.max(worst, out.worst);
      for (const { json } of out.snaps) {
        const q = restorePolicy(JSON.parse(json), { refitRunner: runner() });
        expect(JSON.stringify(q.snapshot())).toBe(json);
        restored++;
      }
      // resume from the last snapshot and continue: the same answers as the original
      const last = JSON.parse(out.snaps[out.snaps.length - 1].json) as PolicySnapshot;
      const q = restorePolicy(last, { refitRunner: runner() });
      const stepRng = new Rng(seed + 1);
      const a: Float64Array[] = [];
      const b: Float64Array[] = [];
      for (let t = last.step + 1; t < last.step + 200; t++) {
        const o = randomStep(stepRng, t, last.exhausted as boolean[]);
        a.push(policy.observe(o));
        b.push(q.observe(o));
      }
      expect(sameBits(a, b)).toBe(true);
    }
    console.log(`valid snapshots: ${restored} restored, largest |Σ − 1| ${worst.toExponential(2)}`);
    expect(restored).toBeGreaterThan(300);
    expect(worst).toBeLessThan(1e-13); // four orders of magnitude inside the ±1e-9 of the checks
  });

  it('a 200 000-step ADO run keeps its distributions within rounding of 1 and restores', () => {
    const rng = new Rng(5);
    const p = new AdoPolicy({ domains: ['a', 'b', 'c'], prior: [0.5, 0.3, 0.2], startStep: 100, refitInterval: 5000, lag: 0, refitRunner: runner() });
    let worst = 0;
    for (let t = 0; t < 200_000; t++) {
      p.observe(randomStep(rng, t, [false, false, false]));
      if (t % 20_000 === 19_999) worst = Math.max(worst, sumError(p.snapshot()));
    }
    const json = JSON.stringify(p.snapshot());
    expect(JSON.stringify(restorePolicy(JSON.parse(json), { refitRunner: runner() }).snapshot())).toBe(json);
    console.log(`200 000 steps: largest |Σ − 1| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-12);
  });
});
