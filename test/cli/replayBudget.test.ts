import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReplay, type ReplayOptions } from '../../src/cli/replay.js';
import { readCheckpoint } from '../../src/runlog/index.js';
import { adomixAsync } from '../helpers/cli.js';
import { makeLog } from '../helpers/steplog.js';

let dir: string;
let log: string;
let headerLog: string;
let lines: string[];
const ADO = ['--start-step', '200', '--refit-interval', '200', '--ignore-steps', '10'];
const ADO_OPTS: ReplayOptions = { policy: 'ado', startStep: 200, refitInterval: 200, ignoreSteps: 10 };

async function weights(path: string, o: ReplayOptions, name: string): Promise<number[][]> {
  const out = join(dir, name);
  await runReplay(path, { ...o, out });
  return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).weights as number[]);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'adomix-replay-budget-'));
  lines = makeLog(800);
  log = join(dir, 'run.jsonl');
  writeFileSync(log, lines.join('\n') + '\n');
  // The same log with the budget in its header.
  const header = { ...JSON.parse(lines[0]), budget: [null, null, 600], maxEpochs: 2, plannedSteps: 800 };
  headerLog = join(dir, 'budgeted.jsonl');
  writeFileSync(headerLog, [JSON.stringify(header), ...lines.slice(1)].join('\n') + '\n');
  process.env.ADOMIX_LOG_LEVEL = 'silent';
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  delete process.env.ADOMIX_LOG_LEVEL;
});

describe('adomix replay with a data budget', () => {
  it('caps math so that its allowance lasts to the planned end, and exhausts it once the log has spent it', async () => {
    const w = await weights(log, { ...ADO_OPTS, budget: { math: 600 }, maxEpochs: 2, plannedSteps: 800 }, 'flags.jsonl');
    const free = await weights(log, ADO_OPTS, 'free.jsonl');
    const counts = lines.slice(1).map((l) => JSON.parse(l).count as number[]);
    let used = 0;
    let total = 0;
    let spentAt = -1;
    let capped = 0;
    counts.forEach((c, t) => {
      used += c[2];
      total += c[0] + c[1] + c[2];
      if (spentAt < 0 && used >= 1200) spentAt = t;
      if (spentAt >= 0) expect(w[t][2]).toBe(0);
      else if (t < 799) {
        const cap = (1200 - used) / ((800 - t - 1) * (total / (t + 1)));
        expect(w[t][2]).toBeLessThanOrEqual(Math.min(1, cap) + 1e-12);
        if (free[t][2] > cap + 1e-9) capped++;
      }
      expect(w[t].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    });
    expect(spentAt).toBeGreaterThan(400); // the log draws ~2 math examples a step: 1,200 last past half the run
    expect(capped).toBeGreaterThan(100); // and the cap binds on many steps before that
    // The header's budget gives the same lines as the flags.
    expect(await weights(headerLog, ADO_OPTS, 'header.jsonl')).toEqual(w);
  });

  it('the built command: flags, a flag over the header, the budget in the checkpoint, and clear errors', async () => {
    const out = join(dir, 'cli.jsonl');
    const ckpt = join(dir, 'cli.ckpt.json');
    const r = await adomixAsync(['replay', headerLog, ...ADO, '--budget', 'math=900,code=5000', '--out', out, '--checkpoint', ckpt, '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('800 steps replayed with ado');
    const snap = (await readCheckpoint(ckpt)).policy as { budget: unknown };
    expect(snap.budget).toEqual({ budget: [5000, null, 900], maxEpochs: [2, 2, 2], plannedSteps: 800, steps: 800, total: expect.any(Number) });
    const bad = await adomixAsync(['replay', log, '--budget', 'lean=5']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--budget: unknown domain "lean": the log\'s domains are code, prose, math');
    const syntax = await adomixAsync(['replay', log, '--budget', 'math']);
    expect(syntax.stderr).toContain('"math" is not NAME=N');
    const policy = await adomixAsync(['replay', log, '--policy', 'natural', '--max-epochs', '2']);
    expect(policy.stderr).toContain('--max-epochs applies to --policy ado only (got --policy natural)');
    const resume = await adomixAsync(['replay', log, '--resume', ckpt, '--planned-steps', '900']);
    expect(resume.stderr).toContain("--planned-steps cannot be given with --resume: a resumed policy keeps the checkpoint's data budget");
  });

  it('rejects a header budget of the wrong length, naming the field', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, [JSON.stringify({ ...JSON.parse(lines[0]), budget: [1, 2] }), ...lines.slice(1, 5)].join('\n') + '\n');
    await expect(runReplay(bad, { ...ADO_OPTS, out: join(dir, 'bad.out') })).rejects.toThrow('header: budget has 2 entries but there are 3 domains (code, prose, math)');
  });
});
