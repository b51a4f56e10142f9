import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpoint } from '../../src/runlog/index.js';
import { runReplay, type ReplayOptions } from '../../src/cli/replay.js';
import { adomixAsync } from '../helpers/cli.js';
import { makeLog } from '../helpers/steplog.js';

let dir: string;
let log: string;
let lines: string[];

/** The built CLI, asynchronously (so independent runs overlap). */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = await adomixAsync(args, env);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ADO = ['--start-step', '200', '--refit-interval', '200', '--ignore-steps', '10'];
const ADO_OPTS: ReplayOptions = { policy: 'ado', startStep: 200, refitInterval: 200, ignoreSteps: 10 };

/** Replays in-process into a file and returns the parsed lines (fast: no process start). */
async function replayLines(path: string, o: ReplayOptions, name: string): Promise<{ lines: string[]; summary: Awaited<ReturnType<typeof runReplay>> }> {
  const out = join(dir, name);
  const summary = await runReplay(path, { ...o, out });
  return { lines: readFileSync(out, 'utf8').trim().split('\n'), summary };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'adomix-replay-'));
  lines = makeLog(800);
  log = join(dir, 'run.jsonl');
  writeFileSync(log, lines.join('\n') + '\n');
  process.env.ADOMIX_LOG_LEVEL = 'silent';
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  delete process.env.ADOMIX_LOG_LEVEL;
});

describe('adomix replay (the built command)', () => {
  it('writes one line per step to stdout, params where the laws changed, logs only on stderr', async () => {
    const r = await cli(['replay', log, ...ADO], { ADOMIX_LOG_LEVEL: 'info' });
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(800);
    // Before its first law ADO answers its initial mixture: balanced (the default target's), not the log's prior [0.5, 0.3, 0.2].
    expect(out[0].step).toBe(0);
    out[0].weights.forEach((w: number) => expect(w).toBeCloseTo(1 / 3, 15));
    // default lag 100: refits started after 200, 400, 600 land after 300, 500, 700
    expect(out.filter((o) => 'params' in o).map((o) => o.step)).toEqual([300, 500, 700]);
    for (const o of out) {
      expect(o.weights.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 12);
      expect(o.weights.every((w: number) => w >= 0.01 - 1e-12)).toBe(true);
    }
    expect(out[300].params).toHaveLength(3);
    expect(out[300].params[0]).toHaveLength(3);
    expect(r.stderr).toMatch(/800 steps replayed with ado \(steps 0–799\), 3 law updates/);
    const logLines = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(logLines.filter((l) => l.msg === 'laws updated').map((l) => l.step)).toEqual([300, 500, 700]);
    expect(logLines[0]).toMatchObject({ name: 'adomix-replay', level: 30 });
    // and the same as the in-process replay written to a file
    const file = await replayLines(log, ADO_OPTS, 'same.jsonl');
    expect(file.lines.join('\n')).toBe(r.stdout.trim());
  });

  it('prints a summary with --out (one JSON object with --json) and fails with "adomix: …" on errors', async () => {
    const out = join(dir, 'w.jsonl');
    const [json, table, bad, help] = await Promise.all([
      cli(['replay', log, '--policy', 'natural', '--out', out, '--json']),
      cli(['replay', log, '--policy', 'balanced', '--out', join(dir, 'w2.jsonl')]),
      cli(['replay', log, '--policy', 'odm', '--start-step', '5']),
      cli(['replay', '--help']),
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({ policy: 'natural', steps: 800, firstStep: 0, lastStep: 799, skipped: 0, out });
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(800);
    expect(table.stdout).toMatch(/steps replayed\s+800 \(steps 0–799\)/);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^adomix: --start-step applies to --policy ado only/);
    expect(help.stdout).toMatch(/--checkpoint-every <n>/);
  });

  it('resumes from a checkpoint file byte for byte', async () => {
    const head = join(dir, 'head.jsonl');
    writeFileSync(head, lines.slice(0, 1 + 450).join('\n') + '\n'); // steps 0…449: the refit started after 400 is pending
    const ck = join(dir, 'ck.json');
    const [full, first] = await Promise.all([cli(['replay', log, ...ADO]), cli(['replay', head, ...ADO, '--checkpoint', ck])]);
    expect(first.code).toBe(0);
    const second = await cli(['replay', log, '--resume', ck]);
    expect(second.code).toBe(0);
    expect(first.stdout + second.stdout).toBe(full.stdout);
    expect(second.stderr).toMatch(/350 steps replayed with ado \(steps 450–799\)/);
  });
});

describe('runReplay', () => {
  it('passes over a step with no examples at all (an imported row where no chosen column has a value): the mixture carries on', async () => {
    // Step 400 emptied: replayed as a step, the policy seeing nothing.
    const emptied = lines.map((l, i) => {
      if (i !== 401) return l;
      const r = JSON.parse(l) as { step: number };
      return JSON.stringify({ step: r.step, loss: [null, null, null], count: [0, 0, 0] });
    });
    const path = join(dir, 'emptied.jsonl');
    writeFileSync(path, emptied.join('\n') + '\n');
    const { lines: out, summary } = await replayLines(path, ADO_OPTS, 'emptied.out.jsonl');
    expect(summary.steps).toBe(800);
    const w = out.map((l) => (JSON.parse(l) as { weights: number[] }).weights);
    expect(w[400]).toEqual(w[399]); // nothing observed: the mixture after step 399 stands
    expect(w[401]).not.toEqual(w[400]);
  });

  it('reference preset applies refits at once', async () => {
    const { lines: out } = await replayLines(log, { ...ADO_OPTS, preset: 'reference' }, 'ref.jsonl');
    expect(out.map((l) => JSON.parse(l)).filter((o) => 'params' in o).map((o) => o.step)).toEqual([200, 400, 600]);
  });

  it('natural, balanced and odm baselines', async () => {
    const nat = (await replayLines(log, { policy: 'natural' }, 'nat.jsonl')).lines;
    expect(JSON.parse(nat[799])).toEqual({ step: 799, weights: [0.5, 0.3, 0.2] });
    const bal = (await replayLines(log, { policy: 'balanced' }, 'bal.jsonl')).lines;
    expect(JSON.parse(bal[5]).weights).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const odm = (await replayLines(log, { policy: 'odm' }, 'odm.jsonl')).lines.map((l) => JSON.parse(l));
    expect(odm).toHaveLength(800);
    expect(odm[799].weights.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 12);
    // without a prior in the header, natural is each domain's share of the log's counts
    const noPrior = join(dir, 'noprior.jsonl');
    const np = makeLog(50, false);
    writeFileSync(noPrior, np.join('\n') + '\n');
    const totals = [0, 0, 0];
    for (const l of np.slice(1)) JSON.parse(l).count.forEach((c: number, k: number) => (totals[k] += c));
    const sum = totals[0] + totals[1] + totals[2];
    const w = JSON.parse((await replayLines(noPrior, { policy: 'natural' }, 'np.jsonl')).lines[0]).weights;
    w.forEach((x: number, k: number) => expect(x).toBeCloseTo(totals[k] / sum, 15));
  });

  it('--checkpoint-every writes checkpoints along the way; resuming from one matches too', async () => {
    const ck = join(dir, 'every.json');
    const full = await replayLines(log, { policy: 'odm', checkpoint: ck, checkpointEvery: 300 }, 'every.jsonl');
    expect(full.summary.checkpointsWritten).toBe(3); // after 299, 599, and at the end
    const c = await readCheckpoint(ck);
    expect(c.adomix).toBe('checkpoint/1');
    expect(c.meta).toMatchObject({ logStep: 799 });
    expect(c.policy.kind).toBe('odm');
    const part = join(dir, 'part.jsonl');
    writeFileSync(part, lines.slice(0, 1 + 650).join('\n') + '\n');
    const ck2 = join(dir, 'every2.json');
    await replayLines(part, { policy: 'odm', checkpoint: ck2, checkpointEvery: 300 }, 'part-out.jsonl');
    const resumed = await replayLines(log, { policy: 'odm', resume: ck2 }, 'resumed.jsonl');
    expect(resumed.summary).toMatchObject({ resumedAfter: 649, steps: 150, firstStep: 650 });
    // --out of a resumed replay holds the whole run: the checkpoint's 650 lines, then the rest.
    expect(resumed.lines).toEqual(full.lines);
  });

  it('--skip-bad skips bad lines and says how many; without it the error names file and line', async () => {
    const bad = join(dir, 'bad.jsonl');
    const l = [...lines.slice(0, 101)];
    l[51] = '{"step":50,"loss":[1,2,"x"],"count":[1,1,1]}';
    writeFileSync(bad, l.join('\n') + '\n');
    await expect(runReplay(bad, { policy: 'balanced', out: join(dir, 'x.jsonl') })).rejects.toThrow(/bad\.jsonl:52/);
    expect(existsSync(join(dir, 'x.jsonl'))).toBe(false); // nothing half-written
    const skip = await replayLines(bad, { policy: 'odm', skipBad: true }, 'skip.jsonl');
    const out = skip.lines.map((x) => JSON.parse(x));
    expect(out).toHaveLength(99);
    expect(out.map((o) => o.step)).not.toContain(50);
    expect(skip.summary.skipped).toBe(1);
  });

  it('rejects corrupt, foreign and mismatched checkpoints with clear errors', async () => {
    const o = (resume: string, extra: Partial<ReplayOptions> = {}) => runReplay(log, { policy: 'ado', resume, out: join(dir, 'r.jsonl'), ...extra });
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"adomix":"checkpoint/1","policy":{"kind":"ado"');
    await expect(o(corrupt)).rejects.toThrow(/corrupt\.json: not a valid checkpoint: corrupt JSON/);
    const shape = join(dir, 'shape.json');
    writeFileSync(shape, JSON.stringify({ adomix: 'checkpoint/1', policy: { kind: 'odm', version: 1, step: 3, domains: ['code', 'prose', 'math'], settings: {}, rewards: [1, 2], exhausted: [false, false, false], weights: [0.3, 0.3, 0.4] } }));
    await expect(o(shape, { policy: 'odm' })).rejects.toThrow(/shape\.json: odm snapshot: field "rewards" must be an array of 3 finite numbers/);
    const ck = join(dir, 'odm.json');
    await replayLines(log, { policy: 'odm', checkpoint: ck }, 'odm2.jsonl');
    await expect(o(ck)).rejects.toThrow(/holds a "odm" policy, but --policy is ado/);
    const adoCk = join(dir, 'ado.json');
    const head = join(dir, 'short.jsonl');
    writeFileSync(head, lines.slice(0, 101).join('\n') + '\n');
    await replayLines(head, { ...ADO_OPTS, checkpoint: adoCk }, 'ado-out.jsonl');
    await expect(o(adoCk, { startStep: 100 })).rejects.toThrow(/--start-step 100 conflicts with the checkpoint's startStep 200/);
    const other = join(dir, 'other.jsonl');
    writeFileSync(other, [JSON.stringify({ adomix: 'steplog/1', domains: ['a', 'b', 'c'], unit: 'examples' }), ...lines.slice(1, 20)].join('\n') + '\n');
    await expect(runReplay(other, { policy: 'ado', resume: adoCk, out: join(dir, 'r.jsonl') })).rejects.toThrow(/checkpoint's domains \(code, prose, math\) differ from the log's \(a, b, c\)/);
  });

  it('rejects flags that do not apply', async () => {
    await expect(runReplay(log, { policy: 'odm', startStep: 5 })).rejects.toThrow(/--start-step applies to --policy ado only/);
    await expect(runReplay(log, { policy: 'ado', checkpointEvery: 5 })).rejects.toThrow(/--checkpoint-every needs --checkpoint/);
    await expect(runReplay(join(dir, 'missing.jsonl'), { policy: 'ado' })).rejects.toThrow(/missing\.jsonl/);
  });
});
