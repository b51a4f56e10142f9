import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinCorpus } from '../../src/data/index.js';
import { StaticPolicy } from '../../src/mixing/index.js';
import { Adam } from '../../src/tfjs/adam.js';
import { selectBackend } from '../../src/tfjs/backend.js';
import { backendMemoryLimits, checkBatchFits } from '../../src/tfjs/memory.js';
import { charLMStepMemory } from '../../src/models/charLM.js';
import { CharLMTask } from '../../src/models/index.js';
import { trainLoop } from '../../src/tfjs/trainLoop.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu', strict: true });
});

describe('checkBatchFits', () => {
  const cost = { largestTensorPerExample: 100, largestTensorName: 'x', stepPerExample: 300 };
  const limits = { backend: 'test', tensorBytes: 10_000, totalBytes: 60_000, why: 'a test' };

  it('passes what fits and names the largest batch that would when it does not', () => {
    expect(() => checkBatchFits(100, cost, limits)).not.toThrow(); // 10,000 and 30,000 bytes
    expect(() => checkBatchFits(101, cost, limits)).toThrow(
      'batch size 101 does not fit the test backend: its largest tensor (x) needs 9.9 KiB (its limit: a test); use a batch size of at most 100',
    );
    const limitsTotal = { ...limits, tensorBytes: 1e9 };
    expect(() => checkBatchFits(201, cost, limitsTotal)).toThrow(/its step needs about .* of tensors \(its limit: a test\); use a batch size of at most 200$/);
  });

  it("the character model's cost: the one-hot input is the largest tensor", () => {
    const m = charLMStepMemory({ vocabSize: 96, context: 16, embedding: 24, hidden: 256, layers: 2 }, 16);
    expect(m.largestTensorPerExample).toBe(16 * 16 * 96 * 4);
    expect(m.stepPerExample).toBe(2 * 16 * 16 * 96 * 4 + 4 * (4 * 16 * 96 + 3 * 16 * 256 * 2 + 2 * 16 * 16 * 24));
    expect(backendMemoryLimits('wasm')).toMatchObject({ tensorBytes: 2 * 1024 ** 3, totalBytes: 2.5 * 1024 ** 3 });
  });

  it('trainLoop refuses a batch the backend cannot hold before it writes anything', async () => {
    const corpus = builtinCorpus({ seed: 5, trainChars: { code: 3000, prose: 3000, json: 1500, random: 2500 }, heldOutChars: 400 });
    const task = new CharLMTask(corpus, { model: { context: 4, embedding: 4, hidden: 16, layers: 1 }, targetsPerExample: 4, evalExamples: 4 });
    const optimizer = new Adam();
    const dir = mkdtempSync(join(tmpdir(), 'adomix-memory-'));
    const outDir = join(dir, 'run');
    const policy = StaticPolicy.balanced(task.domains);
    try {
      // 10^9 examples: a one-hot input of 4·4·96·4 bytes each, 6 TB, more than any machine here.
      await expect(trainLoop({ task, policy, optimizer, steps: 1, batchSize: 1e9, outDir })).rejects.toThrow(/^batch size 1000000000 does not fit the cpu backend: its largest tensor \(the one-hot input, 4·4 rows × 96 values per example\)/);
      expect(existsSync(outDir)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      optimizer.dispose();
      task.dispose();
    }
  });
});
