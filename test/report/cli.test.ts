import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adomix, CLI } from '../helpers/cli.js';


let dir: string;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.json, or npm test)`);
  dir = await mkdtemp(join(tmpdir(), 'adomix-report-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('adomix report', () => {
  it('reports on a run directory and on a step-log file, with SVGs', async () => {
    const run = join(dir, 'run');
    const s = adomix('simulate', '--scenario', 'slow-steady', '--policy', 'natural', '--steps', '600', '--out', run, '--no-report', '--json');
    expect(s.status).toBe(0);
    const r = adomix('report', run, '--svg', join(dir, 'svg'), '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.out).toBe(join(run, 'report.html'));
    expect(out.steps).toBe(600);
    expect(out.domains.map((d: { name: string }) => d.name)).toEqual(['fast-1', 'fast-2', 'fast-3', 'slow']);
    expect(out.domains[3].finalWeight).toBeCloseTo(0.1, 12);
    expect((await readdir(join(dir, 'svg'))).sort()).toEqual(['eval-losses.svg', 'losses.svg', 'weights.svg']);
    const html = await readFile(out.out, 'utf8');
    expect(html).toContain('<dd id="run-steps">600 (step 0 to 599)</dd>');
    expect(html).toContain('fitted by the report over the whole log');

    const t = adomix('report', join(run, 'steplog.jsonl'), '--out', join(dir, 'x.html'), '--laws', 'fit', '--max-points', '50');
    expect(t.status).toBe(0);
    expect(t.stdout).toBe(`${join(run, 'steplog.jsonl')}: 600 steps, 4 domains, 3 charts\nwrote ${join(dir, 'x.html')}\n`);
  });

  it('fails clearly on a missing input', () => {
    const r = adomix('report', join(dir, 'nope'));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`adomix: ${join(dir, 'nope')}: no such file or directory\n`);
  });

  it('names the file of a log without steps, and refuses a directory holding two step logs, naming both', () => {
    const empty = join(dir, 'header-only.jsonl');
    writeFileSync(empty, '{"adomix":"steplog/1","domains":["a","b"]}\n');
    const r = adomix('report', empty);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`adomix: ${empty}: the step log has a header but no steps: nothing to report\n`);
    const two = join(dir, 'two');
    mkdirSync(two);
    const log = '{"adomix":"steplog/1","domains":["a"]}\n{"step":0,"loss":[1],"count":[1]}\n';
    writeFileSync(join(two, 'steplog.jsonl'), log);
    writeFileSync(join(two, 'other.jsonl'), log);
    writeFileSync(join(two, 'weights.jsonl'), '{"step":0,"weights":[1]}\n'); // not a step log
    const t = adomix('report', two);
    expect(t.status).toBe(1);
    expect(t.stderr).toBe(`adomix: ${two}: holds 2 step logs (other.jsonl, steplog.jsonl); name the one to report on\n`);
    expect(existsSync(join(two, 'report.html'))).toBe(false);
  });
});
