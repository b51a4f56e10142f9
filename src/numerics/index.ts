// Numerics the curves and the planning laws share: the Huber loss, damped Cholesky solves,
// a robust Gauss–Newton/Newton minimiser, symmetric eigenvalues; and GrowableRows, the
// doubling typed buffer of series read one row at a time. Pure math.
export { minimizeHuber } from './minimizeHuber.js';
export type { HuberProblem, MinimizeHuberOptions, HuberMinimum, StopReason } from './minimizeHuber.js';
export { symmetricEigen } from './symmetricEigen.js';
export type { SymmetricEigen } from './symmetricEigen.js';
export { huberRho, huberPsi } from './huber.js';
export { choleskySolve } from './cholesky.js';
export { GrowableRows } from './growableRows.js';
