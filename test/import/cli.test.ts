/**
 * `adomix import`, and `fit`, `replay`, `report` taking the same inputs directly, on the real
 * fixtures (test/fixtures/import/README.md). Runs the BUILT command line.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TfRecordReader } from '../../src/import/tfrecord.js';
import { adomix } from '../helpers/cli.js';
import { evalHistoryCsv, TRUE_LAWS } from './syntheticHistory.js';

/** The byte offset of record `n` of an event file. */
async function recordOffset(path: string, n: number): Promise<number> {
  const reader = await TfRecordReader.open(path);
  try {
    for (let i = 0; ; i++) {
      const r = await reader.next();
      if (r === undefined) throw new Error(`${path} has only ${i} records`);
      if (i === n) return r.offset;
    }
  } finally {
    await reader.close();
  }
}

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));
const NANOGPT = fixture('nanogpt-wandb-export.csv');
const STRICT = fixture('tensorboard-reducer/strict');
const RUN_1 = join(STRICT, 'run_1', 'events.out.tfevents.1622543341.janoshs-mbp.lan.86862.0');
const TAGS = ['--loss-tags', '(run_\\d)/strict/foo', '--batch', '32'];
const GPT2 = ['--loss-columns', '^(gpt2) - train/loss$', '--batch', '96000'];
const tmp = mkdtempSync(join(tmpdir(), 'adomix-import-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const shown = (r: { stdout: string; stderr: string }): string => `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

describe('adomix import', () => {
  it('converts a W&B export, says what it detected, and writes the same bytes every time', () => {
    const out = join(tmp, 'gpt2.jsonl');
    const r = adomix('import', NANOGPT, '--to', out, ...GPT2);
    expect(r.status, shown(r)).toBe(0);
    expect(r.stdout).toBe(
      `${NANOGPT}: wide CSV (a .csv file whose header row is not a step log's): step column "Step", 1 domain from --loss-columns '^(gpt2) - train/loss$' (16 W&B __MIN/__MAX columns left out); counts: batch 96000 examples per step × uniform weights; 386 rows → 386 steps (dense)\n` +
        `wrote ${out}: 1 domain (gpt2), 386 steps (steps 0–385)\n`,
    );
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n').slice(0, 2)).toEqual(['{"adomix":"steplog/1","domains":["gpt2"],"prior":[1],"unit":"examples"}', '{"step":0,"loss":[10.95404052734375],"count":[96000],"weights":[1]}']);
    const again = join(tmp, 'gpt2-again.jsonl');
    expect(adomix('import', NANOGPT, '--to', again, ...GPT2).status).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(text);
    // a step log imported is rewritten as it is
    const round = join(tmp, 'gpt2-round.jsonl');
    const s = adomix('import', out, '--to', round);
    expect(s.status, shown(s)).toBe(0);
    expect(s.stdout).toContain('a step log (a .jsonl file), rewritten');
    expect(readFileSync(round, 'utf8')).toBe(text);
  });

  it('converts a TensorBoard log directory into a sparse step log, with --json', () => {
    const out = join(tmp, 'strict.jsonl');
    const r = adomix('import', STRICT, '--to', out, ...TAGS, '--json');
    expect(r.status, shown(r)).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ format: 'tensorboard', sparse: true, domains: ['run_1', 'run_2', 'run_3'], records: 100, firstStep: 0, lastStep: 495, skipped: 0 });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0])).toEqual({ adomix: 'steplog/1', domains: ['run_1', 'run_2', 'run_3'], prior: [1 / 3, 1 / 3, 1 / 3], unit: 'examples', sparse: true });
    expect(JSON.parse(lines[1]).loss[0]).toBe(1.4962565898895264);
    expect(lines).toHaveLength(101);
  });

  it('refuses to write over its input, a directory, or with options a step log does not take', () => {
    const copy = join(tmp, 'copy.csv');
    cpSync(NANOGPT, copy);
    const same = adomix('import', copy, '--to', copy, ...GPT2);
    expect([same.status, same.stderr]).toEqual([1, `adomix: --to ${copy} is the same file as the input ${copy}; refusing to overwrite an input (choose another --to)\n`]);
    const eventFile = adomix('import', STRICT, '--to', RUN_1, ...TAGS);
    expect(eventFile.stderr).toMatch(/is the same file as the input .*run_1\/events\.out\.tfevents/);
    const dir = join(tmp, 'a-dir');
    mkdirSync(dir);
    const d = adomix('import', NANOGPT, '--to', dir, ...GPT2);
    expect(d.stderr).toBe(`adomix: cannot write ${dir}: it is a directory, not a regular file; refusing to replace it\n`);
    expect(statSync(copy).size).toBe(statSync(NANOGPT).size);
    const opts = adomix('import', join(tmp, 'gpt2.jsonl'), '--to', join(tmp, 'x.jsonl'), '--batch', '3');
    expect(opts.stderr).toMatch(/gpt2\.jsonl is a step log \(a \.jsonl file\): --batch applies only to logs from other loggers/);
    const none = adomix('import', NANOGPT, '--to', join(tmp, 'y.jsonl'), '--loss-columns', '^(gpt2) - train/loss$');
    expect(none.stderr).toMatch(/no counts: give --count-columns PATTERN \(per-domain counts\), --tokens-column NAME \(cumulative tokens\) or --batch N/);
  });

  it('names the file and byte offset of a corrupt record; --skip-bad skips it and says so', async () => {
    const dir = join(tmp, 'corrupt');
    mkdirSync(dir);
    const path = join(dir, 'events.out.tfevents.1.host');
    const bytes = readFileSync(RUN_1);
    const at = await recordOffset(RUN_1, 20);
    bytes[at + 12 + 2] ^= 0xff; // in record 20's data
    writeFileSync(path, bytes);
    const r = adomix('import', path, '--to', join(tmp, 'c.jsonl'), '--loss-tags', 'strict/(foo)', '--batch', '1');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^adomix: ${path.replace(/[.]/g, '\\.')}: byte ${at}: record data checksum mismatch \\(stored 0x[0-9A-F]+, computed 0x[0-9A-F]+\\) in its \\d+ bytes\\n$`));
    const s = adomix('import', path, '--to', join(tmp, 'c.jsonl'), '--loss-tags', 'strict/(foo)', '--batch', '1', '--skip-bad');
    expect(s.status, shown(s)).toBe(0);
    expect(s.stdout).toMatch(/\nskipped 1 bad record \(first: .*: byte \d+: record data checksum mismatch/);
    expect(s.stdout).toMatch(/99 evaluations \(steps 0–495\), sparse\n$/);
  });

  it('names file, line and column of a bad cell', () => {
    const bad = fixture('synthetic/bad-numbers.csv');
    const r = adomix('import', bad, '--to', join(tmp, 'b.jsonl'), '--loss-columns', 'train/loss_(.*)', '--batch', '10');
    expect([r.status, r.stderr]).toEqual([1, `adomix: ${bad}:4: column "train/loss_code": "abc" is not a number\n`]);
    // With --skip-bad, fit says once what the conversion skipped.
    const f = adomix('fit', bad, '--loss-columns', 'train/loss_(.*)', '--batch', '10', '--skip-bad', '--min-points', '3', '--subsample', '1');
    expect(f.stderr.match(/skipped 6 bad rows/g), shown(f)).toHaveLength(1);
  });
});

describe('fit, replay and report take these inputs directly', () => {
  it('fit: a W&B export, dense, with what was detected on stderr', () => {
    const r = adomix('fit', NANOGPT, ...GPT2, '--ignore-steps', '10', '--json');
    expect(r.status, shown(r)).toBe(0);
    expect(r.stderr).toMatch(/^adomix fit: .*nanogpt-wandb-export\.csv: wide CSV .*386 rows → 386 steps \(dense\)\n$/);
    const j = JSON.parse(r.stdout);
    expect(j.steps).toBe(386);
    expect(j.domains[0]).toMatchObject({ name: 'gpt2', points: 38, converged: true });
    expect(j.input.format).toBe('csv');
  });

  it('fit: a sparse curve is fitted one point per evaluation, and says so', () => {
    const r = adomix('fit', STRICT, ...TAGS);
    expect(r.status, shown(r)).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`${STRICT}: 3 domains, 100 evaluations (steps 0–495), n in examples`);
    expect(lines[1]).toBe('sparse curve: 100 evaluations per domain, subsample 1, smoothing window 19 points, ignore 0 evaluations, at least 20 points; preset auto, count mode same-step');
    expect(r.stdout).toMatch(/^run_1 .* 100 /m);
    expect(r.stderr).toMatch(/^adomix fit: .*strict: TensorBoard \(a directory: a TensorBoard log directory\): 3 event files/);
    const w = adomix('fit', STRICT, ...TAGS, '--window', '7', '--json');
    expect(JSON.parse(w.stdout)).toMatchObject({ sparse: true, evaluations: [100, 100, 100], windows: [7, 7, 7] });
  });

  it('fit: 24 held-out evaluations in a W&B history TSV, one point each, recover the true laws', () => {
    const path = join(tmp, 'history.tsv');
    writeFileSync(path, evalHistoryCsv('\t'));
    const r = adomix('fit', path, '--loss-columns', '^eval/loss_(.*)$', '--batch', '64', '--weights', 'code=0.5,prose=0.5', '--json');
    expect(r.status, shown(r)).toBe(0);
    expect(r.stderr).toMatch(/step column "trainer\/global_step", 2 domains .*counts: batch 64 examples per step × weights code=0\.5, prose=0\.5; 4800 rows → sparse curve: 24 evaluations, median gap 200 steps\n$/);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ steps: 24, sparse: true, evaluations: [24, 24], windows: [5, 5] });
    const [code, prose] = j.domains;
    expect(code.points).toBe(24);
    expect(code.epsilon).toBeCloseTo(TRUE_LAWS.code.epsilon, 1);
    expect(code.alpha).toBeCloseTo(TRUE_LAWS.code.alpha, 1);
    expect(prose.epsilon).toBeCloseTo(TRUE_LAWS.prose.epsilon, 1);
    const table = adomix('fit', path, '--loss-columns', '^eval/loss_(.*)$', '--batch', '64');
    expect(table.stdout.split('\n')[1]).toBe('sparse curve: 24 evaluations per domain, subsample 1, smoothing window 5 points, ignore 0 evaluations, at least 20 points; preset auto, count mode same-step');
  });

  it('replay: a sparse log is fed one evaluation per policy step, on ADO\'s sparse schedule', () => {
    const out = join(tmp, 'weights.jsonl');
    const r = adomix('replay', STRICT, ...TAGS, '--out', out);
    expect(r.status, shown(r)).toBe(0);
    expect(r.stderr).toContain('adomix replay: sparse curve: each evaluation is one policy step, numbered from 0; ADO refits from evaluation 19, every 2, applied after 0, ignoring 0; subsample 1, smoothing window 19 points, at least 20 points\n');
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(100);
    expect(lines[99].step).toBe(495);
    expect(lines.some((l) => l.params !== undefined)).toBe(true);
  });

  it('report: a TensorBoard log directory without a step log is reported on, into itself', () => {
    const dir = join(tmp, 'tb-run');
    cpSync(STRICT, dir, { recursive: true });
    const r = adomix('report', dir, ...TAGS, '--json');
    expect(r.status, shown(r)).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.out).toBe(join(dir, 'report.html'));
    expect(j.steps).toBe(100);
    expect(j.domains.map((d: { name: string }) => d.name)).toEqual(['run_1', 'run_2', 'run_3']);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('A sparse curve: 100 evaluations');
  });

  it('report --replay ado: what ADO would have done on a W&B run, its mixture and its laws, equal to adomix replay', () => {
    const all = ['--loss-columns', '^(gpt2.*) - train/loss$', '--batch', '96000'];
    const ado = ['--start-step', '50', '--refit-interval', '25', '--ignore-steps', '10'];
    const out = join(tmp, 'replayed.html');
    const r = adomix('report', NANOGPT, ...all, '--replay', 'ado', ...ado, '--out', out, '--json');
    expect(r.status, shown(r)).toBe(0);
    const j = JSON.parse(r.stdout) as { domains: { finalWeight: number; alpha: number | null }[] };
    // The import's static mixture is uniform (1/8); the report shows ADO's instead, as adomix replay gives it.
    const replay = adomix('replay', NANOGPT, ...all, ...ado);
    const lines = replay.stdout.trim().split('\n').map((l) => JSON.parse(l) as { weights: number[]; params?: ([number, number, number] | null)[] });
    const drawnLast = lines[lines.length - 2].weights; // the last step was drawn with the mixture chosen after the one before
    j.domains.forEach((d, k) => expect(d.finalWeight).toBeCloseTo(drawnLast[k], 12));
    expect(new Set(drawnLast.map((w) => w.toFixed(6))).size).toBeGreaterThan(1);
    const lastLaws = [...lines].reverse().find((l) => l.params !== undefined)!.params!;
    j.domains.forEach((d, k) => expect(d.alpha).toBe(lastLaws[k] === null ? null : lastLaws[k]![2]));
    expect(adomix('report', NANOGPT, ...all, '--start-step', '50', '--out', out).stderr).toBe('adomix: --start-step and --refit-interval apply with --replay ado\n');
  });
});
