/**
 * A tiny GPT learns: text repeating with period P = 29 over 8 symbols, each symbol 3 or 4
 * times per period, so the next token is not a function of the current one (a model that
 * sees one token cannot go below the conditional entropy H(next | current)), but is one of
 * the last few. P is prime, so windows (stride T = 12) start at every phase and position
 * alone tells nothing. Trained through WindowLMTask and the training loop with Adam.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ArrayTokenReader } from '../../src/data/index.js';
import { StaticPolicy } from '../../src/mixing/index.js';
import { Rng } from '../../src/random/index.js';
import { Adam } from '../../src/tfjs/adam.js';
import { selectBackend } from '../../src/tfjs/backend.js';
import { trainLoop } from '../../src/tfjs/trainLoop.js';
import { gptTokenModel, WindowLMTask } from '../../src/models/index.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu', strict: true });
});

const V = 16;
const SYMBOLS = 8;

const P = 29;

/** Text of period P over 8 symbols from `first` on (each 3 or 4 times per period), in a seeded order. */
function periodic(length: number, first: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const period = Uint8Array.from({ length: P }, (_, i) => first + (i % SYMBOLS));
  for (let i = period.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [period[i], period[j]] = [period[j], period[i]];
  }
  return Uint8Array.from({ length }, (_, i) => period[i % P]);
}

/** H(next | current) in nats over one period: the floor of any model that sees one token. */
function bigramEntropy(text: Uint8Array): number {
  const pairs = new Map<number, Map<number, number>>();
  for (let i = 0; i < P; i++) {
    const row = pairs.get(text[i]) ?? new Map<number, number>();
    row.set(text[i + 1], (row.get(text[i + 1]) ?? 0) + 1);
    pairs.set(text[i], row);
  }
  let h = 0;
  for (const row of pairs.values()) {
    const n = [...row.values()].reduce((a, b) => a + b, 0);
    for (const c of row.values()) h -= (c / P) * Math.log(c / n);
  }
  return h;
}

describe('GPT training (cpu)', () => {
  it('drives the held-out loss from ln V to below half of what one token of context allows', async () => {
    // Two domains (the train step needs K ≥ 2), each on its own half of the vocabulary.
    const texts = [periodic(3000, 0, 1), periodic(3000, SYMBOLS, 2)];
    const floors = texts.map(bigramEntropy);
    for (const f of floors) expect(f).toBeGreaterThan(0.3);
    const domains = texts.map((text, k) => ({ name: `periodic${k}`, train: new ArrayTokenReader(text), heldOut: new ArrayTokenReader(text.subarray(7, 607)) }));
    const task = new WindowLMTask(domains, gptTokenModel({ vocabSize: V, context: 12, layers: 2, heads: 2, width: 16, seed: 0 }), { evalExamples: 16 });
    const optimizer = new Adam({ learningRate: 1e-2 });
    try {
      for (const before of await task.evaluate()) expect(Math.abs(before - Math.log(V))).toBeLessThan(0.1);
      const r = await trainLoop({ task, policy: StaticPolicy.balanced(task.domains), optimizer, steps: 200, batchSize: 8, seed: 1 });
      await r.policy.close();
      // From ln 16 = 2.77 nats to below half of what any model reading one token can reach.
      r.heldOut.forEach((after, k) => expect(after, task.domains[k]).toBeLessThan(0.5 * floors[k]));
    } finally {
      optimizer.dispose();
      task.dispose();
    }
  });
});
