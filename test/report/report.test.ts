import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, findStepLog, weightsChart, writeReport, runData, SIM_INFO_FORMAT, type SimInfo } from '../../src/report/index.js';
import { parseStepLog, type StepLog } from '../../src/runlog/index.js';

/**
 * A synthetic run: 3 domains with known laws in same-step n (n = (t+1)·B), fixed weights
 * that shift halfway, held-out losses every 50 steps.
 */
function syntheticLog(opts: { steps: number; params?: boolean; evalEvery?: number }): StepLog {
  const domains = ['code', 'prose', 'noise<&>'];
  const truth = [
    { eps: 1.0, beta: 12, alpha: 0.35 },
    { eps: 2.5, beta: 20, alpha: 0.3 },
    { eps: 4.0, beta: 0.5, alpha: 0.2 },
  ];
  const B = 32;
  const lines = [JSON.stringify({ adomix: 'steplog/1', domains, prior: [0.5, 0.3, 0.2], unit: 'examples' })];
  for (let t = 0; t < opts.steps; t++) {
    const w = t < opts.steps / 2 ? [0.5, 0.3, 0.2] : [0.2, 0.6, 0.2];
    const count = [16, 10, 6];
    const n = (t + 1) * B;
    const loss = truth.map((p) => p.eps + p.beta * Math.pow(n, -p.alpha));
    const rec: Record<string, unknown> = { step: t, loss, count, weights: w };
    if (opts.evalEvery && (t + 1) % opts.evalEvery === 0) rec.evalLoss = loss.map((l) => l + 0.01);
    if (opts.params && t === opts.steps - 1) rec.params = truth.map((p) => [Math.log(p.beta), Math.log(p.eps), p.alpha]);
    lines.push(JSON.stringify(rec));
  }
  return parseStepLog(lines.join('\n') + '\n', { file: 'synthetic.jsonl' });
}

describe('buildReport', () => {
  it('holds the charts and the numbers of the run, and nothing external', async () => {
    const log = syntheticLog({ steps: 600, params: true, evalEvery: 50 });
    const r = await buildReport(log, { source: 'synthetic.jsonl' });
    const html = r.html;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect((html.match(/<svg/g) ?? []).length).toBe(3);
    for (const id of ['chart-weights', 'chart-losses', 'chart-eval-losses', 'summary']) expect(html).toContain(`id="${id}"`);
    // The numbers of the run.
    expect(html).toContain('<dd id="run-steps">600 (step 0 to 599)</dd>');
    expect(html).toContain('<dd id="run-examples">19,200</dd>');
    expect(r.summary.totalExamples).toBe(600 * 32);
    const row = (name: string): string => html.split('\n').find((l) => l.startsWith('<tr>') && l.includes(name))!;
    // code: prior 0.500, mean weight (0.5+0.2)/2 = 0.350, final 0.200, 9,600 examples = 50.0%, ε = 1, β = 12, α = 0.35.
    expect(row('code')).toContain('<td>0.500</td><td>0.350</td><td>0.200</td><td>9,600</td><td>50.0%</td>');
    expect(row('code')).toContain('<td>1</td><td>12</td><td>0.35</td></tr>');
    const finalCode = 1.0 + 12 * Math.pow(600 * 32, -0.35);
    expect(Math.abs(r.summary.domains[0].finalLoss! - finalCode)).toBeLessThan(0.01);
    expect(html).toContain(`<td>${r.summary.domains[0].finalLoss!.toFixed(4)}</td>`);
    expect(r.summary.domains[1].finalEvalLoss).toBeCloseTo(2.5 + 20 * Math.pow(600 * 32, -0.3) + 0.01, 10);
    // Names are escaped, in the table and in the SVG text.
    expect(html).toContain('noise&lt;&amp;&gt;');
    expect(html).not.toContain('noise<&>');
    // Self-contained: no scripts, no links, no URLs at all.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toContain('http');
    // Laws come from the log.
    expect(r.data.laws.every((l) => l?.source === 'log' && l.step === 599)).toBe(true);
    // Standalone SVGs keep their namespace.
    for (const c of r.charts) expect(c.svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it('fits the laws itself when the log has none', async () => {
    const log = syntheticLog({ steps: 800 });
    const data = runData(log);
    expect(data.laws.map((l) => l?.source)).toEqual(['fit', 'fit', 'fit']);
    // Smoothing bends a noise-free curve a little; the law is still close to the truth.
    expect(Math.abs(Math.exp(data.laws[0]!.params.e) - 1.0)).toBeLessThan(0.02);
    expect(Math.abs(data.laws[0]!.params.alpha - 0.35)).toBeLessThan(0.02);
    expect(Math.abs(Math.exp(data.laws[1]!.params.e) - 2.5)).toBeLessThan(0.05);
    const r = await buildReport(log);
    expect((r.html.match(/<svg/g) ?? []).length).toBe(2); // no held-out losses in this log
    expect(r.html).toContain('fitted by the report over the whole log');
    expect(r.html).toContain('The step log has no held-out losses');
  });

  it('downsamples long runs', () => {
    const data = runData(syntheticLog({ steps: 5000, params: true }));
    const chart = weightsChart(data, { maxPoints: 250 })!;
    const values = (chart.spec as { data: { values: { domain: string; step: number; weight: number }[] } }).data.values;
    expect(values.length).toBe(3 * 250);
    const code = values.filter((v) => v.domain === 'code');
    expect(code[code.length - 1].step).toBe(4999);
    expect(code[0].weight).toBe(0.5);
    expect(code[code.length - 1].weight).toBe(0.2);
  });
});

describe('writeReport', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'adomix-report-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports on a run directory, with its sim.json, and writes each chart as SVG', async () => {
    const run = join(dir, 'run');
    await mkdir(run);
    const log = syntheticLog({ steps: 300, params: true, evalEvery: 50 });
    const text = [JSON.stringify(log.header), ...log.records.map((r) => JSON.stringify(r))].join('\n') + '\n';
    await writeFile(join(run, 'steplog.jsonl'), text);
    const sim: SimInfo = {
      adomix: SIM_INFO_FORMAT,
      scenario: 'synthetic',
      policy: 'ado',
      seed: 3,
      steps: 300,
      batchSize: 32,
      objective: 2.5,
      natural: { objective: 2.6 },
      oracle: { objective: 2.4, schedule: { objective: 2.4, meanOverRun: 3.1 } },
      domains: log.header.domains.map((name, k) => ({
        name,
        prior: log.header.prior![k],
        meanWeight: 0.3,
        examples: 1000,
        finalLoss: 2,
        oracleWeight: 0.25,
        oracleLoss: 1.9,
        exhaustedAt: k === 2 ? 120 : null,
      })),
    };
    await writeFile(join(run, 'sim.json'), JSON.stringify(sim));
    const svgDir = join(dir, 'svg');
    const r = await writeReport(run, { svgDir });
    expect(r.out).toBe(join(run, 'report.html'));
    const html = await readFile(r.out, 'utf8');
    expect(html).toContain('<dd id="sim-oracle">2.4000</dd>');
    expect(html).toContain('<dd id="sim-objective">2.5000</dd>');
    expect(html).toContain('50.0% of (natural − oracle)');
    expect(html).toContain('step 120');
    expect((await readdir(svgDir)).sort()).toEqual(['eval-losses.svg', 'losses.svg', 'weights.svg']);
    expect(await readFile(join(svgDir, 'weights.svg'), 'utf8')).toMatch(/^<svg[^>]*>.*<\/svg>$/s);
    // Nothing temporary left behind.
    expect((await readdir(run)).sort()).toEqual(['report.html', 'sim.json', 'steplog.jsonl']);
  });

  it('names a file next to a step log, and says when a directory has none', async () => {
    const file = join(dir, 'my.steplog.jsonl');
    const log = syntheticLog({ steps: 100 });
    await writeFile(file, [JSON.stringify(log.header), ...log.records.map((r) => JSON.stringify(r))].join('\n') + '\n');
    const r = await writeReport(file);
    expect(r.out).toBe(join(dir, 'my.steplog.report.html'));
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await expect(findStepLog(empty)).rejects.toThrow(`${empty}: no step log found (looked for steplog.jsonl, steplog.csv, *.steplog.jsonl, or a *.jsonl step log)`);
    await expect(writeReport(join(dir, 'missing'))).rejects.toThrow(`${join(dir, 'missing')}: no such file or directory`);
  });

  it('rejects a bad sim.json naming the field', async () => {
    const run = join(dir, 'badsim');
    await mkdir(run);
    const log = syntheticLog({ steps: 50 });
    await writeFile(join(run, 'steplog.jsonl'), [JSON.stringify(log.header), ...log.records.map((r) => JSON.stringify(r))].join('\n') + '\n');
    await writeFile(join(run, 'sim.json'), JSON.stringify({ adomix: SIM_INFO_FORMAT, scenario: 'x' }));
    await expect(writeReport(run)).rejects.toThrow(`${join(run, 'sim.json')}: policy: Invalid input: expected string, received undefined`);
  });
});
