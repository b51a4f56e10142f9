// The built-in training job (`adomix train`, `npm run demo`): its config and the whole run.
export { trainConfigSchema, parseTrainConfig, adoScheduleFor, adoScheduleSettings, type TrainConfig, type TrainConfigInput } from './trainConfig.js';
export { runBuiltinTraining, policySpecFor, runIdentityOf, checkRunFits, RESUMABLE_FIELDS, type BuiltinRunOptions, type BuiltinRunResult } from './runTraining.js';
