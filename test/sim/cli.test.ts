import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adomix, CLI } from '../helpers/cli.js';


let dir: string;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.json, or npm test)`);
  dir = await mkdtemp(join(tmpdir(), 'adomix-sim-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('adomix simulate', () => {
  it('runs ADO on a scenario and writes the step log, sim.json and the report', async () => {
    const out = join(dir, 'run');
    const r = adomix('simulate', '--scenario', 'noise-domain', '--policy', 'ado', '--steps', '1500', '--batch-size', '32', '--seed', '4', '--out', out, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.scenario).toBe('noise-domain');
    expect(res.steps).toBe(1500);
    expect(res.domains.map((d: { name: string }) => d.name)).toEqual(['prose', 'code', 'json', 'random']);
    expect(res.domains[3].oracleWeight).toBe(0);
    expect(res.oracle).toBeLessThan(res.natural);
    expect(res.domains.reduce((a: number, d: { examples: number }) => a + d.examples, 0)).toBe(1500 * 32);
    expect((await readdir(out)).sort()).toEqual(['report.html', 'sim.json', 'steplog.jsonl']);
    const lines = (await readFile(join(out, 'steplog.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.length).toBe(1501);
    expect(JSON.parse(lines[0])).toEqual({ adomix: 'steplog/1', domains: ['prose', 'code', 'json', 'random'], prior: [0.2, 0.15, 0.15, 0.5], unit: 'examples' });
    // ADO's first refit (after step 1000, applied 100 steps later) shows up as params.
    const withParams = lines.slice(1).map((l) => JSON.parse(l)).filter((x) => x.params);
    expect(withParams.length).toBeGreaterThan(0);
    expect(withParams[0].step).toBe(1101);
    const sim = JSON.parse(await readFile(join(out, 'sim.json'), 'utf8'));
    expect(sim.objective).toBe(res.objective);
    expect(sim.oracle.objective).toBe(res.oracle);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Simulation</h2>');
    expect(html).toContain(`<dd id="sim-oracle">${res.oracle.toFixed(4)}</dd>`);
    expect((html.match(/<svg/g) ?? []).length).toBe(3);
  });

  it('is deterministic for a seed and prints a table', () => {
    const a = adomix('simulate', '--scenario', 'transfer', '--policy', 'odm', '--steps', '400', '--seed', '2', '--out', join(dir, 'a'), '--no-report', '--json');
    const b = adomix('simulate', '--scenario', 'transfer', '--policy', 'odm', '--steps', '400', '--seed', '2', '--out', join(dir, 'b'), '--no-report', '--json');
    const ja = JSON.parse(a.stdout);
    const jb = JSON.parse(b.stdout);
    expect(ja.objective).toBe(jb.objective);
    expect(ja.domains).toEqual(jb.domains);
    const t = adomix('simulate', '--scenario', 'equal', '--policy', 'oracle', '--steps', '300', '--out', join(dir, 'c'), '--no-report');
    expect(t.status).toBe(0);
    expect(t.stdout).toContain('scenario equal: 4 domains, 300 steps × 64 examples, policy oracle, seed 0');
    expect(t.stdout).toMatch(/oracle \(static mixture\)\s+\d\.\d{4}\n/);
    expect(t.stdout).toMatch(/^a\s+0\.550\s+0\.250\s+0\.250\s+0\.250\s/m);
  });

  it('takes a JSON spec and names what is wrong with a bad one', async () => {
    const good = join(dir, 'good.json');
    await writeFile(
      good,
      JSON.stringify({
        name: 'mine',
        steps: 200,
        batchSize: 16,
        domains: [
          { name: 'x', epsilon: 1, beta: 10, alpha: 0.3, prior: 0.7 },
          { name: 'y', epsilon: 2, beta: 10, alpha: 0.3, prior: 0.3, size: 1000, epochs: 1 },
        ],
      }),
    );
    const r = adomix('simulate', '--spec', good, '--policy', 'balanced', '--out', join(dir, 'spec'), '--no-report', '--json');
    expect(r.status).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.scenario).toBe('mine');
    expect(res.domains[1].examples).toBe(1000);
    expect(res.domains[1].exhaustedAt).toBeGreaterThan(50);

    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ name: 'bad', domains: [{ name: 'x', epsilon: 1, beta: 10, alpha: 0 }] }));
    const e = adomix('simulate', '--spec', bad);
    expect(e.status).toBe(1);
    expect(e.stderr).toBe(`adomix: ${bad}: domains[0].alpha: must be > 0 (got 0)\n`);
    const small = join(dir, 'small.json');
    await writeFile(
      small,
      JSON.stringify({
        name: 'small',
        batchSize: 16,
        domains: [
          { name: 'x', epsilon: 1, beta: 10, alpha: 0.3, size: 500, epochs: 2 },
          { name: 'y', epsilon: 2, beta: 10, alpha: 0.3, size: 1000, epochs: 1 },
        ],
      }),
    );
    const big = adomix('simulate', '--spec', small, '--steps', '5000');
    expect(big.status).toBe(1);
    expect(big.stderr).toBe(
      'adomix: scenario "small": the budget of 80000 examples (5000 steps × 16) exceeds the data available (2000 examples); lower the steps or raise the domains\' size/epochs\n',
    );
    const none = adomix('simulate', '--policy', 'ado');
    expect(none.stderr).toContain('adomix: give --scenario NAME (one of equal, noise-domain');
  });

  it('lists the scenarios and prints a spec', () => {
    const l = adomix('simulate', '--list');
    expect(l.stdout).toContain('pile22 (22 domains, 20000 steps × 128)');
    const s = adomix('simulate', '--scenario', 'runs-out', '--print-spec');
    expect(JSON.parse(s.stdout).domains[0]).toEqual({ name: 'scarce', epsilon: 1.8, beta: 25, alpha: 0.35, prior: 0.25, size: 160000, epochs: 1 });
  });
});
