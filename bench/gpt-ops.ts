/**
 * `npm run bench -- gpt-ops [--json] [--backend NAME] [--vocab 256] [--tokens 1024] [--width 64] [--reps 3]`
 *
 * The choices behind the GPT's embedding and tied head (src/tfjs/ops.ts), timed on one
 * backend for N = `tokens` rows, a [V, d] table and dY [N, d] (dL [N, V] for the head):
 * - the embedding lookup E[ids] with its gradient dE = onehot(ids)ᵀ·dY: tf.gather and one
 *   scatter-add (`gatherRows`), the one-hot product of `embed`, and tf.gather with its own
 *   gradient, tf.unsortedSegmentSum (not on wasm; one pass per vocabulary entry on cpu, so
 *   only for V ≤ 4096);
 * - the head logits h·Eᵀ: with matMul's transposeB flag, and with an explicit Eᵀ;
 * - the head's dE = dLᵀ·h: with the transposeA flag, as (hᵀ·dL)ᵀ, and as transpose(dL)·h.
 * Each figure is the median of `reps` runs after one warm-up, read-back included.
 *
 * Last line: {"bench":"gpt-ops","backend":…,"vocab":…,"ms":{"<variant>":…}}
 */
import * as tf from '@tensorflow/tfjs';
import type { BenchArgs } from './run.js';
import { intOption, median } from './_util.js';
import { describeBackend, selectBackend } from '../src/tfjs/backend.js';
import { embed, gatherRows } from '../src/tfjs/ops.js';

export async function run(args: BenchArgs): Promise<void> {
  const say = (s: string): void => void process.stderr.write(`${s}\n`);
  const backend = await selectBackend({ backend: args.options.backend });
  say(`gpt-ops: ${describeBackend(backend)}`);
  const V = intOption(args, 'vocab', 256);
  const N = intOption(args, 'tokens', 1024);
  const d = intOption(args, 'width', 64);
  const reps = intOption(args, 'reps', 3);
  const ids = tf.tensor1d(Int32Array.from({ length: N }, (_, i) => (i * 7919) % V), 'int32');
  const dy = tf.randomNormal([N, d], 0, 1, 'float32', 1);
  const table = tf.randomNormal([V, d], 0, 1, 'float32', 2) as tf.Tensor2D;
  const h = tf.randomNormal([N, d], 0, 1, 'float32', 3);
  const dL = tf.randomNormal([N, V], 0, 1, 'float32', 4);
  const grad = (lookup: (t: tf.Tensor2D) => tf.Tensor) => (): tf.Tensor => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(lookup(t as tf.Tensor2D), dy)))(table);
  const variants: [string, () => tf.Tensor][] = [
    ['embedding lookup + gradient: scatter-add (gatherRows)', grad((t) => gatherRows(t, ids))],
    ['embedding lookup + gradient: one-hot product (embed)', grad((t) => embed(ids, t))],
  ];
  if (backend.name !== 'wasm' && V <= 4096) variants.push(['embedding lookup + gradient: unsortedSegmentSum (tf.gather)', grad((t) => tf.gather(t, ids))]);
  variants.push(
    ['head logits: matMul(h, E, false, true)', () => tf.matMul(h, table, false, true)],
    ['head logits: matMul(h, transpose(E))', () => tf.matMul(h, tf.transpose(table))],
    ['head dE: matMul(dL, h, true, false)', () => tf.matMul(dL, h, true, false)],
    ['head dE: transpose(matMul(transpose(h), dL))', () => tf.transpose(tf.matMul(tf.transpose(h), dL))],
    ['head dE: matMul(transpose(dL), h)', () => tf.matMul(tf.transpose(dL), h)],
  );
  const ms: Record<string, number> = {};
  for (const [name, f] of variants) {
    const times: number[] = [];
    for (let r = 0; r <= reps; r++) {
      const t0 = performance.now();
      tf.tidy(() => void f().dataSync());
      if (r > 0) times.push(performance.now() - t0);
    }
    ms[name] = Number(median(times).toFixed(2));
    say(`${name}: ${ms[name]} ms`);
  }
  tf.dispose([ids, dy, table, h, dL]);
  process.stdout.write(`${JSON.stringify({ bench: 'gpt-ops', backend: backend.name, vocab: V, tokens: N, width: d, ms })}\n`);
}
