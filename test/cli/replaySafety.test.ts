/**
 * `adomix replay` and `adomix report` against hostile-but-realistic use: outputs that are
 * inputs, kills and signals mid-run, resumes on the wrong log, leftovers of killed runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/index.js';
import { readCheckpoint } from '../../src/runlog/index.js';
import { adomixAsync, adomixChild, CLI } from '../helpers/cli.js';
import { makeLog } from '../helpers/steplog.js';

let dir: string;
let log: string;
let lines: string[];
const ADO = ['--start-step', '200', '--refit-interval', '200', '--ignore-steps', '10'];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'adomix-replay-safety-'));
  lines = makeLog(800);
  log = join(dir, 'run.jsonl');
  writeFileSync(log, lines.join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the checkpoint at `path` has reached log step `step`. */
async function checkpointAt(path: string, step: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (existsSync(path)) {
      const c = await readCheckpoint(path).catch(() => undefined);
      if (c !== undefined && (c.meta?.logStep as number) >= step) return;
    }
    await sleep(10);
  }
  throw new Error(`no checkpoint at step ${step} in ${path}`);
}

/**
 * Starts a replay reading a FIFO, feeds it the header and steps 0…fed−1, and waits for the
 * checkpoint after step `waitFor`: the process is then mid-run, waiting for more input.
 */
async function replayFromPipe(name: string, args: string[], fed: number, waitFor: number) {
  const fifo = join(dir, `${name}.fifo`);
  execFileSync('mkfifo', [fifo]);
  const run = adomixChild(['replay', fifo, ...args]);
  const pipe = createWriteStream(fifo);
  pipe.write(lines.slice(0, 1 + fed).join('\n') + '\n');
  return { ...run, pipe, ready: checkpointAt(args[args.indexOf('--checkpoint') + 1], waitFor) };
}

const tmpFiles = (): string[] => readdirSync(dir).filter((n) => n.includes('.tmp-'));

describe('outputs that are inputs are refused, inputs stay untouched', () => {
  it('replay L --out L, replay --resume C --out C, report L --out L, and through a symlink', async () => {
    const before = readFileSync(log, 'utf8');
    const ck = join(dir, 'c.json');
    const made = await adomixAsync(['replay', log, '--policy', 'odm', '--checkpoint', ck, '--out', join(dir, 'c-out.jsonl')]);
    expect(made.status).toBe(0);
    const ckBefore = readFileSync(ck, 'utf8');
    const link = join(dir, 'run-link.jsonl');
    symlinkSync(log, link);
    const [a, b, c, d, e] = await Promise.all([
      adomixAsync(['replay', log, '--out', log]),
      adomixAsync(['replay', log, '--resume', ck, '--out', ck]),
      adomixAsync(['report', log, '--out', log]),
      adomixAsync(['replay', log, '--out', link]),
      adomixAsync(['replay', log, '--checkpoint', log]),
    ]);
    expect(a.status).toBe(1);
    expect(a.stderr).toBe(`adomix: --out ${log} is the same file as the step log ${log}; refusing to overwrite an input (choose another --out)\n`);
    expect(b.status).toBe(1);
    expect(b.stderr).toContain(`--out ${ck} is the same file as --resume ${ck}`);
    expect(c.status).toBe(1);
    expect(c.stderr).toContain(`--out ${log} is the same file as the step log ${log}`);
    expect(d.stderr).toContain(`--out ${link} is the same file as the step log ${log}`);
    expect(e.stderr).toContain(`--checkpoint ${log} is the same file as the step log ${log}`);
    expect(readFileSync(log, 'utf8')).toBe(before);
    expect(readFileSync(ck, 'utf8')).toBe(ckBefore);
    expect(tmpFiles()).toEqual([]);
  });

  it('refuses a directory, a FIFO and a device as --out or --checkpoint', async () => {
    const fifo = join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const [a, b, c] = await Promise.all([
      adomixAsync(['replay', log, '--out', dir]),
      adomixAsync(['replay', log, '--out', fifo]),
      adomixAsync(['replay', log, '--checkpoint', '/dev/null']),
    ]);
    expect(a.stderr).toBe(`adomix: cannot write ${dir}: it is a directory, not a regular file; refusing to replace it\n`);
    expect(b.stderr).toBe(`adomix: cannot write ${fifo}: it is a FIFO (named pipe), not a regular file; refusing to replace it\n`);
    expect(c.stderr).toBe('adomix: cannot write /dev/null: it is a character device node, not a regular file; refusing to replace it\n');
    expect([a.status, b.status, c.status]).toEqual([1, 1, 1]);
  });
});

describe('a resumed replay ends byte for byte as an uninterrupted one', () => {
  it('after SIGKILL mid-run (the output only in its temporary file), and again from the finished checkpoint', async () => {
    const full = join(dir, 'full.jsonl');
    expect((await adomixAsync(['replay', log, ...ADO, '--out', full])).status).toBe(0);
    const out = join(dir, 'killed.jsonl');
    const ck = join(dir, 'killed.ck.json');
    const run = await replayFromPipe('killed', [...ADO, '--out', out, '--checkpoint', ck, '--checkpoint-every', '50'], 470, 449);
    await run.ready;
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    run.pipe.destroy();
    expect(existsSync(out)).toBe(false); // never published
    expect(tmpFiles().some((n) => n.startsWith('killed.jsonl.tmp-'))).toBe(true);
    const c = await readCheckpoint(ck);
    expect(c.meta).toMatchObject({ format: 'adomix-replay/1', logStep: 449, records: 450 });
    expect(c.policy).toMatchObject({ kind: 'ado' });
    expect((c.policy as { pending: unknown[] }).pending.length).toBe(1); // the refit started after 400 is in flight

    const resumed = await adomixAsync(['replay', log, '--resume', ck, '--out', out, '--checkpoint', ck]);
    expect(resumed.stderr).toMatch(/350 steps replayed with ado \(steps 450–799\)/);
    expect(resumed.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(full, 'utf8'));
    expect(tmpFiles()).toEqual([]);
    // Resuming the finished checkpoint replays nothing and leaves the output as it is.
    const again = await adomixAsync(['replay', log, '--resume', ck, '--out', out]);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/0 steps replayed/);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(full, 'utf8'));
  });

  it('SIGTERM and SIGINT stop with a final checkpoint, a published output and exit 143 / 130; resume completes it', async () => {
    const full = join(dir, 'full-odm.jsonl');
    expect((await adomixAsync(['replay', log, '--policy', 'odm', '--out', full])).status).toBe(0);
    for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
      const out = join(dir, `${signal}.jsonl`);
      const ck = join(dir, `${signal}.ck.json`);
      const run = await replayFromPipe(signal, ['--policy', 'odm', '--out', out, '--checkpoint', ck, '--checkpoint-every', '100'], 450, 399);
      await run.ready;
      run.child.kill(signal);
      const r = await run.done;
      run.pipe.destroy();
      expect(r.status).toBe(code);
      expect(r.stderr).toContain(`${signal}: stopping after this step`);
      const c = await readCheckpoint(ck);
      const stoppedAt = c.meta!.logStep as number;
      expect(stoppedAt).toBeGreaterThanOrEqual(399);
      expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(stoppedAt + 1);
      const resumed = await adomixAsync(['replay', log, '--resume', ck, '--out', out]);
      expect(resumed.status).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(full, 'utf8'));
    }
  });

  it('refuses a checkpoint made from another log with the same domains, and one whose output is gone', async () => {
    const ck = join(dir, 'other.ck.json');
    const out = join(dir, 'other.jsonl');
    const head = join(dir, 'head.jsonl');
    writeFileSync(head, lines.slice(0, 301).join('\n') + '\n');
    expect((await adomixAsync(['replay', head, '--policy', 'odm', '--checkpoint', ck, '--out', out])).status).toBe(0);
    const other = join(dir, 'other-log.jsonl');
    writeFileSync(other, makeLog(800, true, 7).join('\n') + '\n'); // same header, other losses
    const r = await adomixAsync(['replay', other, '--resume', ck, '--out', join(dir, 'x.jsonl')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`adomix: ${other} is not the log ${ck} was made from: its steps up to step 299 differ from those the checkpoint saw`);
    const short = join(dir, 'short.jsonl');
    writeFileSync(short, lines.slice(0, 101).join('\n') + '\n');
    const s = await adomixAsync(['replay', short, '--resume', ck]);
    expect(s.stderr).toContain(`${short} is not the log ${ck} was made from: it has 100 steps up to step 299, the checkpoint covers 300`);
    // The log grew since (the run went on): that is the same log, and resuming works.
    expect((await adomixAsync(['replay', log, '--resume', ck, '--out', out])).status).toBe(0);
    rmSync(out);
    const gone = await adomixAsync(['replay', log, '--resume', ck, '--out', out]);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain(`cannot make ${out} whole: the checkpoint covers its first`);
    expect(existsSync(out)).toBe(false);
    expect(tmpFiles()).toEqual([]);
  });

  it('resumes an ODM checkpoint without --policy, and says what a wrong --policy is', async () => {
    const ck = join(dir, 'odm.ck.json');
    const head = join(dir, 'odm-head.jsonl');
    writeFileSync(head, lines.slice(0, 101).join('\n') + '\n');
    expect((await adomixAsync(['replay', head, '--policy', 'odm', '--checkpoint', ck])).status).toBe(0);
    const [ok, wrong] = await Promise.all([adomixAsync(['replay', log, '--resume', ck]), adomixAsync(['replay', log, '--resume', ck, '--policy', 'ado'])]);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/700 steps replayed with odm \(steps 100–799\)/);
    expect(wrong.stderr).toContain(`${ck}: the checkpoint holds a "odm" policy, but --policy is ado`);
  });
});

describe('many domains', () => {
  it('replays a 1,000-domain log with ADO refits end to end, and resumes it exactly', async () => {
    const K = 1000;
    const rng = new Rng(5);
    const domains = Array.from({ length: K }, (_, k) => `d${k}`);
    // A prior in the header: without one the natural mixture is the whole log's count shares, which a prefix does not have.
    const out = [JSON.stringify({ adomix: 'steplog/1', domains, prior: domains.map(() => 1 / K), unit: 'examples' })];
    for (let t = 0; t < 520; t++) {
      const count = domains.map(() => rng.int(3));
      count[t % K] += 1; // never an empty batch
      const loss = count.map((c, k) => (c > 0 ? Number((1 + (k % 7) / 10 + 5 * (t + 1) ** -0.3).toFixed(4)) : null));
      out.push(JSON.stringify({ step: t, loss, count }));
    }
    const wide = join(dir, 'wide.jsonl');
    writeFileSync(wide, out.join('\n') + '\n');
    const flags = ['--start-step', '200', '--refit-interval', '200', '--ignore-steps', '0'];
    const full = join(dir, 'wide-full.jsonl');
    const r = await adomixAsync(['replay', wide, ...flags, '--out', full]);
    expect(r.stderr).toMatch(/520 steps replayed with ado \(steps 0–519\), 2 law updates/);
    const last = JSON.parse(readFileSync(full, 'utf8').trim().split('\n')[519]);
    expect(last.weights).toHaveLength(K);
    expect(Math.abs(last.weights.reduce((a: number, b: number) => a + b, 0) - 1)).toBeLessThan(1e-12);
    // Checkpointed half way (a refit in flight), resumed on the whole log: the same output.
    const half = join(dir, 'wide-half.jsonl');
    writeFileSync(half, out.slice(0, 251).join('\n') + '\n'); // steps 0…249: the refit started after 200 is in flight
    const ck = join(dir, 'wide.ck.json');
    const part = join(dir, 'wide-part.jsonl');
    expect((await adomixAsync(['replay', half, ...flags, '--out', part, '--checkpoint', ck])).status).toBe(0);
    expect((await adomixAsync(['replay', wide, '--resume', ck, '--out', part])).status).toBe(0);
    expect(readFileSync(part, 'utf8')).toBe(readFileSync(full, 'utf8'));
  });
});

describe('a reader that stops reading', () => {
  it('ends the replay quietly (exit 141, as SIGPIPE would), no EPIPE stack trace', () => {
    // 20,000 lines of output: far more than a pipe buffers, so the replay is still writing when head exits.
    const long = join(dir, 'long.jsonl');
    writeFileSync(long, makeLog(20_000).join('\n') + '\n');
    const r = spawnSync('bash', ['-c', `set -o pipefail; ${JSON.stringify(process.execPath)} ${CLI} replay ${long} --policy odm | head -n 1`], { encoding: 'utf8' });
    expect(JSON.parse(r.stdout)).toEqual({ step: 0, weights: [1 / 3, 1 / 3, 1 / 3] });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(141);
  });
});

describe('lines too long to be real', () => {
  it('a 65 MiB line is an error naming file and line, and leaves no temporary file', async () => {
    const big = join(dir, 'huge-line.jsonl');
    writeFileSync(big, `${lines[0]}\n${lines[1]}\n{"step":1,"loss":[${'1,'.repeat(34_000_000)}1],"count":[1,1,1]}\n`);
    const out = join(dir, 'huge-out.jsonl');
    const r = await adomixAsync(['replay', big, '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`adomix: ${big}:3: line is longer than 64 MiB (the reader's limit; raise it with maxLineBytes if the line is real)\n`);
    expect(existsSync(out)).toBe(false);
    expect(tmpFiles()).toEqual([]);
    rmSync(big);
  });
});
