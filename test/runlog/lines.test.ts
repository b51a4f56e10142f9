import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LineSource, formatBytes } from '../../src/runlog/lines.js';
import { readStepLog, readStepLogCsv } from '../../src/runlog/index.js';

const dir = mkdtempSync(join(tmpdir(), 'adomix-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function allLines(path: string, maxLineBytes?: number): Promise<(string | null)[]> {
  const src = new LineSource(path, { maxLineBytes });
  const out: (string | null)[] = [];
  try {
    for (let l = await src.next(); l !== undefined; l = await src.next()) out.push(l);
  } finally {
    src.close();
  }
  return out;
}

describe('LineSource', () => {
  it('splits lines across chunk boundaries, keeps multi-byte characters whole, has no phantom last line', async () => {
    const long = 'é'.repeat(70_000); // 140,000 bytes: crosses several 64 KiB chunks
    const path = join(dir, 'a.txt');
    writeFileSync(path, `first\n${long}\n\nlast`);
    expect(await allLines(path)).toEqual(['first', long, '', 'last']);
    writeFileSync(path, 'one\ntwo\n');
    expect(await allLines(path)).toEqual(['one', 'two']);
    writeFileSync(path, '');
    expect(await allLines(path)).toEqual([]);
  });

  it('answers null for a line over the limit, skips its bytes, and goes on', async () => {
    const path = join(dir, 'b.txt');
    writeFileSync(path, `ok\n${'x'.repeat(200_000)}\nafter\n${'y'.repeat(1001)}`);
    const src = new LineSource(path, { maxLineBytes: 1000 });
    expect(await src.next()).toBe('ok');
    expect(await src.next()).toBeNull();
    expect(src.lineNo).toBe(2);
    expect(await src.next()).toBe('after');
    expect(await src.next()).toBeNull();
    expect(await src.next()).toBeUndefined();
    src.close();
    expect(() => new LineSource(path, { maxLineBytes: 0 })).toThrow('maxLineBytes must be a positive integer, got 0');
    expect(formatBytes(64 * 1024 * 1024)).toBe('64 MiB');
  });

  it('reads a pipe in order', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `printf 'a\\nb\\n' > ${fifo}`]);
    const exited = new Promise((r) => writer.on('exit', r));
    expect(await allLines(fifo)).toEqual(['a', 'b']);
    await exited;
  });

  it('ends early when its signal is aborted, even while a pipe has nothing to read', async () => {
    const fifo = join(dir, 'fifo-open');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `printf 'a\\n' > ${fifo}; sleep 30`]);
    const controller = new AbortController();
    const src = new LineSource(fifo, { signal: controller.signal });
    expect(await src.next()).toBe('a');
    setTimeout(() => controller.abort(), 50);
    expect(await src.next()).toBeUndefined();
    src.close();
    writer.kill();
  });
});

describe('readers and the line limit', () => {
  const header = '{"adomix":"steplog/1","domains":["a"]}';
  const step = (t: number) => `{"step":${t},"loss":[1],"count":[1]}`;

  it('a step line over maxLineBytes is an error naming file and line, or one bad line with skipBad', async () => {
    const path = join(dir, 'long.jsonl');
    writeFileSync(path, [header, step(0), `{"step":1,"loss":[${'1,'.repeat(5000)}1],"count":[1]}`, step(1)].join('\n'));
    await expect(readStepLog(path, { maxLineBytes: 4096 })).rejects.toThrow(
      `${path}:3: line is longer than 4 KiB (the reader's limit; raise it with maxLineBytes if the line is real)`,
    );
    const log = await readStepLog(path, { maxLineBytes: 4096, skipBad: true });
    expect(log.records.map((r) => r.step)).toEqual([0, 1]);
    expect(log.skipped).toBe(1);
    writeFileSync(path, `{"adomix":"steplog/1","domains":["${'d'.repeat(5000)}"]}\n${step(0)}`);
    await expect(readStepLog(path, { maxLineBytes: 4096, skipBad: true })).rejects.toThrow(`${path}:1: line is longer than 4 KiB`);
  });

  it('the CSV reader has the same limit', async () => {
    const path = join(dir, 'long.csv');
    writeFileSync(path, ['step,domain,loss,count', '0,a,1,1', `1,${'a'.repeat(5000)},1,1`, '1,a,1,1'].join('\n'));
    await expect(readStepLogCsv(path, { maxLineBytes: 4096 })).rejects.toThrow(`${path}:3: line is longer than 4 KiB`);
    const log = await readStepLogCsv(path, { maxLineBytes: 4096, skipBad: true });
    expect(log.records.length).toBe(2);
  });
});
