// TensorFlow.js training-loop integration: backend choice, weighted domain sampling,
// per-domain loss on the device, the training-step hook and the ready loop.
// Importing this loads @tensorflow/tfjs. The `adomix/tfjs` entry point (src/tfjsEntry.ts) adds the
// built-in models and training job.
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
export { matMul, dense, embed, batchMatMul, matMulTransposeB, gatherRows } from './ops.js';
export { Adam, cosineSchedule, type AdamOptions } from './adam.js';
export type { TrainTask } from './task.js';
export { backendMemoryLimits, checkBatchFits, type StepMemory, type MemoryLimits } from './memory.js';
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
