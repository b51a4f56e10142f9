/**
 * restorePolicy checks every field of every snapshot kind: types, distributions (sum to 1
 * within 1e-9), exhausted domains at weight 0, a feasible δ_min, counts that add up to
 * the history, the refits in flight, no unknown fields; each error names the snapshot kind
 * and the field's exact path.
 */
import { describe, expect, it } from 'vitest';
import { AdoPolicy, restorePolicy, type PolicySnapshot } from '../../src/mixing/index.js';
import { drive, sameBits, SyntheticRun } from './helpers.js';
import { ADO_OPTIONS, adoSnapshot, odmSnapshot, staticSnapshots } from './snapshots.js';

type Edit = (s: PolicySnapshot) => unknown;
const edit = (s: PolicySnapshot, f: Edit): unknown => f(structuredClone(s));
const set = (field: string, value: unknown): Edit => (s) => ({ ...s, [field]: value });
const K4 = (x: number) => [x, x, x, x];

describe('ado snapshot validation', () => {
  const s = adoSnapshot();

  it('the fixture uses every part of the state', () => {
    expect(s.domains).toEqual(['a', 'b', 'c', 'd']);
    expect(s.exhausted).toEqual([false, true, false, false]);
    expect((s.pending as { jobs: unknown[] }[]).map(({ jobs: _j, ...j }) => j)).toEqual([{ id: 100, rows: 101, applyAt: 107, domains: [0, 2, 3] }]);
    expect((s.laws as unknown[]).map((l) => l !== null)).toEqual([true, true, true, false]); // d: too few points yet
    expect((s.points as { domains: { first: number }[] }).domains.map((d) => d.first)).toEqual([0, 0, 0, 60]);
    expect(() => restorePolicy(s)).not.toThrow();
  });

  it.each<[string, Edit, RegExp]>([
    ['weights summing to 3', set('weights', [1, 0, 1, 1]), /^ado snapshot: field "weights" must sum to 1 \(±1e-9\), sums to 3$/],
    ['μ summing to 2', set('mu', K4(0.5)), /^ado snapshot: field "mu" must sum to 1 \(±1e-9\), sums to 2$/],
    ['π̄ of 5s', set('piBar', K4(5)), /^ado snapshot: field "piBar" must sum to 1 \(±1e-9\), sums to 20$/],
    ['h off by 1e-6', (x) => ({ ...x, h: (x.h as number[]).map((v, k) => (k === 0 ? v + 1e-6 : v)) }), /^ado snapshot: field "h" must sum to 1 \(±1e-9\), sums to 1\.000001/],
    ['a negative prior share', set('mu', [0.6, 0.3, 0.2, -0.1]), /^ado snapshot: field "mu\[3\]" must be a finite number ≥ 0, got -0\.1$/],
    ['weight on an exhausted domain', set('weights', [0.4, 0.1, 0.3, 0.2]), /^ado snapshot: field "weights\[1\]" must be 0 \(domain "b" is exhausted\), got 0\.1$/],
    ['an infeasible δ_min', (x) => ({ ...x, settings: { ...(x.settings as object), minShare: 0.9 } }), /^ado snapshot: field "settings": AdoPolicy: minShare must be ≤ 1\/3 \(3 live domains each get at least minShare\), got 0\.9$/],
    ['an unknown field', set('foo', 1), /^ado snapshot: unknown field "foo"$/],
    ['a misspelt field', (x) => { const { weights, ...rest } = x; return { ...rest, wieghts: weights }; }, /^ado snapshot: unknown field "wieghts" \(did you mean "weights"\?\)$/],
    ['an unknown points field', (x) => ({ ...x, points: { ...(x.points as object), extra: [] } }), /^ado snapshot: unknown field "points\.extra"$/],
    ['an unknown field of a domain\'s points', (x) => { (x.points as { domains: object[] }).domains[1] = { ...(x.points as { domains: object[] }).domains[1], rows: 3 }; return x; }, /^ado snapshot: unknown field "points\.domains\.1\.rows"$|^ado snapshot: unknown field "points\.domains\[1\]\.rows"$/],
    ['a misspelt setting', (x) => ({ ...x, settings: { ...(x.settings as object), refitIntreval: 5 } }), /^ado snapshot: field "settings": AdoPolicy: unknown option "refitIntreval" \(did you mean "refitInterval"\?\)$/],
    ['a setting of the wrong type', (x) => ({ ...x, settings: { ...(x.settings as object), floor: 3 } }), /^ado snapshot: field "settings": AdoPolicy: floor must be one of exact, reference, got 3$/],
    ['importance ≠ 1 with target uniform', set('importance', [1, 1, 0.5, 1]), /^ado snapshot: field "importance\[2\]" must be 1 \(settings\.target is "uniform"\), got 0\.5$/],
    ['nSame off by one', (x) => ({ ...x, nSame: (x.nSame as number) + 1 }), /^ado snapshot: field "nSame" must be 6720 \(the history's total count\), got 6721$/],
    ['nOwn off by one', (x) => ({ ...x, nOwn: (x.nOwn as number[]).map((v, k) => (k === 2 ? v + 1 : v)) }), /^ado snapshot: field "nOwn\[2\]" must be \d+ \(domain "c"'s total count in the history\), got \d+$/],
    ['nBase of the added domain', (x) => ({ ...x, nBase: [0, 0, 0, 64] }), /^ado snapshot: field "nBase\[3\]" must be 3840 \(the history's total count before domain "d" was added\), got 64$/],
    ['a fractional count', (x) => ({ ...x, nSame: 6720.5 }), /^ado snapshot: field "nSame" must be an integer ≥ 0, got 6720\.5$/],
    ['no refit in flight', set('pending', []), /^ado snapshot: field "pending" must list the refits in flight, started after steps 100 \(startStep 40, refitInterval 20, lag 7\), got \[\]$/],
    ['a refit applied late', (x) => ({ ...x, pending: [{ ...(x.pending as object[])[0], applyAt: 108 }] }), /^ado snapshot: field "pending\[0\]\.applyAt" must be 107 \(id 100 \+ lag 7\), got 108$/],
    ['a refit reading too few rows', (x) => ({ ...x, pending: [{ ...(x.pending as object[])[0], rows: 50 }] }), /^ado snapshot: field "pending\[0\]\.rows" must be 101 \(the history rows after step 100\), got 50$/],
    ['a refit missing a live domain', (x) => ({ ...x, pending: [{ ...(x.pending as object[])[0], domains: [0, 2] }] }), /^ado snapshot: field "pending\[0\]\.domains" must include 3 \(domain "d" existed and is live\), got \[0,2\]$/],
    ['a refit with an unknown field', (x) => ({ ...x, pending: [{ ...(x.pending as object[])[0], when: 1 }] }), /^ado snapshot: unknown field "pending\[0\]\.when"$/],
    ['a law with a string', (x) => ({ ...x, laws: [[1, 'x', 0.3], ...(x.laws as unknown[]).slice(1)] }), /^ado snapshot: field "laws\[0\]\[1\]" must be a finite number, got "x"$/],
    ['laws without a version', set('lawsVersion', 0), /^ado snapshot: field "lawsVersion" must be ≥ 1 \(there are laws\), got 0$/],
    ['a ring of the wrong length', (x) => { (x.points as { domains: { ring: unknown[] }[] }).domains[3].ring.push(2.5); return x; }, /^ado snapshot: field "points\.domains\[3\]\.ring" must be an array of \d+ losses \(the last rows of domain "d"\), got an array of \d+$/],
    ['a fit point that is not a number', (x) => { (x.points as { domains: { loss: unknown[] }[] }).domains[0].loss[2] = null; return x; }, /^ado snapshot: field "points\.domains\[0\]\.loss\[2\]" must be a finite number, got null$/],
    ['a domain joining later than its points say', (x) => { (x.points as { domains: { first: number }[] }).domains[2].first = 70; return x; }, /^ado snapshot: field "points\.domains\[2\]\.pendRow\[0\]" must be an integer in \[0, 34\], got 60$/],
    ['a refit job for another domain', (x) => { ((x.pending as { jobs: { domain: number }[] }[])[0].jobs[1]).domain = 1; return x; }, /^ado snapshot: field "pending\[0\]\.jobs" must hold one job per domain of "pending\[0\]\.domains" \(0, 2, 3\), in order, got /],
    ['a refit job reading more points than there are', (x) => { ((x.pending as { jobs: { frozen: number }[] }[])[0].jobs[0]).frozen = 1e6; return x; }, /^ado snapshot: field "pending\[0\]\.jobs\[0\]\.frozen" must be ≤ \d+ \(the points domain 0 holds\), got 1000000$/],
    ['every domain exhausted', set('exhausted', K4(true)), /^ado snapshot: field "exhausted" must be an array with at least one live domain, got \[true,true,true,true\]$/],
    ['a boolean as a number', set('exhausted', [false, 1, false, false]), /^ado snapshot: field "exhausted\[1\]" must be a boolean, got 1$/],
    ['a truncated array', set('piBar', [0.5, 0.5]), /^ado snapshot: field "piBar" must be an array of 4 finite numbers ≥ 0, got \[0\.5,0\.5\]$/],
    ['step as a string', set('step', '104'), /^ado snapshot: field "step" must be an integer ≥ -1, got "104"$/],
  ])('rejects %s', (_name, f, message) => {
    expect(() => restorePolicy(edit(s, f))).toThrow(message);
  });

  it('reports an unknown field first, then the shallowest problem', () => {
    expect(() => restorePolicy({ ...s, h: ['x'], zzz: 1 })).toThrow(/^ado snapshot: unknown field "zzz"$/);
    expect(() => restorePolicy({ ...s, h: ['x'] })).toThrow(/^ado snapshot: field "h" must be an array of 4 finite numbers ≥ 0, got \["x"\]$/);
  });

  it('an explicit target checks importance as a distribution, "prior" as μ', () => {
    const explicit = adoSnapshot({ target: [2, 1, 1] } as never);
    expect(() => restorePolicy(explicit)).not.toThrow();
    expect(() => restorePolicy({ ...explicit, importance: K4(0.5) })).toThrow(/^ado snapshot: field "importance" must sum to 1 \(±1e-9\), sums to 2$/);
    const prior = adoSnapshot({ target: 'prior' } as never);
    expect(() => restorePolicy(prior)).not.toThrow();
    expect(() => restorePolicy({ ...prior, importance: K4(0.25) })).toThrow(/^ado snapshot: field "importance\[0\]" must be \S+ \(equal to "mu": settings\.target is "prior"\), got 0\.25$/);
    // without `importance` an explicit target must cover every domain
    const { importance: _i, ...old } = explicit;
    expect(() => restorePolicy(old)).toThrow(/^ado snapshot: field "settings\.target" must have 4 entries \(one per domain\) when "importance" is absent, got \[2,1,1\]$/);
  });

  it('before the first law, weights must be μ over the live domains and π̄ must be μ', () => {
    const p = new AdoPolicy({ ...ADO_OPTIONS, initialMixture: 'prior' });
    drive(p, new SyntheticRun(2, 3), 10);
    p.markExhausted('c');
    const early = JSON.parse(JSON.stringify(p.snapshot())) as PolicySnapshot;
    const [wa, wb, wc] = early.weights as number[];
    expect([wa, wc]).toEqual([0.625, 0]); // μ = [0.5, 0.3, 0.2] over a, b
    expect(wb).toBeCloseTo(0.375, 15);
    expect(() => restorePolicy(early)).not.toThrow();
    expect(() => restorePolicy({ ...early, weights: [0.5, 0.5, 0] })).toThrow(/^ado snapshot: field "weights\[0\]" must be 0\.625 \(the initial mixture over the live domains: no domain has a law yet\), got 0\.5$/);
    expect(() => restorePolicy({ ...early, piBar: [0.2, 0.3, 0.5] })).toThrow(/^ado snapshot: field "piBar\[0\]" must be 0\.5 \(equal to "mu": no domain has a law yet\), got 0\.2$/);
  });

  it('older snapshots (no importance, no settings.target) still resume bit for bit', () => {
    const opts = { ...ADO_OPTIONS, target: 'prior' as const };
    const full = drive(new AdoPolicy(opts), new SyntheticRun(7, 3), 200);
    const run = new SyntheticRun(7, 3);
    const a = new AdoPolicy(opts);
    const head = drive(a, run, 103);
    const { importance: _i, ...snap } = JSON.parse(JSON.stringify(a.snapshot()));
    const { target: _t, ...settings } = snap.settings;
    const b = restorePolicy({ ...snap, settings });
    expect(sameBits(full, [...head, ...drive(b, run, 97)])).toBe(true);
  });
});

describe('odm snapshot validation', () => {
  const s = odmSnapshot();
  const weights = s.weights as number[];

  it('restores the fixture', () => {
    expect(s.exhausted).toEqual([false, true, false, false]);
    expect(Array.from(restorePolicy(s).weights())).toEqual(weights);
  });

  it.each<[string, Edit, RegExp]>([
    ['weights summing to 3', set('weights', weights.map((w) => w * 3)), /^odm snapshot: field "weights" must sum to 1 \(±1e-9\), sums to 3/],
    ['weight on an exhausted domain', set('weights', [weights[0] - 0.1, 0.1, weights[2], weights[3]]), /^odm snapshot: field "weights\[1\]" must be 0 \(domain "y" is exhausted\), got 0\.1$/],
    ['weights the rewards do not give', set('weights', [weights[2], 0, weights[0], weights[3]]), /^odm snapshot: field "weights\[0\]" must be \S+ \(the mixture "rewards" give, ±1e-9\), got \S+$/],
    ['an unknown field', set('foo', 1), /^odm snapshot: unknown field "foo"$/],
    ['a misspelt setting', (x) => ({ ...x, settings: { ...(x.settings as object), smooting: 0.5 } }), /^odm snapshot: field "settings": OdmPolicy: unknown option "smooting" \(did you mean "smoothing"\?\)$/],
    ['a reward as null', set('rewards', [1, null, 2, 3]), /^odm snapshot: field "rewards\[1\]" must be a finite number, got null$/],
    ['a missing field', (x) => { const { rewards: _r, ...rest } = x; return rest; }, /^odm snapshot: field "rewards" must be an array of 4 finite numbers, got nothing$/],
  ])('rejects %s', (_name, f, message) => {
    expect(() => restorePolicy(edit(s, f))).toThrow(message);
  });
});

describe('static snapshot validation', () => {
  const [natural, balanced, fixed] = staticSnapshots();

  it.each<[string, PolicySnapshot, Edit, RegExp]>([
    ['natural base summing to 3', natural, set('base', [1, 1, 1, 0]), /^natural snapshot: field "base" must sum to 1 \(±1e-9\), sums to 3$/],
    ['static base negative', fixed, set('base', [0.5, 0.6, -0.1, 0]), /^static snapshot: field "base\[2\]" must be a finite number ≥ 0, got -0\.1$/],
    ['balanced base not uniform', balanced, set('base', [0.7, 0.1, 0.1, 0.1]), /^balanced snapshot: field "base\[0\]" must be 0\.25 \(1\/4: balanced is uniform\), got 0\.7$/],
    ['an unknown field', fixed, set('weights', [0.25, 0.25, 0.25, 0.25]), /^static snapshot: unknown field "weights"$/],
    ['every domain exhausted', natural, set('exhausted', K4(true)), /^natural snapshot: field "exhausted" must be an array with at least one live domain, got \[true,true,true,true\]$/],
    ['a wrong version', balanced, set('version', 2), /^balanced snapshot: field "version" must be 1 \(this adomix\), got 2$/],
  ])('rejects %s', (_name, s, f, message) => {
    expect(() => restorePolicy(edit(s, f))).toThrow(message);
  });

  it('restores all three', () => {
    for (const s of [natural, balanced, fixed]) expect(restorePolicy(s).snapshot()).toEqual(s);
  });
});
