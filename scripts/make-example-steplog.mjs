#!/usr/bin/env node
/**
 * Generates data/example.steplog.jsonl, the built-in example step log of `npm run demo`.
 *
 *   node scripts/make-example-steplog.mjs [out.jsonl]
 *
 * Four domains trained for 3,000 steps with batches of 32 examples. Each domain's true loss
 * follows its own power law L_k(n) = ε_k + β_k·n^(−α_k) in the reference ("same-step")
 * count n = (t+1)·32; the batch mixture drifts slowly around the prior; each step's domain
 * counts are a multinomial draw of the batch; a domain's logged loss is its true loss plus
 * multiplicative noise that shrinks like 1/√count (a mean over the step's examples). `math` is rare enough to be absent
 * from some batches (loss null, count 0). Every 500 steps an `evalLoss` is logged.
 * Deterministic: a fixed-seed generator and values rounded to a few decimals.
 * Plain .mjs with no imports from src/, so it runs without a build.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = 20250101;
const STEPS = 3000;
const BATCH = 32;
/** Per-example log-loss spread: a domain's step loss is L·exp(s·z − s²/2), s = SIGMA/√count. */
const SIGMA = 0.15;
const EVAL_EVERY = 500;

/** The true laws (same-step count n = (t+1)·BATCH). */
export const TRUTH = [
  { name: 'code', epsilon: 0.9, beta: 12.0, alpha: 0.45 },
  { name: 'prose', epsilon: 2.0, beta: 9.0, alpha: 0.35 },
  { name: 'json', epsilon: 0.5, beta: 25.0, alpha: 0.55 },
  { name: 'math', epsilon: 1.3, beta: 10.0, alpha: 0.4 },
];
const PRIOR = [0.4, 0.35, 0.17, 0.08];

/** mulberry32: a tiny seedable 32-bit generator, uniform in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x, digits) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export function makeExampleStepLog() {
  const rand = mulberry32(SEED);
  const normal = () => {
    // Box–Muller; 1 − u keeps the log argument in (0, 1].
    const u = 1 - rand();
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const K = TRUTH.length;
  const lines = [
    JSON.stringify({ adomix: 'steplog/1', domains: TRUTH.map((d) => d.name), prior: PRIOR, unit: 'examples' }),
  ];
  const law = (d, n) => d.epsilon + d.beta * n ** -d.alpha;
  for (let t = 0; t < STEPS; t++) {
    // A slowly drifting mixture around the prior (what a scheduler might have chosen).
    const raw = PRIOR.map((p, k) => p * (1 + 0.35 * Math.sin((2 * Math.PI * t) / 1500 + (k * Math.PI) / 2)));
    const total = raw.reduce((s, x) => s + x, 0);
    const weights = raw.map((x) => round(x / total, 6));
    weights[0] = round(1 - weights.slice(1).reduce((s, x) => s + x, 0), 6);

    const count = new Array(K).fill(0);
    for (let i = 0; i < BATCH; i++) {
      let u = rand();
      let k = 0;
      while (k < K - 1 && u >= weights[k]) u -= weights[k++];
      count[k]++;
    }
    const n = (t + 1) * BATCH;
    // Multiplicative noise keeps every loss positive and its mean on the law.
    const loss = TRUTH.map((d, k) => {
      if (count[k] === 0) return null;
      const s = SIGMA / Math.sqrt(count[k]);
      return round(law(d, n) * Math.exp(s * normal() - (s * s) / 2), 4);
    });
    const record = { step: t, loss, count, weights };
    if ((t + 1) % EVAL_EVERY === 0) record.evalLoss = TRUTH.map((d) => round(law(d, n) + 0.01 * normal(), 4));
    lines.push(JSON.stringify(record));
  }
  return lines.join('\n') + '\n';
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const here = dirname(fileURLToPath(import.meta.url));
  const out = process.argv[2] ?? join(here, '..', 'data', 'example.steplog.jsonl');
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, makeExampleStepLog());
  renameSync(tmp, out);
  process.stderr.write(`wrote ${out}\n`);
}
