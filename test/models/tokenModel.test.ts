import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArrayTokenReader, builtinCorpus, type TextDomain } from '../../src/data/index.js';
import { createPolicy } from '../../src/mixing/index.js';
import { Adam } from '../../src/tfjs/adam.js';
import { selectBackend } from '../../src/tfjs/backend.js';
import { trainLoop } from '../../src/tfjs/trainLoop.js';
import { CharLMTask, charLMTokenModel, gptTokenModel, WindowLMTask } from '../../src/models/index.js';
import { values } from '../helpers/tensors.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu', strict: true });
});

const corpus = builtinCorpus({ seed: 5, trainChars: { code: 3000, prose: 3000, json: 1500, random: 2500 }, heldOutChars: 400 });
const readers = (domains: readonly TextDomain[]) => domains.map((d) => ({ name: d.name, train: new ArrayTokenReader(d.train), heldOut: new ArrayTokenReader(d.heldOut) }));

describe('token models (cpu)', () => {
  it('the GPT adapter reads windows of T + 1 tokens: inputs the first T, targets the last T', () => {
    const model = gptTokenModel({ vocabSize: 32, context: 4, layers: 1, heads: 1, width: 4 });
    expect([model.windowLength, model.targetsPerExample, model.vocabSize]).toEqual([5, 4, 32]);
    expect(model.parameterCount).toBe(model.model.parameterCount);
    expect(model.names).toBe(model.model.names);
    const windows = Int32Array.from([10, 11, 12, 13, 14, 20, 21, 22, 23, 24, 99, 99]);
    const { inputs, targets } = model.batchTensors(windows, 2);
    expect(inputs.shape).toEqual([2, 4]);
    expect(values(inputs)).toEqual([10, 11, 12, 13, 20, 21, 22, 23]);
    expect(values(targets)).toEqual([11, 12, 13, 14, 21, 22, 23, 24]);
    expect(model.perExampleLoss(inputs, targets, 2).shape).toEqual([2]);
    expect(() => model.batchTensors(windows, 3)).toThrow('GPT token model: 12 window tokens cannot hold 3 windows of 5');
    tf.dispose([inputs, targets]);
    model.dispose();
  });

  it('the char adapter lays a window of C + T tokens out as TokenWindows.fill does, and its tensors outlive its buffers', () => {
    const model = charLMTokenModel({ vocabSize: 32, context: 3, embedding: 2, hidden: 4, layers: 1 }, 2);
    expect([model.windowLength, model.targetsPerExample]).toEqual([5, 2]);
    const first = model.batchTensors(Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 2);
    // Window 1: rows (1 2 3 → 4), (2 3 4 → 5); window 2: (6 7 8 → 9), (7 8 9 → 10).
    expect(values(first.inputs)).toEqual([1, 2, 3, 2, 3, 4, 6, 7, 8, 7, 8, 9]);
    expect(values(first.targets)).toEqual([4, 5, 9, 10]);
    const second = model.batchTensors(Int32Array.from([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]), 2);
    expect(values(first.inputs)).toEqual([1, 2, 3, 2, 3, 4, 6, 7, 8, 7, 8, 9]);
    expect(values(second.targets)).toEqual([14, 15, 19, 20]);
    tf.dispose([first.inputs, first.targets, second.inputs, second.targets]);
    model.dispose();
  });

  it('WindowLMTask over the char adapter computes what CharLMTask computes, bit for bit', async () => {
    const config = { context: 4, embedding: 4, hidden: 16, layers: 1, seed: 3 };
    const builtin = new CharLMTask(corpus, { model: config, targetsPerExample: 4, evalExamples: 5, evalBatch: 7 });
    const windows = new WindowLMTask(readers(corpus), charLMTokenModel({ ...config, vocabSize: 96 }, 4), { evalExamples: 5, evalBatch: 7 });
    try {
      expect(windows.domains).toEqual(builtin.domains);
      expect(windows.trainSizes).toEqual(builtin.trainSizes);
      expect(windows.variableNames).toEqual(builtin.variableNames);
      windows.variables.forEach((v, i) => expect(values(v)).toEqual(values(builtin.variables[i])));
      const domains = Int32Array.from([0, 1, 2, 3, 3, 0, 1, 2, 0]);
      const examples = Int32Array.from(domains, (k, i) => (i * 97 + k * 13) % builtin.trainSizes[k]);
      examples[8] = builtin.trainSizes[0] - 1;
      const a = builtin.batch(domains, examples, 9);
      const b = windows.batch(domains, examples, 9);
      expect(values(b.inputs as tf.Tensor)).toEqual(values(a.contexts as tf.Tensor));
      expect(values(b.targets as tf.Tensor)).toEqual(values(a.targets as tf.Tensor));
      const la = values(builtin.loss(a));
      expect(values(windows.loss(b))).toEqual(la);
      expect(la.length).toBe(9);
      builtin.disposeBatch(a);
      windows.disposeBatch(b);
      expect(Array.from(await windows.evaluate())).toEqual(Array.from(await builtin.evaluate()));
    } finally {
      builtin.dispose();
      windows.dispose();
    }
  });

  it('the built-in run through WindowLMTask and the char adapter writes the same step log, with the defaults of both', async () => {
    const config = { context: 4, embedding: 4, hidden: 16, layers: 1, seed: 0 };
    const run = async (task: CharLMTask | WindowLMTask): Promise<string> => {
      const dir = mkdtempSync(join(tmpdir(), 'adomix-window-'));
      const total = task.trainSizes.reduce((a, b) => a + b, 0);
      const policy = createPolicy({ kind: 'ado', domains: [...task.domains], prior: task.trainSizes.map((n) => n / total), startStep: 4, refitInterval: 3, ignoreSteps: 0, minPoints: 3, lag: 1, fit: { subsample: 1 } });
      const optimizer = new Adam({ learningRate: 5e-3 });
      try {
        const r = await trainLoop({ task, policy, optimizer, steps: 8, batchSize: 8, seed: 3, evalEvery: 4, outDir: dir });
        await r.policy.close();
        return readFileSync(join(dir, 'steps.jsonl'), 'utf8');
      } finally {
        optimizer.dispose();
        task.dispose();
      }
    };
    const builtin = await run(new CharLMTask(corpus, { model: config, targetsPerExample: 4 }));
    const windows = await run(new WindowLMTask(readers(corpus), charLMTokenModel({ ...config, vocabSize: 96 }, 4)));
    expect(windows).toBe(builtin);
    expect(builtin.split('\n').filter((l) => l.includes('"evalLoss"')).length).toBe(2);
  });
});
