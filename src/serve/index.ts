// `adomix serve`: the scheduler as an HTTP service (issue 14); the client is src/client.
export { buildServer, type AdomixServer, type ServerOptions } from './server.js';
export { RunRegistry, type RegisteredRun } from './RunRegistry.js';
export { ServedRun, runPrior, type RunEvent, type RunPersistence, type RunCheckpointMeta, type ReportInput, type WeightsAnswer } from './ServedRun.js';
export { StepAssembler, type RankReport, type AssembledStep } from './stepAssembler.js';
export { resolveRunSpec, createRunPolicy, runSpecSchema, RUN_ID_PATTERN, type RunSpec } from './runSpec.js';
export { FileRunStore, readStoredRun, RUN_FILES } from './runStore.js';
export { ServeError } from './errors.js';
export { LocalBackend, notReadyBody, type RunBackend, type RunMetrics, type StepWeightsBody, type WeightsResult } from './backend.js';
export { bearerMatches, isLoopback } from './auth.js';
export { RedisBackend, type RedisBackendOptions } from './redis/RedisBackend.js';
