/**
 * The Python client (clients/python) against real servers in this process: its unittest suite
 * (one server without a token, one with), and the PyTorch example where some python has torch.
 * The servers run on this event loop, so the pythons run asynchronously (spawn), never sync.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, type AdomixServer } from '../../src/serve/index.js';
import { firstPython, PYTHONS, runCommand } from '../helpers/python.js';


const python = await firstPython(['--version']);
const torchPython = await firstPython(['-c', 'import torch']);
if (python === undefined) console.log(`no python (tried ${PYTHONS.join(', ')}): the Python client tests are skipped`);
else if (torchPython === undefined) console.log('torch not installed: the PyTorch example is skipped');

const shown = (r: Ran): string => `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe('Python client', () => {
  const token = randomBytes(16).toString('hex');
  const dirs: string[] = [];
  let plain: AdomixServer;
  let guarded: AdomixServer;
  let url: string;
  let tokenUrl: string;

  beforeAll(async () => {
    const stateDir = (): string => {
      dirs.push(mkdtempSync(join(tmpdir(), 'adomix-pyclient-')));
      return dirs[dirs.length - 1];
    };
    plain = await buildServer({ stateDir: stateDir() });
    guarded = await buildServer({ stateDir: stateDir(), token });
    url = await plain.app.listen({ host: '127.0.0.1', port: 0 });
    tokenUrl = await guarded.app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await plain?.close();
    await guarded?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.skipIf(python === undefined)('passes its unittest suite against both servers', async () => {
    const r = await runCommand(python!, ['-m', 'unittest', '-v', 'clients/python/test_adomix_client.py'], { ADOMIX_URL: url, ADOMIX_TOKEN_URL: tokenUrl, ADOMIX_TOKEN: token }, 110_000);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stderr, shown(r)).toMatch(/^Ran \d+ tests in /m);
    expect(r.stderr, shown(r)).toMatch(/test_two_ranks_step_applies_once_both_reported .*\.\.\. ok/);
    expect(r.stderr, shown(r)).toMatch(/test_token_is_required .*\.\.\. ok/);
  }, 120_000);

  it.skipIf(torchPython === undefined)('runs the PyTorch example: every step of every rank reported and applied', async () => {
    const steps = 100;
    const ranks = 2;
    const run = `torch-example-${randomBytes(4).toString('hex')}`;
    const r = await runCommand(torchPython!, ['clients/python/examples/torch_sampler.py', '--url', url, '--steps', String(steps), '--ranks', String(ranks), '--run', run], {}, 110_000);
    expect(r.code, shown(r)).toBe(0);
    expect(r.stdout, shown(r)).toContain(`adomix run ${run}: ${steps} steps applied, ${ranks} rank(s), policy ado`);
    expect(r.stdout, shown(r)).toContain('fell back to the latest weights 0 time(s)');
    const status = (await (await fetch(`${url}/v1/runs/${run}`)).json()) as {
      applied: number;
      ranks: number;
      lag: number;
      domains: string[];
      weights: number[];
      counts: { reports: number; duplicates: number; stepsApplied: number };
      failed: string | null;
    };
    expect(status.applied).toBe(steps - 1);
    expect([status.ranks, status.lag, status.failed]).toEqual([ranks, 1, null]);
    expect(status.counts).toMatchObject({ reports: steps * ranks, duplicates: 0, stepsApplied: steps });
    expect(status.domains).toEqual(['linear', 'noisy', 'sine', 'product']);
    expect(status.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  }, 120_000);
});
