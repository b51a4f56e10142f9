export { Rng, MAX_SEED } from './Rng.js';
