/**
 * Mixture policies behind one interface (DESIGN.md "The ADO algorithm", "Other mixture
 * policies"). Pure and synchronous; refits in a worker thread live in src/refit.
 */
export type { MixturePolicy, StepObservation, PolicySnapshot } from './policy.js';
export { validateObservation } from './validateObservation.js';
export { StaticPolicy } from './StaticPolicy.js';
export type { StaticKind, StaticPolicyOptions, StaticPolicySnapshot } from './StaticPolicy.js';
export { OdmPolicy, odmEpsilon, resolveOdmSettings } from './OdmPolicy.js';
export type { OdmPolicyOptions, OdmPolicySnapshot, OdmSettings, OdmVariant } from './OdmPolicy.js';
export { AdoPolicy } from './AdoPolicy.js';
export type { AdoPolicyOptions, AdoPolicySnapshot, PendingRefit, RefitReport } from './AdoPolicy.js';
export { ADO_PRESETS, resolveSettings as resolveAdoSettings } from './adoSettings.js';
export type { AdoPreset, AdoSettings, AcceptFits, AdoTarget } from './adoSettings.js';
export { adoScheduleFor, adoScheduleSettings, LONG_RUN_STEPS } from './adoSchedule.js';
export type { AdoSchedule, AdoScheduleGiven } from './adoSchedule.js';
export { adoMixture, adoRho, clipMinProbability, updateHistoryShares, newAdoScratch } from './adoWeights.js';
export type { AdoWeightParams, AdoWeightState, AdoScratch, FloorMode, HistoryTerm } from './adoWeights.js';
export { FitPointHistory, fitPointOptions } from './fitPoints.js';
export type { FitPointOptions, FitPointsJson, DomainPointsJson, RefitDomainJobJson } from './fitPoints.js';
export { computeRefit, InlineRefitRunner } from './refit.js';
export type {
  RefitDomainJob,
  RefitDomainResult,
  RefitFitOptions,
  RefitPointSource,
  RefitOutcome,
  RefitRequest,
  RefitRunner,
} from './refitTypes.js';
export { createPolicy, restorePolicy, POLICY_KINDS } from './createPolicy.js';
export type { PolicySpec, PolicyKind } from './createPolicy.js';
export { floorShares, normalizeLive } from './shares.js';
export { budgetCaps, capShares, runOutStep, DataBudget } from './budgets.js';
export type { BudgetJson, BudgetOptions, BudgetStatus } from './budgets.js';
export { applyFitChecks, fitRefusal, DEFAULT_FIT_CHECKS } from './fitChecks.js';
export type { FitChecks, FitCheckThresholds } from './fitChecks.js';
export { CollapseTracker, normalizedEntropy, lawElasticity, DEFAULT_COLLAPSE_ALERTS } from './collapseAlerts.js';
export type { CollapseAlert, CollapseAlertSettings, CollapseAlertsOption, CollapseState, CollapseInput } from './collapseAlerts.js';
export { refitSummary } from './refitSummary.js';
export type { DomainFitSummary } from './refitSummary.js';
