// A mixture trajectory compressed into the closest piecewise-constant stages (exact DP over
// block prefix sums), and mixtures written with d decimals that sum to exactly 1. Pure math.
export { segmentTrajectory, stageOf, DEFAULT_MAX_BLOCKS } from './segment.js';
export type { SegmentOptions, Segmentation, Stage } from './segment.js';
export { blockPrefix, segmentError, trajectorySteps, trajectoryMass, MIXTURE_SUM_TOLERANCE } from './blocks.js';
export type { BlockPrefix } from './blocks.js';
export { roundMixture, formatUnits, mixtureDecimals, MAX_DECIMALS } from './round.js';
