/**
 * adomix public API: each folder's barrel is re-exported here. The TensorFlow.js
 * integration is the separate entry point 'adomix/tfjs' (src/tfjs/index.ts), so that
 * importing 'adomix' does not load tfjs.
 */
export * from './curves/index.js';
export * from './planning/index.js';
export * from './stages/index.js';
export * from './numerics/index.js';
export * from './random/index.js';
export * from './runlog/index.js';
export * from './import/index.js';
export * from './mixing/index.js';
export * from './refit/index.js';
export * from './sim/index.js';
export * from './report/index.js';
export * from './data/index.js';
export * from './schedule/index.js';
