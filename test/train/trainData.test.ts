/**
 * `adomix train --data` end to end (built CLI, wasm backend) on real files that installed
 * packages ship: a data folder of two domains, the char MLP and a tiny GPT, exact resume
 * after SIGTERM, and the refusals (changed corpus, flags that do not apply).
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStepLog } from '../../src/runlog/index.js';
import { adomixAsync, adomixChild } from '../helpers/cli.js';

let dir: string;
let data: string;
const ENV = { ADOMIX_BACKEND: '' };
const GPT = ['--model', 'gpt', '--context', '16', '--layers', '1', '--heads', '2', '--width', '16'];
const SMALL = ['--backend', 'wasm', '--no-progress', '--batch-size', '8', '--eval-every', '5', '--checkpoint-every', '5'];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'adomix-train-data-'));
  data = join(dir, 'data');
  // Two real domains: commander's JavaScript sources and pino's Markdown documentation.
  mkdirSync(join(data, 'code'), { recursive: true });
  mkdirSync(join(data, 'docs'), { recursive: true });
  for (const f of readdirSync('node_modules/commander/lib')) cpSync(join('node_modules/commander/lib', f), join(data, 'code', `${f}.txt`));
  for (const f of ['api.md', 'transports.md', 'child-loggers.md']) cpSync(join('node_modules/pino/docs', f), join(data, 'docs', f));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('adomix train --data', () => {
  it("trains the char MLP and a GPT on a folder of real files; the prior is each domain's share of the training tokens", async () => {
    const [mlp, gpt, byFiles] = await Promise.all([
      adomixAsync(['train', '--data', data, '--steps', '10', '--out', join(dir, 'mlp'), '--json', ...SMALL], ENV),
      adomixAsync(['train', '--data', data, '--steps', '10', '--out', join(dir, 'gpt'), '--json', ...GPT, ...SMALL], ENV),
      adomixAsync(['train', '--data', data, '--held-out-files', '0.5', '--steps', '2', '--out', join(dir, 'files'), '--json', ...SMALL], ENV),
    ]);
    for (const r of [mlp, gpt, byFiles]) expect(r.status, r.stderr).toBe(0);
    // --held-out-files: the prior is the share of the files that train (drawn by path hash, data/heldOutFiles.ts).
    const trains = (sub: string) => readdirSync(join(data, sub)).filter((f) => createHash('sha256').update(`${sub}/${f}`).digest().readUInt32BE(0) / 2 ** 32 >= 0.5);
    const trainBytes = (sub: string) => trains(sub).reduce((n, f) => n + readFileSync(join(data, sub, f)).length, 0);
    expect(trains('code').length).toBeGreaterThan(0);
    expect(JSON.parse(byFiles.stdout).domains[0].natural).toBeCloseTo(trainBytes('code') / (trainBytes('code') + trainBytes('docs')), 12);
    expect(JSON.parse(readFileSync(join(dir, 'files', 'config.json'), 'utf8')).data.heldOutFiles).toBe(0.5);
    const m = JSON.parse(mlp.stdout);
    const g = JSON.parse(gpt.stdout);
    expect(m.domains.map((d: { name: string }) => d.name)).toEqual(['code', 'docs']);
    expect(g).toMatchObject({ steps: 10, lossUnit: 'byte', stopped: 'done' });
    // GPT: vocabulary 256, context 16, width 16, one block: 256·16 + 16·16 + (12·16² + 13·16) + 2·16.
    expect(g.parameters).toBe(256 * 16 + 16 * 16 + 12 * 16 * 16 + 13 * 16 + 2 * 16);
    const bytes = (sub: string) => readdirSync(join(data, sub)).reduce((n, f) => n + readFileSync(join(data, sub, f)).length, 0);
    const share = bytes('code') / (bytes('code') + bytes('docs'));
    // The held-out tail (1 %) is not training data: the shares match to about that.
    expect(Math.abs(g.domains[0].natural - share)).toBeLessThan(0.01);
    for (const r of [m, g]) for (const d of r.domains) expect(d.heldOut).toBeGreaterThan(0);
    const log = await readStepLog(join(dir, 'gpt', 'steps.jsonl'));
    expect(log.header.prior![0]).toBeCloseTo(g.domains[0].natural, 12);
    expect(log.records.every((r) => r.count.reduce((a, b) => a + b, 0) === 8)).toBe(true);
    expect(existsSync(join(data, '.adomix-cache', 'index.json'))).toBe(true);
  });

  it('a GPT run stopped by SIGTERM resumes to exactly the uninterrupted run; a changed corpus is refused', async () => {
    const straight = join(dir, 'straight');
    const args = ['train', '--data', data, '--steps', '80', ...GPT, ...SMALL];
    expect((await adomixAsync([...args, '--out', straight], ENV)).status).toBe(0);
    const out = join(dir, 'stopped');
    const run = adomixChild([...args, '--out', out], ENV);
    for (let i = 0; i < 3000 && !existsSync(join(out, 'checkpoint.json')); i++) await new Promise((r) => setTimeout(r, 10));
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.status).toBe(143);
    expect(JSON.parse(readFileSync(join(out, 'checkpoint.json'), 'utf8')).meta.training.step).toBeLessThan(79);
    expect((await adomixAsync(['train', '--resume', out, '--no-progress'], ENV)).status).toBe(0);
    expect(readFileSync(join(out, 'steps.jsonl'), 'utf8')).toBe(readFileSync(join(straight, 'steps.jsonl'), 'utf8'));
    const weights = (d: string) => readdirSync(d).find((f) => f.startsWith('weights-'))!;
    expect(readFileSync(join(out, weights(out))).equals(readFileSync(join(straight, weights(straight))))).toBe(true);

    appendFileSync(join(data, 'docs', 'api.md'), '\nOne more line.\n');
    const changed = await adomixAsync(['train', '--resume', straight, '--steps', '90', '--no-progress'], ENV);
    expect(changed.status).toBe(1);
    expect(changed.stderr).toMatch(/was made by a run set up differently: corpusTokensSha256 is "[0-9a-f]{64}" in one and "[0-9a-f]{64}" in the other/);
  });

  it('--skip-bad-lines trains past JSONL lines without the text field and says how many it skipped', async () => {
    const jl = join(dir, 'jsonl');
    mkdirSync(join(jl, 'notes'), { recursive: true });
    mkdirSync(join(jl, 'docs'), { recursive: true });
    const lines = readFileSync('node_modules/pino/docs/api.md', 'utf8').split('\n\n').map((text) => JSON.stringify({ text }));
    writeFileSync(join(jl, 'notes', 'a.jsonl'), [...lines.slice(0, 40), '{"body":"no text field"}', ...lines.slice(40)].join('\n'));
    cpSync('node_modules/pino/docs/transports.md', join(jl, 'docs', 'transports.md'));
    const strict = await adomixAsync(['train', '--data', jl, '--steps', '2', '--out', join(dir, 'j1'), ...SMALL], ENV);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain(`${join(jl, 'notes', 'a.jsonl')}:41: no field "text" (its fields: "body")`);
    const skip = await adomixAsync(['train', '--data', jl, '--skip-bad-lines', '--steps', '2', '--out', join(dir, 'j2'), ...SMALL], ENV);
    expect(skip.status, skip.stderr).toBe(0);
    expect(skip.stderr).toContain('adomix train: skipped lines without usable text (--skip-bad-lines): notes 1');
  });

  it('says what is wrong with corpus and model flags, before anything is written', async () => {
    const tiny = join(dir, 'tiny');
    mkdirSync(join(tiny, 'a'), { recursive: true });
    writeFileSync(join(tiny, 'a', 'x.txt'), 'too short');
    const [noData, small, resumeFlag, kind] = await Promise.all([
      adomixAsync(['train', '--tokenizer', 'gpt2', '--out', join(dir, 'x1')], ENV),
      adomixAsync(['train', '--data', tiny, ...GPT, '--out', join(dir, 'x2'), '--backend', 'wasm'], ENV),
      adomixAsync(['train', '--resume', join(dir, 'gpt'), '--model', 'mlp'], ENV),
      adomixAsync(['train', '--heads', '3', '--width', '16', '--model', 'gpt', '--out', join(dir, 'x3')], ENV),
    ]);
    expect(noData.stderr).toContain('adomix: --tokenizer applies to a corpus on disk: give --data PATH (or data.path in the config)');
    expect(small.stderr).toContain('domain "a" has 9 tokens');
    expect(resumeFlag.stderr).toContain("--model cannot be changed when resuming (the run's config.json holds it)");
    expect(kind.stderr).toContain('model.width: width must be a multiple of heads');
    for (const r of [noData, small, resumeFlag, kind]) expect(r.status).toBe(1);
    for (const d of ['x1', 'x2', 'x3']) expect(existsSync(join(dir, d))).toBe(false);
  });
});
