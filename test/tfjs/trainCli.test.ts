/**
 * `adomix train` end to end through the built CLI (dist/src/cli/main.js; `npm test` builds
 * first): a few steps of a tiny model on the cpu backend, a step log that `adomix replay`
 * accepts, resume, and the errors.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readStepLog } from '../../src/runlog/index.js';
import { TINY } from '../helpers/train.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'adomix-cli-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const CLI = join(import.meta.dirname, '../../dist/src/cli/main.js');

async function adomix(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ADOMIX_BACKEND: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('adomix train (built CLI, cpu backend)', () => {
  it('trains, writes a step log that adomix replay accepts, and resumes', async () => {
    const dir = mkdtempSync(join(root, 'ok-'));
    const config = join(dir, 'tiny.json');
    writeFileSync(config, JSON.stringify(TINY));
    const out = join(dir, 'run');
    const first = await adomix(['train', '--config', config, '--backend', 'cpu', '--steps', '6', '--seed', '2', '--out', out, '--json']);
    expect(first.stderr).toMatch(/backend cpu/);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ backend: 'cpu', policy: 'ado', steps: 6, stopped: 'done', resumed: false, outDir: out });
    expect(summary.domains.map((d: { name: string }) => d.name)).toEqual(['code', 'prose', 'json', 'random']);
    expect(summary.domains.reduce((a: number, d: { examples: number }) => a + d.examples, 0)).toBe(48);
    for (const f of ['config.json', 'steps.jsonl', 'checkpoint.json', 'train.log', 'report.html']) expect(existsSync(join(out, f))).toBe(true);
    expect(summary.report).toBe(join(out, 'report.html'));
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<svg[\s\S]*Mixture weights over time/);
    // The log file is pino JSON lines.
    const logLines = readFileSync(join(out, 'train.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(logLines.some((l) => l.msg === 'backend' && l.backend === 'cpu')).toBe(true);
    expect(logLines.at(-1).msg).toBe('finished');

    const replay = await adomix(['replay', join(out, 'steps.jsonl'), '--policy', 'natural', '--out', join(dir, 'replayed.jsonl'), '--json']);
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ steps: 6, skipped: 0 });

    const more = await adomix(['train', '--resume', out, '--steps', '9', '--json']);
    expect(more.code).toBe(0);
    expect(JSON.parse(more.stdout)).toMatchObject({ steps: 9, resumed: true, backend: 'cpu' });
    const log = await readStepLog(join(out, 'steps.jsonl'));
    expect(log.records.map((r) => r.step)).toEqual([...Array(9).keys()]);

    // The table form.
    const table = await adomix(['train', '--resume', out, '--steps', '10']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/domain\s+held-out loss\s+final weight\s+natural\s+examples seen/);
    expect(table.stdout).toMatch(/^random\s+4\.\d{4}\s+0\.\d{3}/m);
  });

  it('explains bad input', async () => {
    const dir = mkdtempSync(join(root, 'bad-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ steps: -3, model: { hidden: 'big' }, colour: 'red' }));
    const r = await adomix(['train', '--config', bad, '--out', join(dir, 'x')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^adomix: .*bad\.json: /);
    expect(r.stderr).toMatch(/steps: Too small/);
    expect(r.stderr).toMatch(/model\.hidden: Invalid input: expected number/);
    expect(r.stderr).toMatch(/colour/);
    const resume = await adomix(['train', '--resume', join(dir, 'nothing'), '--policy', 'odm']);
    expect(resume.stderr).toMatch(/--policy cannot be changed when resuming/);
    const missing = await adomix(['train', '--resume', join(dir, 'nothing')]);
    expect(missing.stderr).toMatch(/cannot read run config .*nothing\/config\.json/);
    const backend = await adomix(['train', '--config', bad, '--backend', 'tpu']);
    expect(backend.code).toBe(1);
  });
});
