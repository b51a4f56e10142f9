// Model definitions for TensorFlow.js, with the tasks that train them in the loop.
export { CharLM, charLMStepMemory, type CharLMConfig, type ResolvedCharLMConfig } from './charLM.js';
export { CharLMTask, type CharLMTaskOptions } from './charLMTask.js';
export { GPT } from './gpt.js';
export { gptParameterCount, gptStepMemory, resolveGPTConfig, type GPTConfig, type ResolvedGPTConfig } from './gptConfig.js';
export { GPT2_INIT_STD, type GPTWeights, type BlockWeights, type LayerNormWeights, type MLPWeights } from './gptWeights.js';
export { causalMaskBias, causalSelfAttention, MASKED_SCORE, type AttentionWeights } from './attention.js';
export { gelu, layerNorm, LAYER_NORM_EPSILON } from './gptLayers.js';
export { tokenCrossEntropy } from './crossEntropy.js';
export type { TokenModel } from './tokenModel.js';
export { GPTTokenModel, gptTokenModel } from './gptTokenModel.js';
export { CharLMTokenModel, charLMTokenModel } from './charLMTokenModel.js';
export { WindowLMTask, RESIDENT_EVAL_BYTES, EVAL_CHUNK_BYTES, type WindowDomain, type WindowLMTaskOptions } from './windowTask.js';
