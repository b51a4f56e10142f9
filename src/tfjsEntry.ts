/**
 * The `adomix/tfjs` entry point: the TensorFlow.js integration (src/tfjs), the built-in
 * models (src/models) and the built-in training job (src/train). Importing it loads tfjs,
 * which is why it is not part of 'adomix'.
 */
export * from './tfjs/index.js';
export * from './models/index.js';
export * from './train/index.js';
