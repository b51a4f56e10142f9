/**
 * The `adomix/tfjs` entry point: the TensorFlow.js integration (src/tfjs), the built-in
 * models (src/models) and the built-in training job (src/train). Importing it loads tfjs,
 * which is why it is not part of 'adomix'.
 */
export * from './tfjs/index.js';
export * from './models/index.js';
export * from './train/index.js';
// The windows a model reads a domain's text by (also in 'adomix'), where this entry always had them.
export { TokenWindows, type TextDomain } from './data/index.js';
