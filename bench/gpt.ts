/**
 * `npm run bench -- gpt [--json] [--backend NAME] [--vocab 256] [--context 64] [--layers 2]
 *   [--heads 2] [--width 64] [--batch 16] [--steps 10] [--warmup 2]`
 *
 * Milliseconds per training step of the GPT (src/models/gpt.ts) through `WindowLMTask`: a
 * step is timed whole (read the windows, build the tensors, forward, backward, Adam, the one
 * read-back of per-domain losses) on two domains of uniformly random tokens. The first
 * `warmup` steps (kernel set-up, first allocations) are not counted; the median of the rest
 * is reported.
 *
 * Last line: {"bench":"gpt","backend":…,"vocab":…,"parameters":…,"msPerStep":…,"minMs":…,"maxMs":…}
 */
import type { BenchArgs } from './run.js';
import { intOption, median } from './_util.js';
import { ArrayTokenReader } from '../src/data/index.js';
import { Rng } from '../src/random/index.js';
import { Adam } from '../src/tfjs/adam.js';
import { describeBackend, selectBackend } from '../src/tfjs/backend.js';
import { DomainTrainStep } from '../src/tfjs/trainStep.js';
import { gptTokenModel, WindowLMTask } from '../src/models/index.js';

export async function run(args: BenchArgs): Promise<void> {
  const say = (s: string): void => void process.stderr.write(`${s}\n`);
  const backend = await selectBackend({ backend: args.options.backend });
  say(`gpt: ${describeBackend(backend)}`);
  const config = {
    vocabSize: intOption(args, 'vocab', 256),
    context: intOption(args, 'context', 64),
    layers: intOption(args, 'layers', 2),
    heads: intOption(args, 'heads', 2),
    width: intOption(args, 'width', 64),
  };
  const B = intOption(args, 'batch', 16);
  const steps = intOption(args, 'steps', 10);
  const warmup = Number(args.options.warmup ?? 2);
  const rng = new Rng(1);
  const tokens = (n: number): Int32Array => Int32Array.from({ length: n }, () => rng.int(config.vocabSize));
  const perDomain = (B * steps + 1) * (config.context + 1);
  const domains = ['a', 'b'].map((name) => ({ name, train: new ArrayTokenReader(tokens(perDomain)), heldOut: new ArrayTokenReader(tokens(2 * (config.context + 1))) }));
  const task = new WindowLMTask(domains, gptTokenModel(config), { evalExamples: 1 });
  const optimizer = new Adam({ learningRate: 1e-3 });
  const step = new DomainTrainStep({ numDomains: 2, optimizer, loss: task.loss, varList: [...task.variables] });
  const d = new Int32Array(B);
  const ex = new Int32Array(B);
  const times: number[] = [];
  for (let s = 0; s < warmup + steps; s++) {
    for (let i = 0; i < B; i++) {
      d[i] = i % 2;
      ex[i] = (s * B + i) % task.trainSizes[d[i]];
    }
    const t0 = performance.now();
    const batch = task.batch(d, ex, B);
    try {
      await step.run(batch);
    } finally {
      task.disposeBatch(batch);
    }
    const ms = performance.now() - t0;
    if (s >= warmup) times.push(ms);
    say(`step ${s}${s < warmup ? ' (warm-up)' : ''}: ${ms.toFixed(1)} ms`);
  }
  const parameters = task.model.parameterCount;
  optimizer.dispose();
  task.dispose();
  const result = {
    bench: 'gpt',
    backend: backend.name,
    ...config,
    batch: B,
    parameters,
    msPerStep: Number(median(times).toFixed(1)),
    minMs: Number(Math.min(...times).toFixed(1)),
    maxMs: Number(Math.max(...times).toFixed(1)),
  };
  if (!args.json) say(`${backend.name}: ${result.msPerStep} ms/step (min ${result.minMs}, max ${result.maxMs}), ${parameters} parameters, batch ${B}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
