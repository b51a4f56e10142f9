/**
 * `adomix schedule export` (the built command) on real runs: a short `adomix train` run
 * (ADO refitting every 10 steps, so its mixture moves) and an `adomix simulate` one.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adomix, adomixAsync, CLI } from '../helpers/cli.js';
import { TINY } from '../helpers/train.js';

let dir: string;
let trainRun: string;
let simRun: string;
/** The train run's step records. */
let records: { step: number; weights: number[]; count: number[] }[];

interface Summary {
  command: string;
  steplog: string;
  format: string;
  out: string;
  weights: { source: string; policy: string | null; lawUpdates: number | null };
  domains: string[];
  steps: number;
  firstStep: number;
  lastStep: number;
  stages: { stage: number; startStep: number; endStep: number; steps: number; endIteration: number; amount: number; weights: number[]; written: string[]; rms: number }[];
  boundaries: number[];
  rms: number;
  blocks: number;
  seed: number;
  seedFrom: string;
}

const lines = (path: string): string[] => readFileSync(path, 'utf8').trimEnd().split('\n');

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.json, or npm test)`);
  dir = await mkdtemp(join(tmpdir(), 'adomix-schedule-cli-'));
  const config = join(dir, 'tiny.json');
  writeFileSync(config, JSON.stringify({ ...TINY, evalEvery: 40, checkpointEvery: 0, ado: { ...TINY.ado, startStep: 10, refitInterval: 10 }, seed: 7 }));
  trainRun = join(dir, 'train');
  simRun = join(dir, 'sim');
  const [train, sim] = await Promise.all([
    adomixAsync(['train', '--config', config, '--steps', '120', '--backend', 'cpu', '--out', trainRun, '--no-progress', '--json']),
    adomixAsync(['simulate', '--scenario', 'noise-domain', '--policy', 'ado', '--steps', '1500', '--seed', '4', '--out', simRun, '--no-report', '--json']),
  ]);
  if (train.status !== 0) throw new Error(`adomix train failed: ${train.stderr}`);
  if (sim.status !== 0) throw new Error(`adomix simulate failed: ${sim.stderr}`);
  records = lines(join(trainRun, 'steps.jsonl')).slice(1).map((l) => JSON.parse(l));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function exportJson(...args: string[]): Summary {
  const r = adomix('schedule', 'export', ...args, '--json');
  expect(r.stderr).toMatch(/^adomix schedule export: /);
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Summary;
}

describe('adomix schedule export on an adomix train run', () => {
  it('compresses the logged mixture into the stages the summary reports, exactly', () => {
    const out = join(dir, 'train.csv');
    const s = exportJson(trainRun, '--format', 'csv', '--stages', '4', '--out', out);
    expect(s.command).toBe('schedule export');
    expect(s.steplog).toBe(join(trainRun, 'steps.jsonl'));
    expect(s.weights).toEqual({ source: 'log', policy: null, lawUpdates: null });
    expect(s.domains).toEqual(['code', 'prose', 'json', 'random']);
    expect([s.steps, s.firstStep, s.lastStep, s.blocks]).toEqual([120, 0, 119, 120]);
    expect([s.seed, s.seedFrom]).toEqual([7, 'config.json']);
    expect(s.stages).toHaveLength(4);
    expect(s.boundaries).toEqual(s.stages.slice(1).map((x) => x.startStep));
    // Each stage's mixture is the mean of the logged weights over its steps; the RMS is over every step.
    let sse = 0;
    for (const st of s.stages) {
      const rows = records.filter((r) => r.step >= st.startStep && r.step <= st.endStep);
      expect(rows).toHaveLength(st.steps);
      expect(st.amount).toBe(rows.length * 8);
      for (let k = 0; k < 4; k++) expect(st.weights[k]).toBeCloseTo(rows.reduce((a, r) => a + r.weights[k], 0) / rows.length, 14);
      for (const r of rows) for (let k = 0; k < 4; k++) sse += (r.weights[k] - st.weights[k]) ** 2;
      expect(st.written.reduce((a, w) => a + Math.round(Number(w) * 1e6), 0)).toBe(1e6);
    }
    expect(s.rms).toBeCloseTo(Math.sqrt(sse / 120), 14);
    // ADO's first laws take the random domain's weight down from the balanced start.
    expect(s.stages[3].weights[3]).toBeLessThan(s.stages[0].weights[3]);
    expect(lines(out)).toEqual([
      'stage,start_step,end_step,code,prose,json,random',
      ...s.stages.map((st) => [st.stage, st.startStep, st.endStep, ...st.written].join(',')),
    ]);
  });

  it('more stages fit closer; as many stages as steps give the trajectory', () => {
    const rms = [1, 2, 4, 8].map((n) => exportJson(trainRun, '--format', 'csv', '--stages', String(n), '--out', join(dir, `n${n}.csv`)).rms);
    for (let i = 1; i < rms.length; i++) expect(rms[i]).toBeLessThan(rms[i - 1]);
    const all = exportJson(trainRun, '--format', 'csv', '--stages', '500', '--decimals', '12', '--out', join(dir, 'all.csv'));
    expect(all.stages).toHaveLength(120);
    expect(all.rms).toBe(0);
    all.stages.forEach((st, t) => st.weights.forEach((w, k) => expect(w).toBeCloseTo(records[t].weights[k], 15)));
    const min = exportJson(trainRun, '--format', 'csv', '--stages', '4', '--min-steps', '25', '--out', join(dir, 'min.csv'));
    for (const st of min.stages) expect(st.steps).toBeGreaterThanOrEqual(25);
  });

  it('writes every format to --out with a summary table on stdout, or the export to stdout', () => {
    for (const [format, first] of [
      ['megatron', '#!/usr/bin/env bash'],
      ['olmo-core', '# adomix schedule export: 2 stages for OLMo-core (SourceMixtureList)'],
      ['mosaic', '# adomix schedule export: 2 stages for MosaicML streaming / llm-foundry (streams)'],
      ['hf', '# adomix schedule export: 2 stages for Hugging Face datasets (interleave_datasets)'],
      ['csv', 'stage,start_step,end_step,code,prose,json,random'],
    ]) {
      const out = join(dir, `export.${format}`);
      const r = adomix('schedule', 'export', trainRun, '--format', format, '--stages', '2', '--out', out);
      expect(r.status).toBe(0);
      expect(lines(out)[0]).toBe(first);
      expect(r.stdout).toMatch(new RegExp(`^step log  ${trainRun}/steps.jsonl\nweights   from the step log, over 120 steps \\(0–119\\)\nformat    ${format} → ${out}\n`));
      expect(r.stdout).toMatch(/\nstage {2}steps +code +prose +json +random +rms\n1 {6}0–\d+ /);
      expect(r.stderr).toMatch(new RegExp(`^adomix schedule export: 2 stages from 120 steps \\(0–119\\), weights from the step log, RMS distance [\\d.]+; ${format} → `));
      const plain = adomix('schedule', 'export', trainRun, '--format', format, '--stages', '2');
      expect(plain.status).toBe(0);
      expect(plain.stdout).toBe(readFileSync(out, 'utf8'));
    }
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const hf = readFileSync(join(dir, 'export.hf'), 'utf8');
    expect(hf).toContain('    seed=7,\n');
  });

  it('takes the dataset paths from --paths, in one option or several', () => {
    const r = adomix('schedule', 'export', trainRun, '--format', 'megatron', '--paths', 'code=/d/code_text_document,prose=/d/prose', '--paths', 'json=/d/json,random=/d/random');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^STAGE_1=\(--train-iters 120 --data-path [\d.]+ \/d\/code_text_document [\d.]+ \/d\/prose [\d.]+ \/d\/json [\d.]+ \/d\/random\)$/m);
    expect(r.stdout).not.toContain('Fill in');
    const unknown = adomix('schedule', 'export', trainRun, '--format', 'csv', '--paths', 'math=/d/math');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe('adomix: --paths: the log has no domain "math" (its domains: code, prose, json, random)\n');
    const bad = adomix('schedule', 'export', trainRun, '--format', 'csv', '--paths', 'code');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('"code" is not NAME=PATH');
    const twice = adomix('schedule', 'export', trainRun, '--format', 'csv', '--paths', 'code=/a', '--paths', 'code=/b');
    expect(twice.stderr).toContain('"code" is given twice');
  });
});

describe('adomix schedule export, replaying a log without weights', () => {
  let bare: string;
  beforeAll(() => {
    // The simulated run as another framework would log it: losses and counts, no weights.
    const src = lines(join(simRun, 'steplog.jsonl'));
    bare = join(dir, 'bare.jsonl');
    writeFileSync(bare, [src[0], ...src.slice(1).map((l) => {
      const { weights: _w, params: _p, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(rest);
    })].join('\n') + '\n');
  });

  it('replays it through ADO exactly as adomix replay does, and says so', () => {
    const s = exportJson(bare, '--format', 'csv', '--stages', '1500', '--decimals', '12', '--start-step', '300', '--refit-interval', '300', '--out', join(dir, 'replayed.csv'));
    expect(s.weights.source).toBe('replay');
    expect(s.weights.policy).toBe('ado');
    const replay = adomix('replay', bare, '--start-step', '300', '--refit-interval', '300');
    expect(replay.status).toBe(0);
    expect(replay.stderr).toContain(`1500 steps replayed with ado (steps 0–1499), ${s.weights.lawUpdates} law updates`);
    expect(s.weights.lawUpdates).toBeGreaterThan(0);
    const chosen = replay.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { step: number; weights: number[] });
    // Step t is drawn with the mixture the policy chose after step t − 1; step 0 with its initial (balanced) one.
    s.stages[0].weights.forEach((w) => expect(w).toBeCloseTo(0.25, 15));
    for (let t = 1; t < 1500; t++) s.stages[t].weights.forEach((w, k) => expect(w).toBeCloseTo(chosen[t - 1].weights[k], 14));
    const r = adomix('schedule', 'export', bare, '--format', 'csv', '--stages', '2', '--policy', 'natural');
    expect(r.stderr).toMatch(/weights replayed with natural, RMS distance 0(\.0+)?;/);
    // natural: the header's prior, every step.
    expect(r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(',').slice(3))).toEqual([
      ['0.2', '0.15', '0.15', '0.5'],
      ['0.2', '0.15', '0.15', '0.5'],
    ]);
  });

  it('gives a logged run and its replay through the same static policy the same stages', () => {
    const natural = join(dir, 'natural');
    expect(adomix('simulate', '--scenario', 'noise-domain', '--policy', 'natural', '--steps', '300', '--out', natural, '--no-report').status).toBe(0);
    const logged = exportJson(natural, '--format', 'csv', '--stages', '2', '--out', join(dir, 'nat-log.csv'));
    const replayed = exportJson(natural, '--format', 'csv', '--stages', '2', '--weights', 'replay', '--policy', 'natural', '--out', join(dir, 'nat-replay.csv'));
    expect(logged.weights.source).toBe('log');
    expect(replayed.weights).toEqual({ source: 'replay', policy: 'natural', lawUpdates: 0 });
    expect(replayed.stages.map((s) => s.written)).toEqual(logged.stages.map((s) => s.written));
  });

  it('refuses what would be ignored or cannot be', () => {
    const own = adomix('schedule', 'export', trainRun, '--format', 'csv', '--policy', 'ado');
    expect(own.status).toBe(1);
    expect(own.stderr).toContain('--policy applies to replayed weights only, and');
    expect(own.stderr).toContain('add --weights replay to replay it through a policy instead');
    const none = adomix('schedule', 'export', bare, '--format', 'csv', '--weights', 'log');
    expect(none.status).toBe(1);
    expect(none.stderr).toContain(`adomix: ${bare}: step 0 has no "weights"`);
    const flags = adomix('schedule', 'export', bare, '--format', 'csv', '--policy', 'odm', '--start-step', '5');
    expect(flags.stderr).toBe('adomix: --start-step applies to --policy ado only (got --policy odm)\n');
  });
});

describe('adomix schedule export: files', () => {
  it('refuses an --out that is the step log, a run file, a directory or a FIFO-like target, changing nothing', () => {
    const log = join(simRun, 'steplog.jsonl');
    const before = readFileSync(log, 'utf8');
    const same = adomix('schedule', 'export', simRun, '--format', 'csv', '--out', log);
    expect(same.status).toBe(1);
    expect(same.stderr).toBe(`adomix: --out ${log} is the same file as the step log ${log}; refusing to overwrite an input (choose another --out)\n`);
    const link = join(dir, 'link-to-log');
    symlinkSync(log, link);
    expect(adomix('schedule', 'export', simRun, '--format', 'csv', '--out', link).stderr).toContain('is the same file as the step log');
    expect(adomix('schedule', 'export', simRun, '--format', 'csv', '--out', join(simRun, 'sim.json')).stderr).toContain("is the same file as the run's sim.json");
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    expect(adomix('schedule', 'export', simRun, '--format', 'csv', '--out', sub).stderr).toBe(`adomix: cannot write ${sub}: it is a directory, not a regular file; refusing to replace it\n`);
    expect(readFileSync(log, 'utf8')).toBe(before);
  });

  it('writes through a symbolic link to a file, and leaves the link', () => {
    const target = join(dir, 'target.yaml');
    writeFileSync(target, 'old\n');
    const link = join(dir, 'mix.yaml');
    symlinkSync(target, link);
    expect(adomix('schedule', 'export', simRun, '--format', 'mosaic', '--out', link).status).toBe(0);
    expect(readFileSync(target, 'utf8')).toMatch(/^# adomix schedule export: 1 stage for MosaicML/);
  });

  it('names a missing input, an empty log and a bad option', () => {
    const missing = adomix('schedule', 'export', join(dir, 'nope'), '--format', 'csv');
    expect(missing.stderr).toBe(`adomix: ${join(dir, 'nope')}: no such file or directory (give a run directory, a step log, or a log adomix import reads)\n`);
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '{"adomix":"steplog/1","domains":["a","b"]}\n');
    expect(adomix('schedule', 'export', empty, '--format', 'csv').stderr).toBe(`adomix: ${empty}: the step log has a header but no steps: there is no mixture to export\n`);
    expect(adomix('schedule', 'export', simRun, '--format', 'csv', '--json').stderr).toBe('adomix: --json needs --out: without it the export itself goes to stdout\n');
    const fmt = adomix('schedule', 'export', simRun, '--format', 'deepspeed');
    expect(fmt.status).toBe(1);
    expect(fmt.stderr).toContain("error: option '--format <format>' argument 'deepspeed' is invalid. Allowed choices are megatron, olmo-core, mosaic, hf, csv.");
    expect(adomix('schedule', 'export', simRun).stderr).toContain("error: required option '--format <format>' not specified");
    expect(adomix('schedule', 'export', simRun, '--format', 'csv', '--stages', '0').stderr).toContain('It must be a positive integer.');
    const tooMany = adomix('schedule', 'export', simRun, '--format', 'csv', '--stages', '10', '--min-steps', '200');
    expect(tooMany.stderr).toBe('adomix: segmentTrajectory: 1500 steps cannot make 10 stages of at least 200 steps (at most 7)\n');
  });

  it('reads a W&B export directly (the real nanoGPT one), as adomix import would, and replays ADO on it', () => {
    const csv = new URL('../fixtures/import/nanogpt-wandb-export.csv', import.meta.url).pathname;
    // Its eight runs stand in for domains; ADO's schedule scaled to a 386-step log.
    const pattern = ['--loss-columns', '^(gpt2.*) - train/loss$', '--batch', '96000'];
    const ado = ['--weights', 'replay', '--start-step', '50', '--refit-interval', '25', '--ignore-steps', '10'];
    // The import records the static mixture the counts came from (uniform): that is what the run used, so ask for a replay.
    const direct = adomix('schedule', 'export', csv, '--format', 'csv', '--stages', '3', ...pattern, ...ado);
    expect(direct.status, direct.stderr).toBe(0);
    expect(direct.stderr).toMatch(/3 stages from 386 steps \(0–385\), weights replayed with ado \(4 law updates\)/);
    // The same stages as importing it first and exporting the step log.
    const imported = join(dir, 'nanogpt.jsonl');
    expect(adomix('import', csv, '--to', imported, ...pattern).status).toBe(0);
    const viaImport = adomix('schedule', 'export', imported, '--format', 'csv', '--stages', '3', ...ado);
    expect(direct.stdout).toBe(viaImport.stdout);
    const rows = direct.stdout.trim().split('\n').filter((l) => !l.startsWith('#'));
    expect(rows[0]).toMatch(/^stage,start_step,end_step,/);
    expect(rows).toHaveLength(4);
    expect(rows[1]).toBe('1,0,300,0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125'); // balanced until ADO's laws move it
    for (const row of rows.slice(1)) expect(row.split(',').slice(3).reduce((a, b) => a + Number(b), 0)).toBeCloseTo(1, 9);
    // Export's own --format and --weights stay its own; the input's are renamed.
    const wrong = adomix('schedule', 'export', csv, '--format', 'csv', '--input-format', 'tensorboard', ...pattern);
    expect(wrong.status).toBe(1);
  });

  it('reads a TensorBoard log directory (real event files) directly, a sparse curve replayed one evaluation a step', () => {
    const tb = new URL('../fixtures/import/tensorboard-reducer/strict', import.meta.url).pathname;
    const r = adomix('schedule', 'export', tb, '--format', 'csv', '--stages', '2', '--loss-tags', '(run_\\d)/strict/foo', '--batch', '32', '--weights', 'replay');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^adomix schedule export: 2 stages from 496 steps \(0–495\), weights replayed with ado \(\d+ law updates\)/);
    const rows = r.stdout.trim().split('\n').filter((l) => !l.startsWith('#'));
    expect(rows[0]).toBe('stage,start_step,end_step,run_1,run_2,run_3');
    expect(rows).toHaveLength(3);
  });
});
