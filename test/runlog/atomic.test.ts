import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicFileWriter, tempPathFor, writeFileAtomic, writeFileAtomicSync } from '../../src/runlog/index.js';

const dir = mkdtempSync(join(tmpdir(), 'adomix-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('replaces a file in one step and leaves no temporary file', async () => {
    const path = join(dir, 'a.json');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, '{"new":true}');
    expect(readFileSync(path, 'utf8')).toBe('{"new":true}');
    writeFileAtomicSync(path, new TextEncoder().encode('bytes'));
    expect(readFileSync(path, 'utf8')).toBe('bytes');
    expect(readdirSync(dir)).toEqual(['a.json']);
    expect(tempPathFor(path)).toBe(`${path}.tmp-${process.pid}`);
  });

  it('names the path on failure and leaves nothing', async () => {
    const path = join(dir, 'no-such-dir', 'x.json');
    await expect(writeFileAtomic(path, 'x')).rejects.toThrow(`cannot write ${path}: ENOENT`);
    expect(() => writeFileAtomicSync(path, 'x')).toThrow(`cannot write ${path}: ENOENT`);
    expect(() => new AtomicFileWriter(path)).toThrow(`cannot write ${path}: ENOENT`);
  });
});

describe('AtomicFileWriter', () => {
  it('streams large output through the temporary file and renames on close', async () => {
    const path = join(dir, 'big.txt');
    writeFileSync(path, 'previous');
    const w = new AtomicFileWriter(path);
    const line = 'x'.repeat(999) + '\n';
    for (let i = 0; i < 3000; i++) w.write(line); // ~3 MB: several flushes
    expect(readFileSync(path, 'utf8')).toBe('previous');
    expect(w.isOpen).toBe(true);
    await w.close();
    expect(w.isOpen).toBe(false);
    expect(readFileSync(path, 'utf8').length).toBe(3000 * 1000);
    expect(existsSync(w.tempPath)).toBe(false);
  });

  it('abort keeps the old file', () => {
    const path = join(dir, 'keep.txt');
    writeFileSync(path, 'keep');
    const w = new AtomicFileWriter(path);
    w.write('discard');
    w.flush();
    w.abort();
    w.abort();
    expect(readFileSync(path, 'utf8')).toBe('keep');
    expect(existsSync(w.tempPath)).toBe(false);
  });
});
