/**
 * The data budget's part of a served run's status: whether the caps can all hold and, per
 * domain, the step during which its allowance runs out at the current mixture (null: never,
 * or no budget). Null for a policy without a budget.
 */
import { AdoPolicy, type MixturePolicy } from '../mixing/index.js';

export interface BudgetStatusJson {
  feasible: boolean;
  capped: number;
  runsOutAt: (number | null)[];
}

export function budgetStatus(policy: MixturePolicy): BudgetStatusJson | null {
  if (!(policy instanceof AdoPolicy)) return null;
  const status = policy.budgetStatus;
  const forecast = policy.budgetForecast();
  if (status === undefined || forecast === undefined) return null;
  return { feasible: status.feasible, capped: status.capped, runsOutAt: forecast.map((s) => (Number.isFinite(s) ? s : null)) };
}
