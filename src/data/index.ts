// Corpora and how a model reads them: the built-in generated corpus, token windows.
export * from './builtin/index.js';
export { TokenWindows, fillWindow, type TextDomain } from './windows.js';
export { ArrayTokenReader, type TokenReader } from './tokenReader.js';
