// Numerics the curves and the planning laws share: the Huber loss, damped Cholesky solves,
// a robust Gauss–Newton/Newton minimiser, symmetric eigenvalues. Pure math.
export { minimizeHuber } from './minimizeHuber.js';
export type { HuberProblem, MinimizeHuberOptions, HuberMinimum, StopReason } from './minimizeHuber.js';
export { symmetricEigen } from './symmetricEigen.js';
export type { SymmetricEigen } from './symmetricEigen.js';
export { huberRho, huberPsi } from './huber.js';
export { choleskySolve } from './cholesky.js';
