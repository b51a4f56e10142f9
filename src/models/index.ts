// Model definitions for TensorFlow.js, with the tasks that train them in the loop.
export { CharLM, charLMStepMemory, type CharLMConfig, type ResolvedCharLMConfig } from './charLM.js';
export { CharLMTask, type CharLMTaskOptions } from './charLMTask.js';
