// Moved: src/curves and src/planning (re-exported here until every import points there).
export * from '../curves/index.js';
export * from '../planning/index.js';
export * from '../numerics/index.js';
