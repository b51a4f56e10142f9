/** Which reader an input gets, and why (what the commands print). */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { detectInput } from '../../src/import/detect.js';
import { readLog } from '../../src/import/readLog.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));
const RUN_1 = fixture('tensorboard-reducer/strict/run_1/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.0');
const tmp = mkdtempSync(join(tmpdir(), 'adomix-detect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe('detectInput', () => {
  it('from a directory, a file name, an extension, a header row', async () => {
    expect(await detectInput(fixture('tensorboard-reducer'))).toEqual({ format: 'tensorboard', reason: 'a directory: a TensorBoard log directory' });
    expect((await detectInput(RUN_1)).format).toBe('tensorboard');
    expect((await detectInput(file('runs.tsv', 'step\tloss/a\n'))).format).toBe('tsv');
    expect(await detectInput(fixture('nanogpt-wandb-export.csv'))).toEqual({ format: 'csv', reason: "a .csv file whose header row is not a step log's" });
    expect(await detectInput(file('log.csv', 'step,domain,loss,count\n0,a,1,1\n'))).toEqual({ format: 'steplog-csv', reason: 'a .csv file with a step-log header row' });
    expect(await detectInput(file('run.jsonl', 'anything'))).toEqual({ format: 'steplog', reason: 'a .jsonl file' });
  });

  it('from the first bytes of a file with another name', async () => {
    const tb = join(tmp, 'renamed.bin');
    copyFileSync(RUN_1, tb);
    expect(await detectInput(tb)).toEqual({ format: 'tensorboard', reason: 'it starts with a TFRecord header: a TensorBoard event file' });
    expect((await detectInput(file('run.log', '{"adomix":"steplog/1","domains":["a"]}\n'))).format).toBe('steplog');
    expect((await detectInput(file('export.txt', 'Step,loss_a\n0,1\n'))).format).toBe('csv');
    expect((await detectInput(file('export2.txt', 'Step\tloss_a\n0\t1\n'))).format).toBe('tsv');
  });

  it('--format wins over detection', async () => {
    expect(await detectInput(file('x.csv', 'a,b\n'), 'tsv')).toEqual({ format: 'tsv', reason: '--format tsv' });
    expect((await detectInput(fixture('nanogpt-wandb-export.csv'), 'steplog')).format).toBe('steplog-csv');
  });

  it('refuses options that a step log would ignore, and the other format\'s options', async () => {
    const log = file('ok.jsonl', '{"adomix":"steplog/1","domains":["a"]}\n{"step":0,"loss":[1],"count":[1]}\n');
    await expect(readLog(log, { lossColumns: '(.*)', batch: 2 })).rejects.toThrow(`${log} is a step log (a .jsonl file): --loss-columns, --batch apply only to logs from other loggers`);
    await expect(readLog(fixture('nanogpt-wandb-export.csv'), { lossTags: '(.*)', batch: 1 })).rejects.toThrow(/is a wide CSV .*--loss-tags and --count-tags are for TensorBoard; use --loss-columns and --count-columns/);
    await expect(readLog(RUN_1, { lossColumns: '(.*)', batch: 1 })).rejects.toThrow(/is TensorBoard .*--loss-columns, --count-columns, --step-column and --tokens-column are for CSV\/TSV; use --loss-tags and --count-tags/);
  });
});
