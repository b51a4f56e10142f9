// Scaling-law planning: L(N, D) laws and their fits, identifiability, compute-optimal allocation,
// presets, parameter counts, the non-embedding frontier, skills, IsoFLOP, inference cost. Pure math.
export type { ScalingRun } from './scalingRun.js';
export { chinchillaLoss, chinchillaFromLog, chinchillaToLog, validateChinchillaLaw } from './chinchillaLaw.js';
export type { ChinchillaLaw, ChinchillaLogParams } from './chinchillaLaw.js';
export { fitChinchilla, CHINCHILLA_GRID, CHINCHILLA_PARAMS } from './fitChinchilla.js';
export type { ChinchillaFit, ChinchillaFitCore, ChinchillaGrid, FitChinchillaOptions } from './fitChinchilla.js';
export { kaplanLoss, kaplanLogLoss, validateKaplanLaw } from './kaplanLaw.js';
export type { KaplanLaw } from './kaplanLaw.js';
export { fitKaplan, KAPLAN_GRID, KAPLAN_PARAMS } from './fitKaplan.js';
export type { KaplanFit, KaplanFitCore, KaplanGrid, FitKaplanOptions } from './fitKaplan.js';
export {
  UnidentifiableLawError,
  MAX_CONDITION,
  PREDICTION_TOL,
  PARAM_TOL,
  chinchillaDesign,
  kaplanDesign,
  hessianCheck,
  optimaCheck,
  assessIdentifiability,
} from './identifiability.js';
export type { Identifiability, ParamSpec, Optimum } from './identifiability.js';
export { planningLawLoss, parsePlanningLaw, lawCounting } from './planningLaw.js';
export type { PlanningLaw, ParamCounting } from './planningLaw.js';
export {
  PF_DAY_FLOP,
  computeOptimal,
  chinchillaOptimum,
  chinchillaOptimalExponents,
  chinchillaComputeForLoss,
  kaplanOptimum,
  kaplanPublishedAllocation,
} from './computeOptimal.js';
export type { ComputeOptimum, OptimumMethod } from './computeOptimal.js';
export { LAW_PRESETS, LAW_PRESET_NAMES, lawPreset } from './presets.js';
export type { LawPreset, LawPresetName } from './presets.js';
export { countTransformerParams } from './paramCount.js';
export type { TransformerConfig, ParamCount } from './paramCount.js';
export { embeddingGamma, totalFromNonEmbedding, nonEmbeddingLocalExponent, nonEmbeddingOptimum } from './nonEmbeddingFrontier.js';
export type { NonEmbeddingOptimum } from './nonEmbeddingFrontier.js';
export { groupIsoFlop, isoFlopAnalysis } from './isoFlop.js';
export type { IsoFlopAnalysis, IsoFlopGroup, IsoFlopFrontier, IsoFlopOptions, IsoFlopStatus } from './isoFlop.js';
export { analyzeSkills, meanOverSkills, labelRatio } from './skills.js';
export type { SkillAnalysis, SkillAnalysisOptions, SkillResult, SkillOptimum, SkillLabel } from './skills.js';
export { bootstrapChinchilla, bootstrapKaplan, resampleRuns, percentileInterval } from './bootstrap.js';
export type { BootstrapOptions, BootstrapResult, Interval } from './bootstrap.js';
export { kineticsCost, maxTrialsWithin, maxGenWithin, compareAtEqualCost, B200_INTENSITY } from './kinetics.js';
export type { KineticsConfig, KineticsCost, EqualCostRow } from './kinetics.js';
