/**
 * The task a training config trains, and what comes with it:
 *
 * - the built-in corpus and the char MLP: `CharLMTask`, exactly as the demo always ran;
 * - every other combination: token windows (`WindowLMTask`) of the built-in corpus (its 96
 *   characters) or of a corpus on disk (src/data, tokenised once into shards and read by
 *   positional reads), for the MLP or the GPT.
 *
 * The natural mixture (the policy's prior) is each domain's share of the training tokens
 * (of the training examples for the built-in MLP, as before). A corpus on disk is identified
 * by its token hash, which a checkpoint keeps; the built-in corpus is fixed by the config.
 */
import { builtinCorpus, openCorpus, VOCAB_SIZE, ArrayTokenReader, type BuiltinDomain, type CorpusProgress, type TokenCorpus } from '../data/index.js';
import { CharLMTask, WindowLMTask, charLMStepMemory, charLMTokenModel, gptStepMemory, gptTokenModel, type TokenModel, type WindowDomain } from '../models/index.js';
import type { StepMemory } from '../tfjs/memory.js';
import type { TrainTask } from '../tfjs/task.js';
import { isDiskData, type TrainConfig } from './trainConfig.js';

export interface RunTask {
  task: TrainTask;
  /** Each domain's share of the training tokens (of the examples, for the built-in MLP). */
  prior: number[];
  /** The data's identity beyond the config: a corpus on disk's token hash (null: built-in). */
  dataIdentity: string | null;
  /** ExampleSource order: O(1) memory for corpora on disk, the table (as always) for the built-in one. */
  sourceOrder: 'table' | 'feistel';
  /** The corpus on disk, when there is one (its domains' files and token counts). */
  corpus?: TokenCorpus;
  /** Frees the task and closes the corpus. */
  dispose(): void;
}

/** GPT-2's BPE and byte-level vocabularies. */
const VOCAB = { byte: 256, gpt2: 50257 } as const;

/** The vocabulary a config's model reads, known before any data is opened. */
export function vocabularyOf(config: TrainConfig): number {
  return isDiskData(config.data) ? VOCAB[config.data.tokenizer] : VOCAB_SIZE;
}

/** Tokens one example reads: a GPT its context plus the next token, the MLP its context plus its targets. */
export function windowLengthOf(config: TrainConfig): number {
  return config.model.kind === 'gpt' ? config.model.context + 1 : config.model.context + config.targetsPerExample;
}

/** What one example costs a step, from the config alone (checked before anything is built). */
export function stepMemoryOf(config: TrainConfig): StepMemory {
  const vocabSize = vocabularyOf(config);
  const m = config.model;
  return m.kind === 'gpt' ? gptStepMemory({ ...m, vocabSize }) : charLMStepMemory({ ...m, vocabSize }, config.targetsPerExample);
}

function tokenModel(config: TrainConfig, vocabSize: number): TokenModel {
  const m = config.model;
  if (m.kind === 'gpt') return gptTokenModel({ vocabSize, context: m.context, layers: m.layers, heads: m.heads, width: m.width, seed: config.seed });
  return charLMTokenModel({ vocabSize, context: m.context, embedding: m.embedding, hidden: m.hidden, layers: m.layers, seed: config.seed }, config.targetsPerExample);
}

const shares = (sizes: readonly number[]): number[] => {
  const total = sizes.reduce((a, b) => a + b, 0);
  return sizes.map((n) => n / total);
};

export async function buildTask(config: TrainConfig, options: { onCorpusProgress?: (p: CorpusProgress) => void } = {}): Promise<RunTask> {
  const data = config.data;
  const evalExamples = config.evalExamples;
  if (!isDiskData(data)) {
    const corpus = builtinCorpus({ seed: data.seed, domains: data.domains as BuiltinDomain[], trainChars: data.trainChars, heldOutChars: data.heldOutChars });
    if (config.model.kind === 'mlp') {
      const task = new CharLMTask(corpus, { model: { ...config.model, vocabSize: VOCAB_SIZE, seed: config.seed }, targetsPerExample: config.targetsPerExample, evalExamples });
      return { task, prior: shares(task.trainSizes), dataIdentity: null, sourceOrder: 'table', dispose: () => task.dispose() };
    }
    const domains: WindowDomain[] = corpus.map((d) => ({ name: d.name, train: new ArrayTokenReader(d.train), heldOut: new ArrayTokenReader(d.heldOut) }));
    const task = new WindowLMTask(domains, tokenModel(config, VOCAB_SIZE), { evalExamples });
    return { task, prior: shares(corpus.map((d) => d.train.length)), dataIdentity: null, sourceOrder: 'table', dispose: () => task.dispose() };
  }
  const corpus = await openCorpus(data.path, {
    tokenizer: data.tokenizer,
    heldOut: data.heldOut,
    heldOutFiles: data.heldOutFiles,
    textField: data.textField,
    skipBadLines: data.skipBadLines,
    minTokens: windowLengthOf(config),
    onProgress: options.onCorpusProgress,
  });
  try {
    const domains: WindowDomain[] = corpus.domains.map((d, k) => ({ name: d.name, train: corpus.reader(k, 'train'), heldOut: corpus.reader(k, 'heldOut') }));
    const task = new WindowLMTask(domains, tokenModel(config, corpus.vocabSize), { evalExamples });
    return {
      task,
      prior: [...corpus.prior],
      dataIdentity: corpus.identity,
      sourceOrder: 'feistel',
      corpus,
      dispose: () => {
        task.dispose();
        corpus.close();
      },
    };
  } catch (err) {
    corpus.close();
    throw err;
  }
}
