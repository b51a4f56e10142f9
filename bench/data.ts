/**
 * `npm run bench -- data [--json] [--mb 200] [--bpe-mb 50] [--reads 200000] [--window 1024] [--seed 1]
 *   [--train-mb 2000] [--train-steps 60] [--memory-tokens 8000000] [--backend wasm]`
 *
 * The corpus pipeline of real files (src/data): a generated data folder (bench/_corpus.ts:
 * code .txt, prose .md, gzip-compressed JSONL records) of --mb MB opened with the byte-level
 * tokeniser, and one of --bpe-mb MB with GPT-2 BPE, each from an empty cache. Reports:
 *
 * - tokenisation throughput, MB of (uncompressed) text per second, cache build included
 *   (reading, gunzip, JSON parsing, encoding, writing and fsyncing the uint16 shards);
 * - the time to open the same corpus again from its cache (fingerprints and index only);
 * - the shard reader's random-window reads: --reads windows of --window + 1 tokens at
 *   uniformly random offsets of uniformly random domains' training splits (positional
 *   `readSync`s; the shards were just written, so they are in the page cache: this is the
 *   reader's own cost, not the disk's).
 *
 * - training from a generated corpus of --train-mb MB (2 GB by default): peak RSS of the
 *   training process, and its ms/step against the same model fed from memory (_dataTrain.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCorpus, type TokenCorpus, type TokenizerName } from '../src/data/index.js';
import { Rng } from '../src/random/index.js';
import { generateCorpusDir, type GeneratedCorpus } from './_corpus.js';
import { measureTraining, trainChild } from './_dataTrain.js';
import { intOption } from './_util.js';
import type { BenchArgs } from './run.js';

export { generateCorpusDir, type GeneratedCorpus } from './_corpus.js';

interface Tokenised {
  corpus: TokenCorpus;
  seconds: number;
  mbPerSecond: number;
  tokens: number;
}

/** Opens `gen` from an empty cache; throughput in MB of text per second. */
async function tokenise(gen: GeneratedCorpus, tokenizer: TokenizerName, minTokens: number): Promise<Tokenised> {
  const t0 = performance.now();
  const corpus = await openCorpus(gen.dir, { tokenizer, minTokens });
  const seconds = (performance.now() - t0) / 1000;
  const tokens = corpus.domains.reduce((a, d) => a + d.trainTokens + d.heldOutTokens, 0);
  return { corpus, seconds, mbPerSecond: gen.totalTextBytes / 1e6 / seconds, tokens };
}

/** `reads` random windows of `length` tokens from the training splits; windows per second. */
function randomReads(corpus: TokenCorpus, reads: number, length: number, seed: number): number {
  const readers = corpus.domains.map((_, k) => corpus.reader(k, 'train'));
  const out = new Int32Array(length);
  const rng = new Rng(seed);
  let check = 0;
  const t0 = performance.now();
  for (let i = 0; i < reads; i++) {
    const r = readers[rng.int(readers.length)];
    r.read(rng.int(r.length - length + 1), length, out);
    check += out[0];
  }
  const seconds = (performance.now() - t0) / 1000;
  if (check < 0) throw new Error('unreachable'); // keeps the reads from being optimised away
  return reads / seconds;
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

export async function run(args: BenchArgs): Promise<void> {
  const steps = intOption(args, 'train-steps', 60);
  const memoryTokens = intOption(args, 'memory-tokens', 8_000_000);
  const backend = args.options.backend ?? 'wasm';
  const child = args.options.child;
  if (child === 'disk' || child === 'memory') return trainChild(args.options.corpus, child, steps, memoryTokens, backend);
  const mb = intOption(args, 'mb', 200);
  const trainMb = intOption(args, 'train-mb', 2000);
  const bpeMb = intOption(args, 'bpe-mb', 50);
  const reads = intOption(args, 'reads', 200_000);
  const window = intOption(args, 'window', 1024);
  const seed = intOption(args, 'seed', 1);
  const log = (s: string): void => {
    if (!args.json) console.log(s);
  };
  const root = mkdtempSync(join(tmpdir(), 'adomix-bench-data-'));
  try {
    const byteGen = generateCorpusDir(join(root, 'byte'), mb * 1e6, seed);
    log(`generated ${round(byteGen.totalTextBytes / 1e6)} MB of text in ${byteGen.files} files (${byteGen.domains.join(', ')})`);
    const bytes = await tokenise(byteGen, 'byte', window + 1);
    log(`byte level: ${round(bytes.seconds, 2)} s, ${round(bytes.mbPerSecond)} MB/s, ${bytes.tokens} tokens`);
    const t0 = performance.now();
    await openCorpus(byteGen.dir, { tokenizer: 'byte', minTokens: window + 1 });
    const reopenMs = performance.now() - t0;
    log(`reopened from the cache in ${round(reopenMs)} ms`);
    const windowsPerSecond = randomReads(bytes.corpus, reads, window + 1, seed);
    const readMBps = (windowsPerSecond * (window + 1) * 2) / 1e6;
    log(`random windows of ${window + 1} tokens: ${Math.round(windowsPerSecond)} per second (${round(readMBps)} MB/s of shard)`);
    bytes.corpus.close();

    const bpeGen = generateCorpusDir(join(root, 'bpe'), bpeMb * 1e6, seed + 1);
    const bpe = await tokenise(bpeGen, 'gpt2', window + 1);
    log(`GPT-2 BPE: ${round(bpe.seconds, 2)} s, ${round(bpe.mbPerSecond)} MB/s, ${bpe.tokens} tokens (${round(bpeGen.totalTextBytes / bpe.tokens, 2)} bytes per token)`);
    bpe.corpus.close();

    const trainGen = generateCorpusDir(join(root, 'train'), trainMb * 1e6, seed + 2);
    const train = await tokenise(trainGen, 'byte', 65);
    train.corpus.close();
    log(`training corpus: ${round(trainGen.totalTextBytes / 1e6)} MB, ${train.tokens} tokens, cached in ${round(train.seconds, 1)} s`);
    const [memory, disk] = measureTraining(trainGen.dir, steps, memoryTokens, backend);
    log(`training ${steps} steps on ${disk.backend}: from disk ${round(disk.msPerStep)} ms/step, peak RSS ${round(disk.peakRssMB)} MB; from memory ${round(memory.msPerStep)} ms/step, peak RSS ${round(memory.peakRssMB)} MB`);

    console.log(
      JSON.stringify({
        bench: 'data',
        byteCorpusMB: round(byteGen.totalTextBytes / 1e6),
        byteMBps: round(bytes.mbPerSecond),
        byteTokens: bytes.tokens,
        bpeCorpusMB: round(bpeGen.totalTextBytes / 1e6),
        bpeMBps: round(bpe.mbPerSecond),
        bpeTokens: bpe.tokens,
        reopenMs: round(reopenMs),
        window: window + 1,
        reads,
        readWindowsPerSecond: Math.round(windowsPerSecond),
        readMBps: round(readMBps),
        trainCorpusMB: round(trainGen.totalTextBytes / 1e6),
        trainBackend: disk.backend,
        trainSteps: steps,
        trainMsPerStepDisk: round(disk.msPerStep),
        trainMsPerStepMemory: round(memory.msPerStep),
        trainRatio: round(disk.msPerStep / memory.msPerStep, 3),
        peakRssMBDisk: round(disk.peakRssMB),
        peakRssMBMemory: round(memory.peakRssMB),
      }),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
