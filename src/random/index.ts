export { Rng, MAX_SEED } from './Rng.js';
export { FeistelPermutation } from './feistel.js';
