import { describe, expect, it } from 'vitest';
import { getScenario, scenarioNames, scenarioSpecOf } from '../../src/sim/scenarios.js';
import { parseScenarioJson, parseScenarioSpec, SCENARIO_DEFAULTS } from '../../src/sim/scenarioSpec.js';

const ok = {
  name: 'mine',
  domains: [
    { name: 'code', epsilon: 1.0, beta: 15, alpha: 0.35, prior: 1 },
    { name: 'prose', epsilon: 2.6, beta: 25, alpha: 0.3, prior: 3, size: 200000, epochs: 1, noise: 0.1 },
  ],
  transfer: [{ from: 'code', to: 'prose', weight: 0.2 }],
};

describe('scenario specs', () => {
  it('fills defaults, normalises the prior, builds the transfer matrix', () => {
    const s = parseScenarioSpec(ok);
    expect(s.steps).toBe(SCENARIO_DEFAULTS.steps);
    expect(s.batchSize).toBe(64);
    expect(s.repeatDecay).toBe(15.4);
    expect(s.domains.map((d) => d.prior)).toEqual([0.25, 0.75]);
    expect(s.domains[0].size).toBe(Infinity);
    expect(s.domains[0].epochs).toBe(Infinity);
    expect(s.domains[0].noise).toBe(0.2);
    expect(s.domains[1].noise).toBe(0.1);
    expect(s.domains[1].offset).toBe(100);
    // One example of code counts 0.2 for prose: T[prose][code].
    expect(s.transfer).toEqual([
      [1, 0],
      [0.2, 1],
    ]);
  });

  it('derives the prior from the data sizes when none is given, else uniform', () => {
    const sized = parseScenarioSpec({
      name: 's',
      domains: [
        { name: 'a', epsilon: 1, beta: 1, alpha: 0.3, size: 100 },
        { name: 'b', epsilon: 1, beta: 1, alpha: 0.3, size: 100, epochs: 3 },
      ],
    });
    expect(sized.domains.map((d) => d.prior)).toEqual([0.25, 0.75]);
    const open = parseScenarioSpec({ name: 'u', domains: [{ name: 'a', epsilon: 1, beta: 1, alpha: 0.3 }, { name: 'b', epsilon: 1, beta: 1, alpha: 0.3, size: 5 }] });
    expect(open.domains.map((d) => d.prior)).toEqual([0.5, 0.5]);
  });

  it('names the field, the problem and the value', () => {
    const bad = structuredClone(ok) as Record<string, unknown> & { domains: Record<string, unknown>[] };
    bad.domains[1].alpha = -0.3;
    bad.domains[0].colour = 'red';
    bad.steps = 10.5;
    expect(() => parseScenarioSpec(bad, 'my.json')).toThrow(
      [
        'my.json: steps: must be a positive integer (got 10.5)',
        'my.json: domains[0]: Unrecognized key: "colour"',
        'my.json: domains[1].alpha: must be > 0 (got -0.3)',
      ].join('\n'),
    );
    expect(() => parseScenarioSpec({ name: 'x', domains: [] }, 'f')).toThrow('f: domains: needs at least one domain (got [])');
    expect(() => parseScenarioSpec({ name: 'x', domains: [{ name: 'a', epsilon: 1, beta: 1 }] }, 'f')).toThrow(
      'f: domains[0].alpha: Invalid input: expected number, received undefined (got nothing)',
    );
  });

  it('checks the cross-field rules', () => {
    const d = (name: string, prior?: number) => ({ name, epsilon: 1, beta: 1, alpha: 0.3, ...(prior === undefined ? {} : { prior }) });
    expect(() => parseScenarioSpec({ name: 'x', domains: [d('a'), d('a')] }, 'f')).toThrow(
      'f: domains[1].name: duplicate domain name "a" (also domains[0])',
    );
    expect(() => parseScenarioSpec({ name: 'x', domains: [d('a', 1), d('b')] }, 'f')).toThrow(
      'f: domains[1].prior: give a prior for every domain or for none (1 of 2 have one)',
    );
    expect(() => parseScenarioSpec({ name: 'x', domains: [d('a', 0), d('b', 0)] }, 'f')).toThrow('f: domains[*].prior: the priors sum to 0');
    expect(() =>
      parseScenarioSpec({ name: 'x', domains: [d('a'), d('b')], transfer: [{ from: 'a', to: 'c', weight: 1 }] }, 'f'),
    ).toThrow('f: transfer[0].to: unknown domain "c" (domains: a, b)');
    expect(() => parseScenarioSpec({ name: 'x', domains: [d('a'), d('b')], transfer: [[1, 0.5], [0.5, 0.9]] }, 'f')).toThrow(
      "f: transfer[1][1]: the diagonal must be 1 (a domain's own examples count fully), got 0.9",
    );
    expect(() => parseScenarioSpec({ name: 'x', domains: [d('a'), d('b')], transfer: [[1, 0.5]] }, 'f')).toThrow(
      'f: transfer: a matrix must have one row per domain (2), got 1 rows',
    );
    expect(() => parseScenarioSpec({ name: 'x', domains: [d('a'), d('b')], transfer: [[1, -0.5], [0, 1]] }, 'f')).toThrow(
      'f: transfer[0][1]: must be ≥ 0 (interference is not modelled) (got -0.5)',
    );
  });

  it('reports JSON syntax errors with the file name', () => {
    expect(() => parseScenarioJson('{"name": ', 'spec.json')).toThrow(/^spec\.json: not valid JSON: /);
  });
});

describe('the named scenarios', () => {
  it('has the whole suite, each valid', () => {
    expect(scenarioNames()).toEqual(['equal', 'noise-domain', 'slow-steady', 'low-epsilon', 'transfer', 'runs-out', 'repeated', 'over-repeated', 'real-text', 'real-text-capacity', 'pile22']);
    for (const name of scenarioNames()) {
      const s = getScenario(name);
      expect(s.name).toBe(name);
      expect(s.domains.reduce((a, d) => a + d.prior, 0)).toBeCloseTo(1, 12);
      // The JSON spec round-trips through the validator.
      expect(parseScenarioJson(JSON.stringify(scenarioSpecOf(name)), name)).toEqual(s);
    }
    const pile = getScenario('pile22');
    expect(pile.domains.length).toBe(22);
    expect(pile.domains[0].name).toBe('Pile-CC');
    expect(pile.domains[0].prior).toBeCloseTo(0.1811, 3);
    expect(getScenario('low-epsilon').domains[0].epsilon).toBe(1.0);
    expect(getScenario('noise-domain').domains[3].beta).toBe(0);
    expect(() => getScenario('nope')).toThrow('unknown scenario "nope"; built-in scenarios: equal, noise-domain,');
  });
});
