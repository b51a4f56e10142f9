/**
 * The shapes of the policies' snapshots (and of ODM's settings), apart from the classes that
 * write them, so the schemas that check a snapshot and the classes that restore it both
 * import them and neither imports the other.
 */
import type { AdoSettings } from './adoSettings.js';
import type { FitPointsJson, RefitDomainJobJson } from './fitPoints.js';
import type { BudgetJson } from './budgets.js';
import type { PolicySnapshot } from './policy.js';
import type { CollapseState } from './collapseAlerts.js';

export interface PendingRefit {
  id: number;
  rows: number;
  applyAt: number;
  domains: number[];
}

/** A refit in flight in a version-2 snapshot: with the jobs it was started with. */
export interface PendingRefitJson extends PendingRefit {
  jobs: RefitDomainJobJson[];
}

/** Version 1's history: every row, a column per domain (losses imputed, null before a domain joined). */
export interface HistoryJson {
  rows: number;
  firstStep: number;
  firstRow: number[];
  loss: (number | null)[][];
  count: number[][];
}

/**
 * Version 2 keeps the fit points (fitPoints.ts) instead of version 1's every row (`history`);
 * version-1 snapshots are still read (their rows are replayed into fit points).
 */
export interface AdoPolicySnapshot extends PolicySnapshot {
  kind: 'ado';
  version: 1 | 2;
  settings: AdoSettings;
  mu: number[];
  h: number[];
  piBar: number[];
  weights: number[];
  exhausted: boolean[];
  /** The importance τ inside ρ (absent in older snapshots: then derived from settings.target). */
  importance?: number[];
  laws: ([number, number, number] | null)[];
  lawsVersion: number;
  nSame: number;
  nOwn: number[];
  nBase: number[];
  /** σ_k per domain, its first losses' sum and count (absent in older snapshots: σ for every domain with a law). */
  capacity?: number[];
  firstLossSum?: number[];
  firstLossCount?: number[];
  pending: (PendingRefit | PendingRefitJson)[];
  /** Version 1. */
  history?: HistoryJson;
  /** Version 2. */
  points?: FitPointsJson;
  /** The data budget (budgets.ts), when the policy has one (absent in older snapshots). */
  budget?: BudgetJson;
  /** The collapse-alert tracker's state (absent in older snapshots: a fresh tracker). */
  collapse?: CollapseState;
}

export type OdmVariant = 'exp3' | 'smoothed';

export interface OdmSettings {
  variant: OdmVariant;
  /** Reward = rewardScale · loss (0.1). */
  rewardScale: number;
  /** m in the smoothed variant (0.9). */
  smoothing: number;
  /** Divide the reward by the domain's sampling probability (exp3: always; smoothed: default false). */
  importanceWeighted: boolean;
}

export interface OdmPolicySnapshot extends PolicySnapshot {
  kind: 'odm';
  version: 1;
  settings: OdmSettings;
  rewards: number[];
  exhausted: boolean[];
  weights: number[];
}

export type StaticKind = 'natural' | 'balanced' | 'static';

export interface StaticPolicySnapshot extends PolicySnapshot {
  kind: StaticKind;
  version: 1;
  base: number[];
  exhausted: boolean[];
}
