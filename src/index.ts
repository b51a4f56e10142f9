/**
 * adomix public API. Users import from 'adomix' only; each folder's barrel is re-exported here.
 */
export * from './laws/index.js';
export * from './random/index.js';
export * from './runlog/index.js';
export * from './mixing/index.js';
export * from './refit/index.js';
export * from './sim/index.js';
export * from './report/index.js';
export * from './corpus/index.js';
