import { describe, expect, it } from 'vitest';
import { buildReport, logGuardrails, runData } from '../../src/report/index.js';
import { parseStepLog, type StepLog } from '../../src/runlog/index.js';

const TRUTH = [
  { eps: 1.0, beta: 12, alpha: 0.35 },
  { eps: 2.5, beta: 20, alpha: 0.3 },
  { eps: 0.01, beta: 0.5, alpha: 0.3 },
];

/** 3 domains on exact laws in same-step n = (t+1)·32; params every 100 steps; weights from `w(t)`. */
function log(steps: number, w: (t: number) => number[]): StepLog {
  const lines = [JSON.stringify({ adomix: 'steplog/1', domains: ['code', 'prose', 'tiny'], prior: [0.5, 0.3, 0.2], unit: 'examples' })];
  for (let t = 0; t < steps; t++) {
    const n = (t + 1) * 32;
    const rec: Record<string, unknown> = { step: t, loss: TRUTH.map((p) => p.eps + p.beta * n ** -p.alpha), count: [16, 10, 6], weights: w(t) };
    if (t > 0 && t % 100 === 0) rec.params = TRUTH.map((p) => [Math.log(p.beta), Math.log(p.eps), p.alpha]);
    lines.push(JSON.stringify(rec));
  }
  return parseStepLog(lines.join('\n') + '\n', { file: 'g.jsonl' });
}

describe('report: fit diagnostics and alerts', () => {
  it('shows each law\'s diagnostics and says when there is no alert', async () => {
    const l = log(1000, () => [0.4, 0.4, 0.2]);
    const r = await buildReport(l);
    const d = r.data.laws[0]!.diagnostics!;
    expect(d.points).toBe(90); // (1000 − 100 ignored: min(500, steps/10)) / 10
    expect(d.r2!).toBeGreaterThan(0.999);
    expect(r.html).toContain('<h2>Fit diagnostics and alerts</h2>');
    expect(r.html).toContain('<table id="fit-diagnostics">');
    const row = r.html.split('\n').filter((x) => x.startsWith('<tr>') && x.includes('code'))[1];
    expect(row).toMatch(/<td>90<\/td><td>[0-9.e-]+<\/td><td>1\.0000<\/td>/);
    expect(r.guardrails).toEqual({ alerts: [], finalEntropy: expect.any(Number), refits: 9 });
    const h = -[0.4, 0.4, 0.2].reduce((a, x) => a + x * Math.log(x), 0) / Math.log(3);
    expect(r.html).toContain(`<p id="alerts">No collapse alerts over 9 refits in the log (final mixture entropy ${h.toFixed(3)} of ln K).</p>`);
  });

  it('an own fit carries its diagnostics too', () => {
    const l = log(1000, () => [0.4, 0.4, 0.2]);
    const noParams = parseStepLog(
      [JSON.stringify(l.header), ...l.records.map(({ params: _p, ...rest }) => JSON.stringify(rest))].join('\n') + '\n',
      { file: 'g2.jsonl' },
    );
    const data = runData(noParams);
    expect(data.laws[1]!.source).toBe('fit');
    expect(data.laws[1]!.diagnostics!.r2!).toBeGreaterThan(0.999);
  });

  it('flags a collapsing mixture: entropy low, and a still-falling domain near δ_min for 3 refits', async () => {
    const l = log(1000, (t) => (t < 250 ? [0.4, 0.4, 0.2] : [0.975, 0.015, 0.01]));
    const g = logGuardrails(l, runData(l));
    expect(g.alerts.map((a) => [a.step, a.kind, a.domain])).toEqual([
      [300, 'entropy', undefined],
      [500, 'pinned', 'prose'],
      [500, 'pinned', 'tiny'],
    ]);
    expect(g.alerts[1].message).toMatch(/^domain "prose" at most 2·δ_min \(0\.02\) of the mixture at 3 refits while its loss still falls \(\d+\.\d % per e-fold of n\)$/);
    const r = await buildReport(l);
    expect(r.html).toContain('<ul id="alerts" class="bad">');
    const h = -[0.975, 0.015, 0.01].reduce((a, x) => a + x * Math.log(x), 0) / Math.log(3);
    expect(r.html).toContain(`<li>step 300: mixture entropy ${h.toFixed(3)} of ln K below 0.5</li>`);
  });
});
