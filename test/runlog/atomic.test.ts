import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AtomicFileWriter,
  assertNotAnInput,
  isSameFile,
  removeStaleTemps,
  sha256OfPrefix,
  staleTempsOf,
  tempPathFor,
  writeFileAtomic,
  writeFileAtomicSync,
} from '../../src/runlog/index.js';

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
    expect(readdirSync(dir).filter((n) => n.startsWith('a.json'))).toEqual(['a.json']);
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

describe('output targets', () => {
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);

  it('refuses a directory, a FIFO and a device node, and writes nothing', async () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    for (const [path, what] of [
      [sub, 'a directory'],
      [fifo, 'a FIFO (named pipe)'],
      ['/dev/null', 'a character device node'],
    ] as const) {
      const message = `cannot write ${path}: it is ${what}, not a regular file; refusing to replace it`;
      await expect(writeFileAtomic(path, 'x')).rejects.toThrow(message);
      expect(() => writeFileAtomicSync(path, 'x')).toThrow(message);
      expect(() => new AtomicFileWriter(path)).toThrow(message);
    }
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(sub)).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('writes through a symbolic link: the file it points to changes, the link stays a link', async () => {
    const real = join(dir, 'real.txt');
    const link = join(dir, 'link.txt');
    writeFileSync(real, 'old');
    symlinkSync(real, link);
    await writeFileAtomic(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('new');
    const w = new AtomicFileWriter(link);
    expect(w.target).toBe(realpathSync(real));
    w.write('streamed');
    w.closeSync();
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('streamed');
    const dangling = join(dir, 'dangling');
    symlinkSync(join(dir, 'nowhere'), dangling);
    expect(() => writeFileAtomicSync(dangling, 'x')).toThrow(`cannot write ${dangling}: it is a symbolic link to a file that does not exist`);
    const toDir = join(dir, 'to-dir');
    symlinkSync(dir, toDir);
    expect(() => writeFileAtomicSync(toDir, 'x')).toThrow(/it is a symbolic link to a directory/);
  });

  it('refuses an output that is an input, through symlinks and hard links', () => {
    const input = join(dir, 'input.jsonl');
    writeFileSync(input, 'data');
    const viaLink = join(dir, 'input-link.jsonl');
    symlinkSync(input, viaLink);
    const hard = join(dir, 'input-hard.jsonl');
    linkSync(input, hard);
    for (const out of [input, viaLink, hard]) {
      expect(isSameFile(out, input)).toBe(true);
      expect(() => assertNotAnInput([{ path: out, what: '--out' }], [{ path: input, what: 'the step log' }])).toThrow(
        `--out ${out} is the same file as the step log ${input}; refusing to overwrite an input (choose another --out)`,
      );
    }
    expect(readFileSync(input, 'utf8')).toBe('data');
    expect(() => assertNotAnInput([{ path: join(dir, 'new.jsonl'), what: '--out' }], [{ path: input, what: 'the step log' }])).not.toThrow();
    expect(() =>
      assertNotAnInput(
        [
          { path: join(dir, 'o.jsonl'), what: '--out' },
          { path: join(dir, '.', 'o.jsonl'), what: '--checkpoint' },
        ],
        [],
      ),
    ).toThrow(`--checkpoint ${join(dir, '.', 'o.jsonl')} is the same file as --out ${join(dir, 'o.jsonl')}; give them different files`);
  });

  it('finds and removes the temporary files of dead writers only', () => {
    const path = join(dir, 'out.jsonl');
    const dead = `${path}.tmp-999999999`;
    const mine = tempPathFor(path);
    const alive = `${path}.tmp-${process.ppid}`;
    for (const p of [dead, mine, alive, `${path}.tmp-x1`]) writeFileSync(p, 'partial');
    expect(staleTempsOf(path)).toEqual([dead]);
    expect(removeStaleTemps(path)).toEqual([dead]);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(mine) && existsSync(alive)).toBe(true);
  });

  it('records the bytes and SHA-256 it has written, and starts from a verified prefix', () => {
    const first = join(dir, 'first.txt');
    const w = new AtomicFileWriter(first);
    w.write('hello ');
    const at = w.sync();
    expect(at).toEqual({ bytes: 6, sha256: createHash('sha256').update('hello ').digest('hex') });
    w.write('world');
    w.closeSync();
    expect(sha256OfPrefix(first, 6)).toBe(at.sha256);
    expect(sha256OfPrefix(first, 100)).toBeUndefined();
    const second = new AtomicFileWriter(join(dir, 'second.txt'));
    second.copyPrefix(first, at.bytes);
    second.write('again');
    expect(second.sync().sha256).toBe(createHash('sha256').update('hello again').digest('hex'));
    second.closeSync();
    expect(readFileSync(join(dir, 'second.txt'), 'utf8')).toBe('hello again');
  });
});
