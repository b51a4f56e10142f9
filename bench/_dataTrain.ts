/**
 * The training half of `bench data`: does training from a corpus on disk cost memory or
 * time? Each measurement runs in a child process of its own (`run.js data --child …`) so
 * its peak RSS (getrusage's maxrss) is that of training alone:
 *
 * - `disk`: the GPT trains from the corpus's shards, windows read by positional reads,
 *   the order a Feistel permutation (nothing per window is held);
 * - `memory`: the same model, the same batches' shapes and the same order, from the first
 *   `memoryTokens` training tokens of every domain held in a Uint16Array.
 *
 * Both run `steps` steps of trainLoop with a static natural mixture, so the reader is the only
 * difference; the figure is the median step time (from onStep, so the first steps' kernel
 * compilation and the final evaluation do not count).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ArrayTokenReader, openCorpus, type TokenReader } from '../src/data/index.js';
import { StaticPolicy } from '../src/mixing/index.js';
import { WindowLMTask, gptTokenModel, type WindowDomain } from '../src/models/index.js';
import { Adam } from '../src/tfjs/adam.js';
import { selectBackend } from '../src/tfjs/backend.js';
import { trainLoop } from '../src/tfjs/trainLoop.js';
import { median } from './_util.js';

export interface TrainFigures {
  source: 'disk' | 'memory';
  backend: string;
  steps: number;
  msPerStep: number;
  peakRssMB: number;
}

/** The model of the measurement: small enough for wasm, a real GPT step all the same. */
const MODEL = { context: 64, layers: 2, heads: 2, width: 64 };
const BATCH = 16;

/** Copies a reader's first `n` tokens into memory. */
function inMemory(reader: TokenReader, n: number): ArrayTokenReader {
  const count = Math.min(n, reader.length);
  const out = new Int32Array(count);
  reader.read(0, count, out);
  return new ArrayTokenReader(Uint16Array.from(out));
}

/** In the child: train from `dir`'s cache (disk) or from a copy in memory; prints the figures as JSON. */
export async function trainChild(dir: string, source: 'disk' | 'memory', steps: number, memoryTokens: number, backendName: string): Promise<void> {
  const backend = await selectBackend({ backend: backendName, strict: true });
  const corpus = await openCorpus(dir, { tokenizer: 'byte', minTokens: MODEL.context + 1 });
  const domains: WindowDomain[] = corpus.domains.map((d, k) => {
    const train = corpus.reader(k, 'train');
    const heldOut = corpus.reader(k, 'heldOut');
    return source === 'disk' ? { name: d.name, train, heldOut } : { name: d.name, train: inMemory(train, memoryTokens), heldOut: inMemory(heldOut, memoryTokens) };
  });
  const task = new WindowLMTask(domains, gptTokenModel({ ...MODEL, vocabSize: corpus.vocabSize }), { evalExamples: 8 });
  const optimizer = new Adam({ learningRate: 1e-3 });
  try {
    const times: number[] = [];
    let last = 0;
    const r = await trainLoop({
      task,
      policy: StaticPolicy.natural(task.domains, corpus.prior),
      optimizer,
      steps,
      batchSize: BATCH,
      sourceOrder: 'feistel',
      evalEvery: 0,
      onStep: (p) => {
        if (p.evalLoss === undefined) times.push(p.elapsedMs - last);
        last = p.elapsedMs;
      },
    });
    await r.policy.close();
    const figures: TrainFigures = { source, backend: backend.name, steps, msPerStep: median(times), peakRssMB: process.resourceUsage().maxRSS / 1024 };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    optimizer.dispose();
    task.dispose();
    corpus.close();
  }
}

/**
 * In the parent: children in the order memory, disk, disk, memory (ABBA, so a drift of the
 * machine's speed hits both alike); per source the mean of its two medians and the larger
 * peak RSS. Returns [memory, disk].
 */
export function measureTraining(dir: string, steps: number, memoryTokens: number, backend: string): [TrainFigures, TrainFigures] {
  const runJs = fileURLToPath(new URL('./run.js', import.meta.url));
  const child = (source: 'disk' | 'memory'): TrainFigures => {
    const args = [runJs, 'data', '--child', source, '--corpus', dir, '--train-steps', String(steps), '--memory-tokens', String(memoryTokens), '--backend', backend];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`bench data: the ${source} training child failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TrainFigures;
  };
  const runs = (['memory', 'disk', 'disk', 'memory'] as const).map(child);
  const merge = (source: 'disk' | 'memory'): TrainFigures => {
    const [a, b] = runs.filter((r) => r.source === source);
    return { ...a, msPerStep: (a.msPerStep + b.msPerStep) / 2, peakRssMB: Math.max(a.peakRssMB, b.peakRssMB) };
  };
  return [merge('memory'), merge('disk')];
}
