/** Synthetic step logs for tests. */
import { Rng } from '../../src/random/index.js';

/**
 * A synthetic 3-domain run as step-log lines (header first): L_k(n) = ε_k + β_k·n^(−α_k)
 * with 2 % noise; the third domain is absent in about 30 % of the steps.
 */
export function makeLog(steps: number, prior = true, seed = 42): string[] {
  const rng = new Rng(seed);
  const eps = [1.2, 0.9, 1.6];
  const beta = [30, 12, 50];
  const alpha = [0.3, 0.22, 0.4];
  const header = { adomix: 'steplog/1', domains: ['code', 'prose', 'math'], ...(prior ? { prior: [0.5, 0.3, 0.2] } : {}), unit: 'examples' };
  const out = [JSON.stringify(header)];
  let n = 0;
  for (let t = 0; t < steps; t++) {
    const count = [10 + rng.int(10), 5 + rng.int(10), rng.next() < 0.3 ? 0 : rng.int(5) + 1];
    n += count[0] + count[1] + count[2];
    const loss = count.map((c, k) => (c > 0 ? Number((eps[k] + beta[k] * n ** -alpha[k] * (1 + 0.02 * rng.normal())).toFixed(5)) : null));
    out.push(JSON.stringify({ step: t, loss, count }));
  }
  return out;
}
