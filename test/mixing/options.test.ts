/**
 * Every option of every policy is checked by name: an unknown key (a typo) throws naming it,
 * with the closest known option when one is near, instead of being silently ignored.
 */
import { describe, expect, it } from 'vitest';
import {
  ADO_PRESETS,
  AdoPolicy,
  InlineRefitRunner,
  OdmPolicy,
  StaticPolicy,
  createPolicy,
  restorePolicy,
  type AdoPolicyOptions,
  type PolicySpec,
} from '../../src/mixing/index.js';
import { adoSnapshot } from './snapshots.js';

const domains = ['a', 'b', 'c'];

describe('policy options are checked by name', () => {
  it.each<[string, () => unknown, RegExp]>([
    ['AdoPolicy refitIntreval', () => new AdoPolicy({ domains, refitIntreval: 5 } as AdoPolicyOptions), /^AdoPolicy: unknown option "refitIntreval" \(did you mean "refitInterval"\?\)$/],
    ['AdoPolicy minshare', () => new AdoPolicy({ domains, minshare: 0.1 } as AdoPolicyOptions), /^AdoPolicy: unknown option "minshare" \(did you mean "minShare"\?\)$/],
    ['AdoPolicy priors', () => new AdoPolicy({ domains, priors: [1, 1, 1] } as AdoPolicyOptions), /^AdoPolicy: unknown option "priors" \(did you mean "prior"\?\)$/],
    ['AdoPolicy nonsense', () => new AdoPolicy({ domains, learningRate: 1 } as AdoPolicyOptions), /^AdoPolicy: unknown option "learningRate"$/],
    ['AdoPolicy fit.dleta', () => new AdoPolicy({ domains, fit: { dleta: 1 } } as never), /^AdoPolicy: unknown option "fit\.dleta" \(did you mean "fit\.delta"\?\)$/],
    ['AdoPolicy two typos', () => new AdoPolicy({ domains, lagg: 1, presett: 'default' } as never), /^AdoPolicy: unknown options "lagg" \(did you mean "lag"\?\), "presett" \(did you mean "preset"\?\)$/],
    ['AdoPolicy null value', () => new AdoPolicy({ domains, lag: null } as never), /^AdoPolicy: lag must be an integer ≥ 0, got null$/],
    ['AdoPolicy fit value', () => new AdoPolicy({ domains, fit: { window: -3 } }), /^AdoPolicy: fit\.window must be a positive number, got -3$/],
    ['AdoPolicy refitRunner', () => new AdoPolicy({ domains, refitRunner: {} as never }), /^AdoPolicy: refitRunner must be a RefitRunner \(an object with submit, collect, discard and close\), got \{\}$/],
    ['AdoPolicy infeasible δ_min', () => new AdoPolicy({ domains, minShare: 0.5 }), /^AdoPolicy: minShare must be ≤ 1\/3 \(3 live domains each get at least minShare\), got 0\.5$/],
    ['OdmPolicy rewardscale', () => new OdmPolicy({ domains, rewardscale: 1 } as never), /^OdmPolicy: unknown option "rewardscale" \(did you mean "rewardScale"\?\)$/],
    ['OdmPolicy smoothing type', () => new OdmPolicy({ domains, smoothing: '0.5' } as never), /^OdmPolicy: smoothing must be in \[0, 1\), got "0\.5"$/],
    ['StaticPolicy wieghts', () => new StaticPolicy({ domains, wieghts: [1, 2, 3] } as never), /^StaticPolicy: unknown option "wieghts" \(did you mean "weights"\?\)$/],
    ['StaticPolicy balanced with weights', () => new StaticPolicy({ domains, kind: 'balanced', weights: [1, 2, 3] }), /^StaticPolicy \(balanced\): weights must not be given \(balanced is uniform\), got \[1,2,3\]$/],
    ['createPolicy natural refitRunner', () => createPolicy({ kind: 'natural', domains, prior: [1, 1, 1], refitRunner: new InlineRefitRunner() } as never), /^createPolicy \(natural\): unknown option "refitRunner"$/],
    ['createPolicy balanced weights', () => createPolicy({ kind: 'balanced', domains, weights: [1, 1, 1] } as never), /^createPolicy \(balanced\): unknown option "weights"$/],
    ['createPolicy static wieghts', () => createPolicy({ kind: 'static', domains, wieghts: [1, 1, 1] } as never), /^createPolicy \(static\): unknown option "wieghts" \(did you mean "weights"\?\)$/],
    ['createPolicy ado typo', () => createPolicy({ kind: 'ado', domains, startstep: 3 } as never), /^AdoPolicy: unknown option "startstep" \(did you mean "startStep"\?\)$/],
    ['createPolicy odm typo', () => createPolicy({ kind: 'odm', domains, variantt: 'exp3' } as never), /^OdmPolicy: unknown option "variantt" \(did you mean "variant"\?\)$/],
    ['createPolicy kind typo', () => createPolicy({ kind: 'adoo', domains } as never), /^createPolicy: kind must be one of ado, natural, balanced, static, odm, got "adoo" \(did you mean "ado"\?\)$/],
  ])('%s throws naming it', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  it('accepts every documented option', () => {
    const runner = new InlineRefitRunner();
    for (const preset of ['default', 'reference'] as const) {
      const all: AdoPolicyOptions = { ...ADO_PRESETS[preset], preset, fit: { delta: 1e-3, subsample: 10, window: 21, order: 3 }, domains, prior: [1, 2, 3], refitRunner: runner };
      const p = new AdoPolicy(all);
      expect(p.settings).toMatchObject({ preset, fit: { delta: 1e-3, subsample: 10, window: 21, order: 3 } });
      expect(createPolicy({ kind: 'ado', ...all }).kind).toBe('ado');
    }
    // explicit undefined means "the default"
    expect(new AdoPolicy({ domains, lag: undefined, refitRunner: undefined }).settings.lag).toBe(100);
    expect(new OdmPolicy({ domains, variant: 'smoothed', rewardScale: 0.2, smoothing: 0.5, importanceWeighted: true }).settings.smoothing).toBe(0.5);
    const specs: PolicySpec[] = [
      { kind: 'natural', domains, prior: [1, 2, 3] },
      { kind: 'balanced', domains },
      { kind: 'static', domains, weights: [1, 2, 3] },
      { kind: 'odm', domains, variant: 'smoothed' },
    ];
    for (const spec of specs) expect(createPolicy(spec).kind).toBe(spec.kind);
    expect(new StaticPolicy({ domains, kind: 'natural', weights: [1, 1, 2] }).kind).toBe('natural');
  });

  it('checks the settings inside a snapshot the same way', () => {
    const s = adoSnapshot();
    const settings = s.settings as Record<string, unknown>;
    expect(() => restorePolicy({ ...s, settings: { ...settings, fit: { subsample: 2, order: 3, windw: 5 } } })).toThrow(
      /^ado snapshot: field "settings": AdoPolicy: unknown option "fit\.windw" \(did you mean "fit\.window"\?\)$/,
    );
    expect(() => restorePolicy({ ...s, settings: { ...settings, domains: ['x'] } })).toThrow(/^ado snapshot: field "settings": AdoPolicy: unknown option "domains"$/);
  });
});

describe('δ_min stays feasible', () => {
  it('addDomain refuses a domain that would make K·δ_min > 1, leaving the policy as it was', () => {
    const p = new AdoPolicy({ domains: ['a', 'b'], minShare: 0.5 });
    const before = JSON.stringify(p.snapshot());
    expect(() => p.addDomain('c', 0.1)).toThrow(/^addDomain\("c"\): minShare 0\.5 allows at most 2 live domains \(3 × 0\.5 > 1\); mark one exhausted first$/);
    expect(JSON.stringify(p.snapshot())).toBe(before);
    p.markExhausted('a');
    p.addDomain('c', 0.1);
    expect(p.domains).toEqual(['a', 'b', 'c']);
  });
});
