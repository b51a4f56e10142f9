/**
 * The policies the simulator runs by name, built for a scenario: the baselines, ODM, ADO
 * with its defaults and with the authors' reference preset, and the static oracle.
 */
import { AdoPolicy, createPolicy, type AdoPolicyOptions, type AdoSettings, type MixturePolicy } from '../mixing/index.js';
import { staticOracle } from './oracle.js';
import type { Scenario } from './types.js';

export const SIM_POLICIES = ['natural', 'balanced', 'odm', 'ado', 'ado-reference', 'oracle'] as const;
export type SimPolicyName = (typeof SIM_POLICIES)[number];

export interface SimPolicyOptions {
  /** Budget the oracle optimises for (default the scenario's). */
  steps?: number;
  batchSize?: number;
  /** Overrides of ADO's settings (for `ado` and `ado-reference`). */
  ado?: Partial<AdoSettings>;
  /** ADO's prior μ: the natural mixture (default, as DESIGN.md says) or uniform. */
  adoPrior?: 'natural' | 'uniform';
  /**
   * Give ADO a data budget (budgets.ts): each domain's size as its budget, at most
   * `maxEpochs` passes (or the domain's own epochs where fewer), ending at the run's steps.
   */
  budget?: { maxEpochs: number };
}

/** ADO's budget options for a scenario: sizes (unlimited where Infinity), min(maxEpochs, epochs), planned end. */
export function simBudget(scenario: Scenario, maxEpochs: number, plannedSteps: number): Pick<AdoPolicyOptions, 'budget' | 'maxEpochs' | 'plannedSteps'> {
  return {
    budget: scenario.domains.map((d) => d.size),
    maxEpochs: scenario.domains.map((d) => Math.min(maxEpochs, d.epochs)),
    plannedSteps,
  };
}

export function isSimPolicy(name: string): name is SimPolicyName {
  return (SIM_POLICIES as readonly string[]).includes(name);
}

/** A fresh policy over the scenario's domains, with the natural mixture as its prior. */
export function createSimPolicy(name: string, scenario: Scenario, options: SimPolicyOptions = {}): MixturePolicy {
  const domains = scenario.domains.map((d) => d.name);
  const prior = scenario.domains.map((d) => d.prior);
  const adoPrior = options.adoPrior === 'uniform' ? domains.map(() => 1 / domains.length) : prior;
  const budget = options.budget !== undefined ? simBudget(scenario, options.budget.maxEpochs, options.steps ?? scenario.steps) : {};
  switch (name) {
    case 'natural':
      return createPolicy({ kind: 'natural', domains, prior });
    case 'balanced':
      return createPolicy({ kind: 'balanced', domains });
    case 'odm':
      return createPolicy({ kind: 'odm', domains });
    case 'ado':
      return new AdoPolicy({ ...options.ado, ...budget, domains, prior: adoPrior, preset: 'default' });
    case 'ado-reference':
      return new AdoPolicy({ ...options.ado, ...budget, domains, prior: adoPrior, preset: 'reference' });
    case 'oracle': {
      const o = staticOracle(scenario, { steps: options.steps, batchSize: options.batchSize });
      return createPolicy({ kind: 'static', domains, weights: o.weights });
    }
    default:
      throw new Error(`unknown policy "${name}"; choose one of ${SIM_POLICIES.join(', ')}`);
  }
}
