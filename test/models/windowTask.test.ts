import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArrayTokenReader } from '../../src/data/index.js';
import { createPolicy, StaticPolicy, type MixturePolicy } from '../../src/mixing/index.js';
import { readStepLog } from '../../src/runlog/index.js';
import { Rng } from '../../src/random/index.js';
import { Adam } from '../../src/tfjs/adam.js';
import { selectBackend } from '../../src/tfjs/backend.js';
import { trainLoop, type TrainLoopOptions } from '../../src/tfjs/trainLoop.js';
import { gptTokenModel, WindowLMTask, type GPTConfig, type WindowDomain } from '../../src/models/index.js';
import { values } from '../helpers/tensors.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu', strict: true });
});

const GPT_TINY: GPTConfig = { vocabSize: 32, context: 4, layers: 1, heads: 2, width: 8, seed: 2 };
const iota = (n: number, offset = 0): Int32Array => Int32Array.from({ length: n }, (_, i) => (offset + i) % 32);

function randomText(n: number, seed: number, vocab = 32): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, () => rng.int(vocab));
}

describe('WindowLMTask: windows, sizes and errors (cpu)', () => {
  it('cuts each split into windows i·P … i·P + W and builds a batch of the drawn slots', () => {
    // GPT, T = 4: W = 5, P = 4. 21 tokens: windows at 0, 4, 8, 12, 16; 20 tokens: 4 windows.
    const domains: WindowDomain[] = [
      { name: 'a', train: new ArrayTokenReader(iota(21)), heldOut: new ArrayTokenReader(iota(5)) },
      { name: 'b', train: new ArrayTokenReader(iota(20, 100)), heldOut: new ArrayTokenReader(iota(9)) },
    ];
    const task = new WindowLMTask(domains, gptTokenModel(GPT_TINY));
    expect(task.domains).toEqual(['a', 'b']);
    expect(task.trainSizes).toEqual([5, 4]);
    expect(task.variableNames).toEqual(task.model.names);
    const batch = task.batch(Int32Array.from([1, 0, 0]), Int32Array.from([3, 4, 0]), 3);
    // Domain b's window 3 is tokens 112…116 (mod 32: 16…20); a's window 4 is 16…20; a's 0 is 0…4.
    expect(values(batch.inputs as tf.Tensor)).toEqual([16, 17, 18, 19, 16, 17, 18, 19, 0, 1, 2, 3]);
    expect(values(batch.targets as tf.Tensor)).toEqual([17, 18, 19, 20, 17, 18, 19, 20, 1, 2, 3, 4]);
    expect(task.loss(batch).shape).toEqual([3]);
    task.disposeBatch(batch);
    expect(task.stepMemory()).toEqual(task.model.stepMemory());
    task.dispose();
  });

  it('names the domain, the split and the sizes when a split is shorter than one window', () => {
    const ok = new ArrayTokenReader(iota(40));
    const make = (domains: WindowDomain[], options = {}) => new WindowLMTask(domains, gptTokenModel(GPT_TINY), options);
    expect(() => make([{ name: 'code', train: new ArrayTokenReader(iota(4)), heldOut: ok }])).toThrow(
      'WindowLMTask: domain "code": its train split has 4 tokens, fewer than one window of 5 (the model reads 5 tokens per example)',
    );
    expect(() => make([{ name: 'code', train: ok, heldOut: ok }, { name: 'math', train: ok, heldOut: new ArrayTokenReader([]) }])).toThrow(
      'WindowLMTask: domain "math": its held-out split has 0 tokens, fewer than one window of 5',
    );
    expect(() => make([])).toThrow('WindowLMTask: no domains');
    expect(() => make([{ name: 'x', train: ok, heldOut: ok }, { name: 'x', train: ok, heldOut: ok }])).toThrow('WindowLMTask: domain "x" is given twice');
    expect(() => make([{ name: 'x', train: ok, heldOut: ok }], { evalExamples: 0 })).toThrow('WindowLMTask: evalExamples must be a positive integer, got 0');
  });

  it('refuses token ids outside the vocabulary, naming the domain, the split and the position', () => {
    const text = iota(40);
    text[13] = 32;
    const held = iota(10);
    held[7] = -1;
    const ok = new ArrayTokenReader(iota(40));
    expect(() => new WindowLMTask([{ name: 'code', train: ok, heldOut: new ArrayTokenReader(held) }], gptTokenModel(GPT_TINY))).toThrow(
      'WindowLMTask: domain "code": held-out token 7 is -1, outside the model\'s vocabulary 0…31',
    );
    const task = new WindowLMTask([{ name: 'code', train: new ArrayTokenReader(text), heldOut: ok }], gptTokenModel(GPT_TINY));
    expect(() => task.batch(Int32Array.from([0]), Int32Array.from([3]), 1)).toThrow('WindowLMTask: domain "code": train token 13 is 32, outside the model\'s vocabulary 0…31');
    task.dispose();
  });
});

describe('WindowLMTask: held-out loss (cpu)', () => {
  const domains: WindowDomain[] = [
    { name: 'a', train: new ArrayTokenReader(randomText(200, 1)), heldOut: new ArrayTokenReader(randomText(41, 2)) },
    { name: 'b', train: new ArrayTokenReader(randomText(200, 3)), heldOut: new ArrayTokenReader(randomText(25, 4, 8)) },
  ];

  it('is the per-domain mean over evenly spaced held-out windows', async () => {
    // Window j of n = 4 out of count: ⌊j·count/4⌋. a: 10 windows → 0, 2, 5, 7; b: 6 → 0, 1, 3, 4.
    const task = new WindowLMTask(domains, gptTokenModel(GPT_TINY), { evalExamples: 4, evalBatch: 3 });
    const got = await task.evaluate();
    const expected = [
      [0, 2, 5, 7],
      [0, 1, 3, 4],
    ].map((windows, k) => {
      const ids = new Int32Array(windows.length * 5);
      windows.forEach((w, i) => domains[k].heldOut.read(w * 4, 5, ids, i * 5));
      const { inputs, targets } = task.model.batchTensors(ids, windows.length);
      const losses = values(task.model.perExampleLoss(inputs, targets, windows.length));
      tf.dispose([inputs, targets]);
      return losses.reduce((a, b) => a + b, 0) / losses.length;
    });
    expect(got.length).toBe(2);
    got.forEach((l, k) => expect(l).toBeCloseTo(expected[k], 5));
    // The same windows every time, and evaluating trains nothing.
    expect(Array.from(await task.evaluate())).toEqual(Array.from(got));
    task.dispose();
  });

  it('gives the same numbers with the windows kept on the device and re-read each time', async () => {
    const resident = new WindowLMTask(domains, gptTokenModel(GPT_TINY), { evalExamples: 4, evalBatch: 3, residentEval: true });
    const reread = new WindowLMTask(domains, gptTokenModel(GPT_TINY), { evalExamples: 4, evalBatch: 3, residentEval: false });
    const before = tf.memory().numTensors;
    const a = await resident.evaluate();
    const b = await reread.evaluate();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(await reread.evaluate())).toEqual(Array.from(a));
    // Neither leaves tensors behind.
    expect(tf.memory().numTensors).toBe(before);
    resident.dispose();
    reread.dispose();
  });
});

describe('WindowLMTask in the training loop (cpu, GPT)', () => {
  const domains: WindowDomain[] = ['code', 'prose', 'math'].map((name, k) => ({
    name,
    train: new ArrayTokenReader(randomText(300 + 100 * k, 10 + k, 8 + 8 * k)),
    heldOut: new ArrayTokenReader(randomText(60, 20 + k, 8 + 8 * k)),
  }));

  function adoPolicy(task: WindowLMTask): MixturePolicy {
    const total = task.trainSizes.reduce((a, b) => a + b, 0);
    return createPolicy({ kind: 'ado', domains: [...task.domains], prior: task.trainSizes.map((n) => n / total), startStep: 4, refitInterval: 3, ignoreSteps: 0, minPoints: 3, lag: 1, fit: { subsample: 1 } });
  }

  async function run(outDir: string | undefined, steps: number, extra: Partial<TrainLoopOptions> = {}) {
    const task = new WindowLMTask(domains, gptTokenModel(GPT_TINY), { evalExamples: 3 });
    const optimizer = new Adam({ learningRate: 5e-3 });
    try {
      const r = await trainLoop({ task, policy: extra.resume ? undefined : adoPolicy(task), optimizer, steps, batchSize: 6, seed: 3, evalEvery: 4, checkpointEvery: outDir ? 4 : 0, outDir, ...extra });
      await r.policy.close();
      return r;
    } finally {
      optimizer.dispose();
      task.dispose();
    }
  }

  it('writes a step log and resumes exactly: an interrupted and resumed run equals an uninterrupted one', async () => {
    const straight = mkdtempSync(join(tmpdir(), 'adomix-gpt-'));
    const full = await run(straight, 10);
    expect(full).toMatchObject({ firstStep: 0, lastStep: 9, stopped: 'done' });
    const log = await readStepLog(join(straight, 'steps.jsonl'));
    expect(log.header.domains).toEqual(['code', 'prose', 'math']);
    expect(log.records.map((r) => r.step)).toEqual([...Array(10).keys()]);
    for (const rec of log.records) expect(rec.count.reduce((a, b) => a + b, 0)).toBe(6);
    expect(log.records.filter((r) => r.evalLoss !== undefined).map((r) => r.step)).toEqual([3, 7, 9]);
    // Held-out loss near ln V of each domain's alphabet at the start (V = 32 for the model).
    for (const l of full.heldOut) expect(Math.abs(l - Math.log(32))).toBeLessThan(0.5);

    const interrupted = mkdtempSync(join(tmpdir(), 'adomix-gpt-'));
    const controller = new AbortController();
    const first = await run(interrupted, 10, { signal: controller.signal, onStep: (p) => p.step === 4 && controller.abort() });
    expect(first).toMatchObject({ lastStep: 4, stopped: 'aborted' });
    const resumed = await run(interrupted, 10, { resume: true });
    expect(resumed).toMatchObject({ firstStep: 5, lastStep: 9, stopped: 'done' });
    expect(readFileSync(join(interrupted, 'steps.jsonl'), 'utf8')).toBe(readFileSync(join(straight, 'steps.jsonl'), 'utf8'));
    expect(readFileSync(join(interrupted, 'weights-00000009.bin')).equals(readFileSync(join(straight, 'weights-00000009.bin')))).toBe(true);
    expect(readdirSync(interrupted).sort()).toEqual(['checkpoint.json', 'steps.jsonl', 'weights-00000009.bin']);
    expect(Array.from(resumed.heldOut)).toEqual(Array.from(full.heldOut));
  });

  it('trains and evaluates a single domain', async () => {
    const task = new WindowLMTask([domains[0]], gptTokenModel(GPT_TINY), { evalExamples: 2 });
    const optimizer = new Adam({ learningRate: 5e-3 });
    const r = await trainLoop({ task, policy: StaticPolicy.balanced(task.domains), optimizer, steps: 3, batchSize: 4 });
    await r.policy.close();
    expect(r).toMatchObject({ lastStep: 2, stopped: 'done' });
    expect(r.heldOut.length).toBe(1);
    expect(Math.abs(r.heldOut[0] - Math.log(32))).toBeLessThan(0.5);
    optimizer.dispose();
    task.dispose();
  });

  it('refuses up front a batch whose tensors do not fit the backend', async () => {
    const task = new WindowLMTask(domains, gptTokenModel(GPT_TINY), { evalExamples: 1 });
    const policy = adoPolicy(task);
    const optimizer = new Adam();
    const per = task.stepMemory().stepPerExample;
    const tooMany = Math.ceil((2 * totalmem()) / per);
    await expect(trainLoop({ task, policy, optimizer, steps: 1, batchSize: tooMany })).rejects.toThrow(new RegExp(`batch size ${tooMany} does not fit the cpu backend`));
    await policy.close();
    optimizer.dispose();
    task.dispose();
  });
});
