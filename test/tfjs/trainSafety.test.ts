/**
 * `adomix train` against hostile-but-realistic use (built CLI, cpu backend): run directories
 * that hold other things, files of another run, edited or corrupt files, leftovers of a
 * killed run, signals, and sizes the backend cannot hold.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adomixAsync, adomixChild } from '../helpers/cli.js';
import { TINY } from '../helpers/train.js';

let dir: string;
let config: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'adomix-train-safety-'));
  config = join(dir, 'tiny.json');
  writeFileSync(config, JSON.stringify(TINY));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV = { ADOMIX_BACKEND: '' };
const train = (...args: string[]) => adomixAsync(['train', '--config', config, '--backend', 'cpu', '--no-progress', ...args], ENV);
const resume = (out: string, ...args: string[]) => adomixAsync(['train', '--resume', out, '--no-progress', ...args], ENV);

describe('a new run never overwrites what is not its own', () => {
  it('refuses a non-empty directory that is not a run, and one that holds a run, unless --force', async () => {
    const other = join(dir, 'papers');
    mkdirSync(other);
    writeFileSync(join(other, 'config.json'), '{"mine":true}');
    writeFileSync(join(other, 'notes.txt'), 'keep me');
    const refused = await train('--steps', '3', '--out', other);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`adomix: ${other} is not empty and is not an adomix run directory (it holds config.json, notes.txt)`);
    expect(readFileSync(join(other, 'config.json'), 'utf8')).toBe('{"mine":true}');
    expect(readdirSync(other).sort()).toEqual(['config.json', 'notes.txt']);

    const run = join(dir, 'finished');
    expect((await train('--steps', '3', '--out', run)).status).toBe(0);
    const again = await train('--steps', '3', '--out', run, '--seed', '5');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`${run} already holds a run (checkpoint.json); resume it with --resume ${run}, choose another --out, or add --force`);

    const forced = await train('--steps', '3', '--out', other, '--force');
    expect(forced.status).toBe(0);
    expect(readFileSync(join(other, 'notes.txt'), 'utf8')).toBe('keep me');
    expect(JSON.parse(readFileSync(join(other, 'config.json'), 'utf8'))).toMatchObject({ steps: 3, policy: 'ado' });

    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    expect((await train('--out', file)).stderr).toContain(`--out ${file} exists and is not a directory`);
  });

  it('an unknown backend or a batch the backend cannot hold fails before anything is written', async () => {
    const tpu = join(dir, 'tpu');
    const r = await adomixAsync(['train', '--config', config, '--backend', 'tpu', '--out', tpu], ENV);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^adomix: backend "tpu": unknown backend; choose auto, /);
    expect(existsSync(tpu)).toBe(false);
    const big = join(dir, 'big');
    const b = await adomixAsync(['train', '--backend', 'wasm', '--batch-size', '20000', '--steps', '1', '--out', big], ENV);
    expect(b.status).toBe(1);
    expect(b.stderr).toContain(
      "adomix: batch size 20000 does not fit the wasm backend: its step needs about 6.9 GiB of tensors (its limit: 2 GiB per tensor, about 2.5 GiB in all in wasm32's 4 GiB heap); use a batch size of at most 7281, or a GPU backend",
    );
    expect(existsSync(big)).toBe(false);
  });

  it('takes seeds from 0 to 2^32 − 1 in train and simulate alike', async () => {
    const [t, s, big] = await Promise.all([
      adomixAsync(['train', '--seed', '-1']),
      adomixAsync(['simulate', '--scenario', 'equal', '--seed', '-1']),
      adomixAsync(['simulate', '--scenario', 'equal', '--seed', '4294967296']),
    ]);
    expect(t.stderr).toContain("error: option '--seed <n>' argument '-1' is invalid. It must be an integer from 0 to 4294967295.");
    expect(s.stderr).toContain("error: option '--seed <n>' argument '-1' is invalid. It must be an integer from 0 to 4294967295.");
    expect(big.stderr).toContain('It must be an integer from 0 to 4294967295.');
  });
});

describe('a resume continues its own run or refuses, naming why', () => {
  /** A finished 6-step ado run and a natural one. */
  async function twoRuns(name: string): Promise<{ ado: string; natural: string }> {
    const ado = join(dir, `${name}-ado`);
    const natural = join(dir, `${name}-natural`);
    const [a, n] = await Promise.all([train('--steps', '6', '--out', ado), train('--steps', '6', '--out', natural, '--policy', 'natural')]);
    expect([a.status, n.status]).toEqual([0, 0]);
    return { ado, natural };
  }

  it("refuses another run's checkpoint and weights, an edited config.json and a flipped byte in the weights", async () => {
    const { ado, natural } = await twoRuns('mixed');
    const weights = (d: string) => readdirSync(d).find((f) => f.startsWith('weights-'))!;
    // A natural run's checkpoint, weights and step log dropped into the ado run's directory.
    const mixed = join(dir, 'mixed');
    cpSync(ado, mixed, { recursive: true });
    for (const f of ['checkpoint.json', 'steps.jsonl', weights(natural)]) cpSync(join(natural, f), join(mixed, f));
    const r1 = await resume(mixed, '--steps', '9');
    expect(r1.status).toBe(1);
    expect(r1.stderr).toMatch(new RegExp(`checkpoint\\.json belongs to run [0-9a-f-]{36}, not to this run \\([0-9a-f-]{36}\\): files of two runs are mixed in ${mixed}`));

    const edited = join(dir, 'edited');
    cpSync(ado, edited, { recursive: true });
    const cfg = JSON.parse(readFileSync(join(edited, 'config.json'), 'utf8'));
    writeFileSync(join(edited, 'config.json'), JSON.stringify({ ...cfg, seed: 1 }));
    const r2 = await resume(edited, '--steps', '9');
    expect(r2.stderr).toContain(`${join(edited, 'checkpoint.json')} was made by a run set up differently: seed is 1 in one and 0 in the other (this run, then the checkpoint)`);

    const flipped = join(dir, 'flipped');
    cpSync(ado, flipped, { recursive: true });
    const w = join(flipped, weights(flipped));
    const bytes = readFileSync(w);
    bytes[100] ^= 0x01;
    writeFileSync(w, bytes);
    const r3 = await resume(flipped, '--steps', '9');
    expect(r3.stderr).toContain(`${w}: its SHA-256 is not the one ${join(flipped, 'checkpoint.json')} recorded: the weights file is corrupt or from another run`);
    for (const r of [r2, r3]) expect(r.status).toBe(1);
  });

  it('names file and line of a truncated step log, and removes the leftovers of a killed run', async () => {
    const { ado } = await twoRuns('trunc');
    const truncated = join(dir, 'truncated');
    cpSync(ado, truncated, { recursive: true });
    const log = join(truncated, 'steps.jsonl');
    const text = readFileSync(log, 'utf8');
    writeFileSync(log, text.slice(0, text.length - 40));
    const r = await resume(truncated, '--steps', '9');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${log}:7: not a complete step line (truncated or edited?): `);

    const leftovers = join(dir, 'leftovers');
    cpSync(ado, leftovers, { recursive: true });
    for (const f of ['steps.jsonl.tmp-999999991', 'checkpoint.json.tmp-999999992', 'weights-00000009.bin.tmp-999999993']) writeFileSync(join(leftovers, f), 'partial');
    const ok = await resume(leftovers, '--steps', '9');
    expect(ok.status).toBe(0);
    expect(readdirSync(leftovers).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('says how many steps already ran when --steps asks for no more', async () => {
    const { ado } = await twoRuns('done');
    const r = await resume(ado, '--steps', '4');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`${ado} has already run 6 steps (steps 0–5); --steps 4 asks for no more, so there is nothing to do`);
  });
});

describe('SIGTERM and SIGINT', () => {
  it('stop after the current step with a checkpoint, exit 143 / 130, and resume to the uninterrupted run', async () => {
    const straight = join(dir, 'straight');
    expect((await train('--steps', '60', '--out', straight)).status).toBe(0);
    for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
      const out = join(dir, signal);
      const run = adomixChild(['train', '--config', config, '--backend', 'cpu', '--no-progress', '--steps', '60', '--out', out], ENV);
      for (let i = 0; i < 3000 && !existsSync(join(out, 'checkpoint.json')); i++) await new Promise((r) => setTimeout(r, 10));
      run.child.kill(signal);
      const r = await run.done;
      expect(r.stderr).toContain(`${signal}: stopping after this step`);
      expect(r.status).toBe(code);
      const stoppedAt = JSON.parse(readFileSync(join(out, 'checkpoint.json'), 'utf8')).meta.training.step;
      expect(stoppedAt).toBeLessThan(59);
      expect((await resume(out, '--steps', '60')).status).toBe(0);
      expect(readFileSync(join(out, 'steps.jsonl'), 'utf8')).toBe(readFileSync(join(straight, 'steps.jsonl'), 'utf8'));
    }
  });
});
