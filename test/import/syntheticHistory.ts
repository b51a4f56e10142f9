/**
 * A W&B-history-style table, written for the tests: `_step`, `trainer/global_step`, the
 * training loss at every step 1–4800, and held-out losses of two domains every 200 steps on
 * rows of their own, on known laws with a batch of 64 split evenly (n = 64·step):
 * code 1.2 + 30·n^−0.4, prose 2.1 + 25·n^−0.3. 24 evaluations per domain.
 */
export const TRUE_LAWS = { code: { epsilon: 1.2, beta: 30, alpha: 0.4 }, prose: { epsilon: 2.1, beta: 25, alpha: 0.3 } };

export function evalHistoryCsv(delimiter = ','): string {
  const lines = [['_step', 'trainer/global_step', 'train/loss', 'eval/loss_code', 'eval/loss_prose', '_runtime'].join(delimiter)];
  let w = 0;
  for (let s = 1; s <= 4800; s++) {
    lines.push([w++, s, (3 + 10 * (64 * s) ** -0.3).toFixed(5), '', '', s].join(delimiter));
    if (s % 200 === 0) {
      const n = 64 * s;
      const { code, prose } = TRUE_LAWS;
      lines.push([w++, s, '', code.epsilon + code.beta * n ** -code.alpha, prose.epsilon + prose.beta * n ** -prose.alpha, s].join(delimiter));
    }
  }
  return lines.join('\n') + '\n';
}
