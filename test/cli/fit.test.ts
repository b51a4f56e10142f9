import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitDomains } from '../../src/curves/index.js';
import { readStepLog, toDomainHistory, writeStepLog, type StepRecord } from '../../src/runlog/index.js';
import { adomix, CLI } from '../helpers/cli.js';

const EXAMPLE = 'data/example.steplog.jsonl';
const dir = mkdtempSync(join(tmpdir(), 'adomix-fit-cli-'));

/** A noise-free log: domain k's loss is ε_k + β_k·n^(−α_k) with n = (t+1)·batch. */
async function lawLog(path: string, steps: number, laws: { epsilon: number; beta: number; alpha: number }[]): Promise<void> {
  const batch = 8 * laws.length;
  const records: StepRecord[] = [];
  for (let t = 0; t < steps; t++) {
    const n = (t + 1) * batch;
    records.push({ step: t, loss: laws.map((l) => l.epsilon + l.beta * n ** -l.alpha), count: laws.map(() => 8) });
  }
  await writeStepLog(path, { header: { adomix: 'steplog/1', domains: laws.map((_, k) => `d${k}`), unit: 'examples' }, records });
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.json, or npm test)`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('adomix fit', () => {
  it('prints an aligned table for the example log', () => {
    const r = adomix('fit', EXAMPLE);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`${EXAMPLE}: 4 domains, 3000 steps (steps 0–2999), n in examples`);
    const head = lines.findIndex((l) => l.startsWith('domain'));
    expect(lines[head].split(/\s+/)).toEqual(['domain', 'ε', 'β', 'α', 'points', 'objective', 'converged']);
    const rows = lines.slice(head + 1, head + 5).map((l) => l.split(/\s+/));
    expect(rows.map((c) => c[0])).toEqual(['code', 'prose', 'json', 'math']);
    for (const c of rows) {
      expect(c[4]).toBe('300');
      expect(c[6]).toBe('yes');
    }
    // Aligned: every row as long as the header row.
    const width = lines[head].length;
    for (let i = head + 1; i < head + 5; i++) expect(lines[i].length).toBe(width);
  });

  it('--json prints exactly one JSON object, the same fits as the library gives', async () => {
    const args = ['--ignore-steps', '100', '--subsample', '5', '--count-mode', 'per-domain', '--count-scale', '2', '--min-points', '10'];
    const r = adomix('fit', EXAMPLE, '--json', ...args);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['domains', 'steps', 'skipped']);
    expect(out.steps).toBe(3000);
    const log = await readStepLog(EXAMPLE);
    const lib = fitDomains(toDomainHistory(log), {
      ignoreSteps: 100,
      subsample: 5,
      countMode: 'per-domain',
      countScale: 2,
      minPoints: 10,
      preset: 'auto',
    });
    expect(out.domains).toEqual(
      lib.map((f) => {
        if (!f.ok) throw new Error(f.reason);
        const { epsilon, beta, alpha, points, objective, converged } = f.fit;
        return { name: log.header.domains[f.domain], epsilon, beta, alpha, points, objective, converged, diagnostics: f.diagnostics };
      }),
    );
  });

  it('recovers known laws from a noise-free log (auto), and hits the ε ≥ e^0.5 bound with --preset reference', async () => {
    const path = join(dir, 'laws.jsonl');
    const truth = [
      { epsilon: 1.0, beta: 12, alpha: 0.45 },
      { epsilon: 2.2, beta: 6, alpha: 0.3 },
    ];
    await lawLog(path, 3000, truth);
    const auto = JSON.parse(adomix('fit', path, '--json', '--ignore-steps', '200').stdout);
    auto.domains.forEach((d: { epsilon: number; beta: number; alpha: number; objective: number }, k: number) => {
      expect(d.epsilon).toBeCloseTo(truth[k].epsilon, 2);
      expect(d.alpha).toBeCloseTo(truth[k].alpha, 2);
      expect(Math.abs(d.beta / truth[k].beta - 1)).toBeLessThan(0.02);
      expect(d.objective).toBeLessThan(1e-6);
    });
    const ref = JSON.parse(adomix('fit', path, '--json', '--ignore-steps', '200', '--preset', 'reference').stdout);
    expect(ref.domains[0].epsilon).toBeGreaterThan(Math.exp(0.5) * 0.99); // cannot reach ε = 1.0
    expect(ref.domains[1].epsilon).toBeCloseTo(2.2, 2); // above the bound: unaffected
    // diagnostics: an exact fit under auto, no bound; reference pins ε at its penalty's kink
    for (const d of auto.domains) {
      expect(d.diagnostics.r2).toBeGreaterThan(0.9999);
      expect(d.diagnostics.rms).toBeLessThan(1e-3);
      expect(d.diagnostics.se.alpha).toBeGreaterThan(0);
      expect(d.diagnostics.activeBounds).toEqual([]);
    }
    expect(ref.domains[0].diagnostics.activeBounds).toContainEqual({ param: 'e', side: 'lower', value: 0.5, kind: 'penalty' });
    expect(ref.domains[0].diagnostics.se.e).toBeNull();
    expect(ref.domains[1].diagnostics.activeBounds).toEqual([]);
  });

  it('reports a domain it refuses to fit, in the table and in JSON', async () => {
    const path = join(dir, 'short.jsonl');
    await lawLog(path, 150, [{ epsilon: 1, beta: 5, alpha: 0.3 }]);
    const json = adomix('fit', path, '--json');
    expect(json.status).toBe(0);
    const d = JSON.parse(json.stdout).domains[0];
    expect(Object.keys(d)).toEqual(['name', 'error', 'points']);
    expect(d.name).toBe('d0');
    expect(d.points).toBe(15);
    expect(d.error).toMatch(/15 points to fit, need 20/);
    const table = adomix('fit', path);
    expect(table.stdout).toMatch(/^d0 +— +— +— +15 +— +refused$/m);
    expect(table.stdout).toContain(`d0: not fitted: ${d.error}`);
    expect(JSON.parse(adomix('fit', path, '--json', '--min-points', '15').stdout).domains[0].converged).toBe(true);
  });

  it('reads CSV logs', async () => {
    const rows = ['step,domain,loss,count'];
    for (let t = 0; t < 500; t++) rows.push(`${t},a,${1 + 5 * ((t + 1) * 4) ** -0.5},4`);
    const path = join(dir, 'log.csv');
    writeFileSync(path, rows.join('\n') + '\n');
    const out = JSON.parse(adomix('fit', path, '--json', '--ignore-steps', '100').stdout);
    expect(out.domains[0].name).toBe('a');
    expect(out.domains[0].epsilon).toBeCloseTo(1, 2);
  });

  it('fails on a bad line naming file and line; --skip-bad skips it and says so on stderr', async () => {
    const path = join(dir, 'bad.jsonl');
    await lawLog(path, 400, [{ epsilon: 1, beta: 5, alpha: 0.3 }]);
    const text = (await import('node:fs')).readFileSync(path, 'utf8').split('\n');
    text[10] = '{"step":9,"loss":["NaN"],"count":[8]}';
    writeFileSync(path, text.join('\n'));
    const r = adomix('fit', path);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`adomix: ${path}:11: loss[0] must be a finite non-negative number or null, got "NaN"\n`);
    const s = adomix('fit', path, '--skip-bad', '--json');
    expect(s.status).toBe(0);
    expect(s.stderr).toContain('adomix fit: skipped 1 bad line (first: ');
    const out = JSON.parse(s.stdout);
    expect(out.skipped).toBe(1);
    expect(out.steps).toBe(400);
  });

  it.each([
    [['--ignore-steps', '-3'], "error: option '--ignore-steps <n>' argument '-3' is invalid. It must be a non-negative integer."],
    [['--ignore-steps', '2.5'], "error: option '--ignore-steps <n>' argument '2.5' is invalid. It must be a non-negative integer."],
    [['--subsample', '0'], "error: option '--subsample <n>' argument '0' is invalid. It must be a positive integer."],
    [['--min-points', 'many'], "error: option '--min-points <n>' argument 'many' is invalid. It must be a positive integer."],
    [['--count-scale', '-1'], "error: option '--count-scale <x>' argument '-1' is invalid. It must be a positive number."],
    [['--preset', 'fast'], "error: option '--preset <preset>' argument 'fast' is invalid. Allowed choices are auto, reference."],
    [['--count-mode', 'tokens'], "error: option '--count-mode <mode>' argument 'tokens' is invalid. Allowed choices are same-step, per-domain."],
  ])('rejects %j', (args, message) => {
    const r = adomix('fit', EXAMPLE, ...args);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe(message);
  });

  it('says when the file is missing or has no steps', () => {
    const missing = adomix('fit', join(dir, 'none.jsonl'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^adomix: cannot read .*none\.jsonl: ENOENT/);
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '{"adomix":"steplog/1","domains":["a"]}\n');
    expect(adomix('fit', empty).stderr).toBe(`adomix: ${empty}: the step log has a header but no steps to fit\n`);
  });

  it('--help describes every option with its default', () => {
    const r = adomix('fit', '--help');
    expect(r.status).toBe(0);
    for (const s of ['--preset', '--ignore-steps', '--subsample', '--count-mode', '--count-scale', '--min-points', '--skip-bad', '--json'])
      expect(r.stdout).toContain(s);
    expect(r.stdout).toContain('default: "auto"');
    expect(r.stdout).toContain('default: "same-step"');
    expect(r.stdout).toContain('(default: 20)');
    expect(adomix('--help').stdout).toMatch(/fit \[options\] <steplog>/);
  });
});
