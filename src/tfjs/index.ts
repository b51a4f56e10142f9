// TensorFlow.js training-loop integration: backend choice, weighted domain sampling,
// per-domain loss on the device, the training-step hook and the ready loop.
// Importing this loads @tensorflow/tfjs; it is the `adomix/tfjs` entry point.
export {
  BACKEND_ORDER,
  BACKEND_ENV,
  registerBackendLoader,
  knownBackends,
  selectBackend,
  describeBackend,
  type BackendName,
  type BackendLoader,
  type BackendOptions,
  type BackendChoice,
} from './backend.js';
export { webgpuLoader, findVulkanLoader, describeAdapter } from './webgpu.js';
export { AliasTable, DomainSampler, type BatchDraw } from './sampler.js';
export { ExampleSource, type ExampleSourceOptions, type SourceState } from './sources.js';
export { domainOneHot, perDomainSums, perDomainCounts, perDomainMeans, perDomainSumsHost } from './perDomainLoss.js';
export { matMul, dense, embed } from './ops.js';
export { Adam, cosineSchedule, type AdamOptions } from './adam.js';
export { CharLM, TokenWindows, type CharLMConfig, type ResolvedCharLMConfig } from './model.js';
export { CharLMTask, type TrainTask, type TextDomain, type CharLMTaskOptions } from './task.js';
export {
  DomainTrainStep,
  createTrainStep,
  sparseCrossEntropy,
  type DomainBatch,
  type PerExampleLossFn,
  type GradientApplier,
  type LogitsModel,
  type TrainStepOptions,
  type StepResult,
} from './trainStep.js';
export { writeTensorFile, readTensorFile, type TensorRecord, type TensorManifest } from './tensorFile.js';
export {
  trainLoop,
  STEP_LOG_FILE,
  CHECKPOINT_FILE,
  type TrainLoopOptions,
  type TrainLoopResult,
  type StepProgress,
  type CheckpointableOptimizer,
} from './trainLoop.js';
export { trainConfigSchema, parseTrainConfig, adoScheduleFor, type TrainConfig, type TrainConfigInput } from './trainConfig.js';
export { runBuiltinTraining, policySpecFor, type BuiltinRunOptions, type BuiltinRunResult } from './runTraining.js';
