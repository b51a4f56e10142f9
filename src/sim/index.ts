// Ground-truth learning-curve simulator, oracle and scenario suite (issue 5).
export type { Scenario, SimDomain } from './types.js';
export { effectiveData, effectiveDataSlope, MUENNIGHOFF_R_STAR } from './effectiveData.js';
export { TrueCurves } from './TrueCurves.js';
export { BatchDrawer } from './drawBatch.js';
export {
  parseScenarioSpec,
  parseScenarioJson,
  dataAvailable,
  ScenarioSpecSchema,
  ScenarioSpecError,
  SCENARIO_DEFAULTS,
} from './scenarioSpec.js';
export type { ScenarioSpec, SimDomainSpec } from './scenarioSpec.js';
export { getScenario, scenarioNames, scenarioSpecOf } from './scenarios.js';
export { staticOracle, scheduleOracle, weightCaps, projectCappedSimplex } from './oracle.js';
export type { StaticOracle, StaticOracleOptions, ScheduleOracle, ScheduleOracleOptions } from './oracle.js';
export { simulate, defaultEvalEvery } from './simulate.js';
export type { SimStep, SimulationOptions, SimulationResult } from './simulate.js';
export { createSimPolicy, isSimPolicy, simBudget, SIM_POLICIES } from './policies.js';
export type { SimPolicyName, SimPolicyOptions } from './policies.js';
export { CAPACITY_GRID, calibrateCurves, calibratedScenario, trainingNoise } from './calibrate.js';
export type { CalibratedCurve, CalibrateOptions, StaticRunCurves, TrainingStep } from './calibrate.js';
