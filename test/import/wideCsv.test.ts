/**
 * Wide CSV/TSV: a real W&B chart export (train/loss of eight nanoGPT runs, from
 * druidowm/nanoGPT, MIT; see test/fixtures/import/README.md), a synthetic file of bad
 * cells, and W&B-history-style tables written here.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fitDomains } from '../../src/curves/index.js';
import { readLog } from '../../src/import/readLog.js';
import { parseWideCsv, readWideCsv } from '../../src/import/wideCsv.js';
import { toDomainHistory } from '../../src/runlog/index.js';
import { evalHistoryCsv } from './syntheticHistory.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));
const NANOGPT = fixture('nanogpt-wandb-export.csv');
const BAD = fixture('synthetic/bad-numbers.csv');

describe('a real W&B chart export (nanoGPT train/loss, eight runs)', () => {
  it('reads the step column, one domain per run, leaves the __MIN/__MAX bands out, and empty cells unmeasured', async () => {
    const r = await readWideCsv(NANOGPT, { lossColumns: '^(.*) - train/loss$' });
    expect(r.stepColumn).toBe('Step');
    expect(r.bandColumns).toBe(16);
    expect(r.rows).toBe(386);
    expect(r.table.domains).toHaveLength(8);
    expect(r.table.domains[5]).toBe('gpt2');
    expect(Array.from(r.table.step.subarray(0, 3))).toEqual([0, 1, 2]);
    expect(r.table.step[385]).toBe(385);
    const gpt2 = r.table.loss[5];
    expect([gpt2[0], gpt2[1], gpt2[385]]).toEqual([10.95404052734375, 6.684843063354492, 3.2849113941192627]);
    // the first run stopped after step 50: its later cells are empty, i.e. not measured
    const first = r.table.loss[0];
    expect(first[0]).toBe(25.48284149169922);
    expect(first[50]).toBe(3.7747888565063477);
    expect(first.subarray(51).every((x) => Number.isNaN(x))).toBe(true);
  });

  it('becomes a dense step log whose domains are absent after their run ended, and a law is fitted to it', async () => {
    // nanoGPT logs to W&B every eval_interval = 200 iterations of 12 × 40 sequences: 96,000 per W&B step.
    const { log, imported } = await readLog(NANOGPT, { lossColumns: '^(gpt2) - train/loss$', batch: 96_000 });
    expect(imported!.description).toBe(
      `wide CSV (a .csv file whose header row is not a step log's): step column "Step", 1 domain from --loss-columns '^(gpt2) - train/loss$' (16 W&B __MIN/__MAX columns left out); counts: batch 96000 examples per step × uniform weights; 386 rows → 386 steps (dense)`,
    );
    expect(log.header).toEqual({ adomix: 'steplog/1', domains: ['gpt2'], unit: 'examples', prior: [1] });
    expect(log.records[0]).toEqual({ step: 0, loss: [10.95404052734375], count: [96_000], weights: [1] });
    const [fit] = fitDomains(toDomainHistory(log), { ignoreSteps: 10 });
    expect(fit.ok).toBe(true);
    if (!fit.ok) return;
    expect(fit.fit.points).toBe(38);
    expect(fit.fit.converged).toBe(true);
    // a falling curve that levels off near 3: ε below the last loss, a positive exponent
    expect(fit.fit.epsilon).toBeGreaterThan(2);
    expect(fit.fit.epsilon).toBeLessThan(3.3);
    expect(fit.fit.alpha).toBeGreaterThan(0.05);
    const all = await readLog(NANOGPT, { lossColumns: '^(.*) - train/loss$', batch: 96_000 });
    const last = all.log.records[385];
    expect(last.loss.filter((l) => l !== null)).toEqual([3.2849113941192627]);
  });

  it('asks for --loss-columns, listing the columns, and refuses a pattern without a group', async () => {
    await expect(readWideCsv(NANOGPT, {})).rejects.toThrow(/nanogpt-wandb-export\.csv:1: which columns are losses\? give --loss-columns PATTERN .*columns: "Step", "gpt2_last_char_to_char1729642919\.4054031 - train\/loss"/);
    await expect(readWideCsv(NANOGPT, { lossColumns: 'train/loss' })).rejects.toThrow(`--loss-columns "train/loss" has no capture group: put the part that names the domain in parentheses, e.g. 'train/loss_(.*)'`);
    await expect(readWideCsv(NANOGPT, { lossColumns: '(gpt2' })).rejects.toThrow(/--loss-columns "\(gpt2" is not a regular expression/);
    await expect(readWideCsv(NANOGPT, { lossColumns: '(train)/loss' })).rejects.toThrow(/columns "gpt2_last_char_to_char1729642919\.4054031 - train\/loss" and "gpt2_augmented.* - train\/loss" both give domain "train"/);
  });
});

describe('bad cells name file, line and column', () => {
  it('stops at the first bad row', async () => {
    await expect(readWideCsv(BAD, { lossColumns: 'train/loss_(.*)' })).rejects.toThrow(`${BAD}:4: column "train/loss_code": "abc" is not a number`);
  });

  it('with skipBad, skips each bad row on its own and says why', async () => {
    const r = await readWideCsv(BAD, { lossColumns: 'train/loss_(.*)', skipBad: true });
    expect(r.stepColumn).toBe('trainer/global_step');
    expect(r.skippedLines.map((s) => s.message.slice(BAD.length + 1))).toEqual([
      '4: column "train/loss_code": "abc" is not a number',
      '5: column "train/loss_prose": -0.5 is negative (a loss must be ≥ 0)',
      '6: column "train/loss_prose": "inf" is not a finite number',
      '7: expected 5 cells (as the header has), got 4',
      '8: unterminated quote (cells cannot hold line breaks)',
      '9: column "trainer/global_step": step 1 comes after step 2 (line 3): rows must be in step order',
    ]);
    expect(Array.from(r.table.step)).toEqual([1, 2, 8]);
    const { log, imported } = await readLog(BAD, { lossColumns: 'train/loss_(.*)', batch: 10, skipBad: true });
    expect(log.skipped).toBe(6);
    expect(imported!.notes[0]).toMatch(/^skipped 6 bad rows \(first: .*bad-numbers\.csv:4: column "train\/loss_code": "abc" is not a number\)$/);
    expect(log.records.map((x) => x.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(log.records[7].count).toEqual([30, 30]); // steps 6–8 were trained: 3 × 10 × ½ each
  });

  it('checks steps, counts and tokens too', () => {
    const parse = (text: string, o: Record<string, string> = {}) => () => parseWideCsv(text, { file: 'runs.csv', lossColumns: 'loss/(.*)', ...o });
    expect(parse('step,loss/a\n1.5,2\n')).toThrow('runs.csv:2: column "step": "1.5" is not a step (a non-negative integer); choose the step column with --step-column');
    expect(parse('step,loss/a\n,2\n')).toThrow('runs.csv:2: column "step" is empty, but column "loss/a" has a loss: a loss needs its step');
    expect(parse('step,loss/a\n1,2\n1,3\n')).toThrow('runs.csv:3: step 1 already has a loss for domain "a" (line 2)');
    expect(parse('x,loss/a\n1,2\n')).toThrow(/runs\.csv:1: no step column: none of trainer\/global_step, global_step, step, Step, _step, iter, iteration is a column/);
    expect(parse('step,loss/a\n1,2\n', { stepColumn: 'it' })).toThrow('runs.csv:1: --step-column "it" is not a column (columns: "step", "loss/a")');
    expect(parse('step,loss/a,count/a\n1,2,-1\n', { countColumns: 'count/(.*)' })).toThrow('runs.csv:2: column "count/a": -1 is negative (a count must be ≥ 0)');
    expect(parse('step,loss/a,loss/b,count/a\n1,2,2,1\n', { countColumns: 'count/(.*)' })).toThrow('runs.csv:1: --count-columns "count/(.*)" gives no count column for domain b');
    expect(parse('tok,loss/a\n100,2\n50,1\n', { tokensColumn: 'tok' })).toThrow('runs.csv:3: column "tok": 50 is less than 100 on line 2 (the tokens column counts all tokens so far, so it cannot decrease)');
  });
});

describe('W&B history exports: train and eval rows, sparse evaluations', () => {
  it('merges the rows of one step and makes one record per evaluation carrying 200 steps of examples', () => {
    const r = parseWideCsv(evalHistoryCsv(), { file: 'history.csv', lossColumns: '^eval/loss_(.*)$' });
    expect(r.stepColumn).toBe('trainer/global_step');
    expect(r.rows).toBe(4800);
    expect(r.table.domains).toEqual(['code', 'prose']);
  });

  it('a law fitted on the sparse log recovers the true one', async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'adomix-wide-'));
    try {
      const path = join(dir, 'history.tsv');
      writeFileSync(path, evalHistoryCsv('\t'));
      const { log, detected, imported } = await readLog(path, { lossColumns: '^eval/loss_(.*)$', batch: 64, weights: 'code=0.5,prose=0.5' });
      expect(detected.format).toBe('tsv');
      expect(log.header.sparse).toBe(true);
      expect(log.records).toHaveLength(24);
      expect(log.records[0]).toMatchObject({ step: 200, count: [6400, 6400] });
      expect(log.records[1]).toMatchObject({ step: 400, count: [6400, 6400] });
      expect(imported!.description).toMatch(/4800 rows → sparse curve: 24 evaluations, median gap 200 steps$/);
      const history_ = toDomainHistory(log);
      const fits = fitDomains(history_, { subsample: 1, window: 5, minPoints: 10 });
      const [code, prose] = fits.map((f) => (f.ok ? f.fit : undefined));
      expect(code!.epsilon).toBeCloseTo(1.2, 1);
      expect(code!.alpha).toBeCloseTo(0.4, 1);
      expect(prose!.epsilon).toBeCloseTo(2.1, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
