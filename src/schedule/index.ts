// `adomix schedule export`: a run's mixture trajectory (logged, or replayed through a policy),
// compressed into its closest stages (src/stages), written for Megatron-LM, OLMo-core,
// MosaicML streaming, Hugging Face datasets or as CSV.
export { exportSchedule, exportSummary, type ExportOptions, type ExportResult } from './exportSchedule.js';
export { readWeightTrajectory, type WeightTrajectory, type TrajectoryOptions, type WeightSource } from './trajectory.js';
export { planSchedule, domainPaths, recordSteps, type SchedulePlan, type PlannedStage, type PlanOptions } from './plan.js';
export {
  formatSchedule,
  formatMegatron,
  formatOlmoCore,
  formatMosaic,
  formatHf,
  formatCsv,
  SCHEDULE_FORMATS,
  type ScheduleFormat,
} from './formats/index.js';
