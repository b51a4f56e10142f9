export { Rng } from './Rng.js';
