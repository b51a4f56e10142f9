/**
 * TensorBoard event files: real ones written by PyTorch's SummaryWriter (the test data of
 * janosh/tensorboard-reducer, MIT; see test/fixtures/import/README.md), copies of them
 * corrupted on purpose, and small TF2-style files (tensor scalars) written here.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeEvent, type TbEvent } from '../../src/import/tensorboardProto.js';
import { eventFilesOf, readTensorBoard } from '../../src/import/tensorboard.js';
import { frameTfRecord, TfRecordReader } from '../../src/import/tfrecord.js';
import { readLog } from '../../src/import/readLog.js';

const ROOT = fileURLToPath(new URL('../fixtures/import/tensorboard-reducer/', import.meta.url));
const STRICT = join(ROOT, 'strict');
const RUN_1 = join(STRICT, 'run_1', 'events.out.tfevents.1622543341.janoshs-mbp.lan.86862.0');
const tmp = mkdtempSync(join(tmpdir(), 'adomix-tb-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Byte offsets of every record of a file. */
async function offsets(path: string): Promise<number[]> {
  const reader = await TfRecordReader.open(path);
  const out: number[] = [];
  for (let r = await reader.next(); r !== undefined; r = await reader.next()) out.push(r.offset);
  await reader.close();
  return out;
}

/** A copy of run_1 in its own directory, changed by `edit`. */
function corruptCopy(name: string, edit: (bytes: Buffer) => Buffer | void): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, basename(RUN_1));
  const bytes = readFileSync(RUN_1);
  writeFileSync(path, edit(bytes) ?? bytes);
  return path;
}

const mean = (xs: Float64Array): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('real event files (PyTorch SummaryWriter, simple_value scalars)', () => {
  it('reads the three strict runs: 100 values each at steps 0, 5, …, 495, with the means tensorboard-reducer publishes', async () => {
    const r = await readTensorBoard(STRICT, { lossTags: '^(run_\\d)/strict/foo$' });
    expect(r.files.map((f) => f.slice(STRICT.length + 1).split('/')[0])).toEqual(['run_1', 'run_2', 'run_3']);
    expect(r.records).toBe(303); // a file_version event, then 100 scalars, per file
    expect(r.values).toBe(300);
    expect(r.table.domains).toEqual(['run_1', 'run_2', 'run_3']);
    expect(Array.from(r.table.step)).toEqual(Array.from({ length: 100 }, (_, i) => 5 * i));
    // tests/test_load.py of tensorboard-reducer: column means [1.488, 2.459, 3.481].
    expect(r.table.loss.map((l) => Number(mean(l).toFixed(3)))).toEqual([1.488, 2.459, 3.481]);
    expect(r.table.loss[0][0]).toBe(1.4962565898895264);
    expect(r.table.loss[2][99]).toBeCloseTo(3.2, 0);
  });

  it('names a series by its directory and tag, and lists the scalar tags when no --loss-tags is given', async () => {
    await expect(readTensorBoard(STRICT, {})).rejects.toThrow(/which tags are losses\? give --loss-tags PATTERN .*the scalar tags: "run_1\/strict\/foo", "run_2\/strict\/foo", "run_3\/strict\/foo"/);
    await expect(readTensorBoard(STRICT, { lossTags: 'nothing/(.*)' })).rejects.toThrow(/--loss-tags "nothing\/\(\.\*\)" matches no scalar tag \(tags: "run_1\/strict\/foo"/);
    const one = await readTensorBoard(RUN_1, { lossTags: 'strict/(foo)' });
    expect(one.table.domains).toEqual(['foo']);
  });

  it('a run that logged steps twice keeps the later values and counts the replacements', async () => {
    const r = await readTensorBoard(join(ROOT, 'duplicate_steps'), { lossTags: 'dup_steps/(.*)' });
    // _generate_test_data.py: steps 0–99, then 90–199 again, for foo and bar.
    expect(r.table.domains).toEqual(['foo', 'bar']);
    expect(r.table.step.length).toBe(200);
    expect(r.values).toBe(420);
    expect(r.replaced).toBe(20);
  });

  it('consecutive steps make a dense step log; steps every 5 a sparse one', async () => {
    const lax = await readLog(join(ROOT, 'lax'), { lossTags: 'lax/(foo|bar_\\d)', batch: 30 });
    expect(lax.detected.format).toBe('tensorboard');
    expect(lax.log.header.sparse).toBeUndefined();
    expect(lax.log.header.domains).toEqual(['foo', 'bar_1', 'bar_2']);
    expect(lax.log.records.length).toBe(110);
    expect(lax.log.records[1].count).toEqual([10, 10, 10]);
    const strict = await readLog(STRICT, { lossTags: '(run_\\d)/strict/foo', batch: 30 });
    expect(strict.log.header.sparse).toBe(true);
    expect(strict.log.records.map((r) => r.step).slice(0, 3)).toEqual([0, 5, 10]);
    // step 0 covers one step (10 examples per domain), each later evaluation 5 steps.
    expect(strict.log.records[0].count).toEqual([10, 10, 10]);
    expect(strict.log.records[1].count).toEqual([50, 50, 50]);
    expect(strict.imported!.description).toMatch(/3 event files, 303 records, 3 domains .* → sparse curve: 100 evaluations, median gap 5 steps/);
  });

  it('finds event files recursively, in path order', async () => {
    const files = await eventFilesOf(ROOT);
    expect(files.map((f) => f.slice(ROOT.length))).toEqual([
      'duplicate_steps/run_1/events.out.tfevents.1622966509.janoshs-mbp.lan.86059.0',
      'lax/run_1/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.3',
      'strict/run_1/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.0',
      'strict/run_2/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.1',
      'strict/run_3/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.2',
    ]);
  });
});

describe('corrupt records', () => {
  it('a bad data checksum names the file and the byte offset; --skip-bad skips that record and reads on', async () => {
    const at = (await offsets(RUN_1))[10];
    const path = corruptCopy('data-crc', (b) => {
      b[at + 12 + 3] ^= 0xff; // a byte of record 10's data
    });
    await expect(readTensorBoard(path, { lossTags: 'strict/(foo)' })).rejects.toThrow(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: byte ${at}: record data checksum mismatch \\(stored 0x[0-9A-F]{8}, computed 0x[0-9A-F]{8}\\) in its \\d+ bytes$`),
    );
    const r = await readTensorBoard(path, { lossTags: 'strict/(foo)', skipBad: true });
    expect(r.skipped).toBe(1);
    expect(r.skippedLines[0].message).toContain(`byte ${at}: record data checksum mismatch`);
    expect(r.table.step.length).toBe(99);
    expect(Array.from(r.table.step)).not.toContain(45); // record 10 held step 45 (record 0 is the file version)
  });

  it('a bad length checksum cannot be resynchronised from: with --skip-bad the rest of the file is one bad record', async () => {
    const all = await offsets(RUN_1);
    const at = all[10];
    const path = corruptCopy('length-crc', (b) => {
      b[at] ^= 0x01;
    });
    await expect(readTensorBoard(path, { lossTags: 'strict/(foo)' })).rejects.toThrow(`${path}: byte ${at}: record length checksum mismatch`);
    const r = await readTensorBoard(path, { lossTags: 'strict/(foo)', skipBad: true });
    expect(r.skipped).toBe(1);
    expect(r.skippedLines[0].message).toMatch(new RegExp(`byte ${at}: record length checksum mismatch .*the remaining ${4912 - at} bytes of the file cannot be read \\(TFRecord has no marker to resynchronise on\\)`));
    expect(r.table.step.length).toBe(9);
  });

  it('a truncated file (still being written) names the offset of the cut record', async () => {
    const at = (await offsets(RUN_1))[50];
    const path = corruptCopy('truncated', (b) => b.subarray(0, at + 20));
    await expect(readTensorBoard(path, { lossTags: 'strict/(foo)' })).rejects.toThrow(
      `${path}: byte ${at}: truncated record: its 33 bytes of data and 4 of checksum run past the end of the file (8 bytes left; a file still being written?); the remaining 20 bytes of the file cannot be read`,
    );
    const header = corruptCopy('truncated-header', (b) => b.subarray(0, at + 5));
    await expect(readTensorBoard(header, { lossTags: 'strict/(foo)' })).rejects.toThrow(`${header}: byte ${at}: truncated record: the file ends 5 bytes into a 12-byte record header`);
    const r = await readTensorBoard(path, { lossTags: 'strict/(foo)', skipBad: true });
    expect([r.skipped, r.table.step.length]).toEqual([1, 49]);
  });

  it('a file that is no TFRecord fails at byte 0, and says so', async () => {
    const path = join(tmp, 'events.out.tfevents.not-one');
    writeFileSync(path, 'step,loss\n0,1\n');
    await expect(readTensorBoard(path, { lossTags: '(.*)' })).rejects.toThrow(/byte 0: .*\(is it a TensorBoard event file at all\?\)/);
  });

  it('a record that is not an Event is a bad record', async () => {
    const path = join(tmp, 'events.out.tfevents.garbage');
    writeFileSync(path, Buffer.concat([frameTfRecord(encodeEvent({ wall_time: 1, file_version: 'brain.Event:2' })), frameTfRecord(Buffer.from([0x0a, 0xff, 0xff]))]));
    await expect(readTensorBoard(path, { lossTags: '(.*)' })).rejects.toThrow(/byte \d+: not a valid Event protobuf/);
  });
});

describe('TF2-style tensor scalars (written here with the same messages)', () => {
  const value = (tag: string, v: Record<string, unknown>): Record<string, unknown> => ({ tag, ...v, metadata: { plugin_data: { plugin_name: 'scalars' } } });
  const float32 = (x: number): Uint8Array => new Uint8Array(new Float32Array([x]).buffer);
  const events: TbEvent[] = [
    { wall_time: 1, file_version: 'brain.Event:2' },
    { wall_time: 2, step: 0, summary: { value: [value('loss/code', { tensor: { dtype: 1, tensor_shape: {}, float_val: [2.5] } })] } } as TbEvent,
    { wall_time: 3, step: 1, summary: { value: [value('loss/code', { tensor: { dtype: 1, tensor_shape: {}, tensor_content: float32(2.25) } })] } } as TbEvent,
    { wall_time: 4, step: 2, summary: { value: [value('loss/code', { tensor: { dtype: 2, tensor_shape: {}, double_val: [2.125] } })] } } as TbEvent,
    { wall_time: 5, step: 3, summary: { value: [value('loss/code', { tensor: { dtype: 19, tensor_shape: {}, half_val: [0x4000] } })] } } as TbEvent, // 2.0 in binary16
    { wall_time: 6, step: 4, summary: { value: [value('loss/code', { simple_value: 1.5 })] } } as TbEvent,
  ];

  it('reads float_val, tensor_content, double_val, half_val and simple_value alike', async () => {
    const dir = join(tmp, 'tf2');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'events.out.tfevents.1.host.v2'), Buffer.concat(events.map((e) => frameTfRecord(encodeEvent(e)))));
    const r = await readTensorBoard(dir, { lossTags: 'loss/(.*)' });
    expect(Array.from(r.table.loss[0])).toEqual([2.5, 2.25, 2.125, 2, 1.5]);
  });

  it('a matched tag that is not a scalar is an error naming it', async () => {
    const path = join(tmp, 'events.out.tfevents.histo');
    const histo = { wall_time: 2, step: 7, summary: { value: [{ tag: 'loss/code', histo: new Uint8Array([9, 0, 0, 0, 0, 0, 0, 0, 0]) }] } } as unknown as TbEvent;
    const vector = { wall_time: 2, step: 8, summary: { value: [value('loss/prose', { tensor: { dtype: 1, tensor_shape: { dim: [{ size: 3 }] }, float_val: [1, 2, 3] } })] } } as TbEvent;
    writeFileSync(path, Buffer.concat([frameTfRecord(encodeEvent(histo)), frameTfRecord(encodeEvent(vector))]));
    await expect(readTensorBoard(path, { lossTags: 'loss/(code)' })).rejects.toThrow(/byte 0: tag "loss\/code" at step 7 holds a histogram, not a scalar; narrow --loss-tags to scalar tags/);
    await expect(readTensorBoard(path, { lossTags: 'loss/(prose)' })).rejects.toThrow(/tag "loss\/prose" at step 8 holds a tensor of shape \[3\], not a scalar/);
  });

  it('copies of real files in one directory are read like a log directory', async () => {
    const dir = join(tmp, 'copies', 'train');
    mkdirSync(dir, { recursive: true });
    copyFileSync(RUN_1, join(dir, basename(RUN_1)));
    const r = await readTensorBoard(join(tmp, 'copies'), { lossTags: '^train/strict/(foo)$' });
    expect(r.table.domains).toEqual(['foo']);
  });
});
