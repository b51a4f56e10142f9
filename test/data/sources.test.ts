import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandGlob, globRegExp, walkFiles } from '../../src/data/corpus/index.js';
import { fileChunks, fileFormat, forEachLine, jsonlText } from '../../src/data/sources/index.js';
import { put, tempDir } from './corpusFiles.js';

async function* pieces(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p, 'utf8');
}

async function collect(chunks: AsyncIterable<Buffer>, max = 1 << 20): Promise<[string | null, number][]> {
  const out: [string | null, number][] = [];
  await forEachLine(chunks, max, (line, no) => {
    out.push([line, no]);
  });
  return out;
}

describe('file formats', () => {
  it('knows the corpus files by name, gzip too, case-insensitively', () => {
    expect(fileFormat('a/b.txt')).toEqual({ kind: 'text', gzip: false });
    expect(fileFormat('README.MD')).toEqual({ kind: 'text', gzip: false });
    expect(fileFormat('x.jsonl.gz')).toEqual({ kind: 'jsonl', gzip: true });
    expect(fileFormat('x.parquet')).toEqual({ kind: 'parquet', gzip: false });
    expect(fileFormat('train.bin')).toEqual({ kind: 'bin', gzip: false });
    expect(fileFormat('x.csv')).toBeUndefined();
    expect(fileFormat('x.gz')).toBeUndefined();
    expect(fileFormat('txt')).toBeUndefined();
  });
});

describe('lines of a byte stream', () => {
  it('joins lines across chunks, drops \\r before \\n, keeps a last line without newline, numbers from 1', async () => {
    expect(await collect(pieces('a\r\nb', 'c\n', '', 'é', '\n\nlast'))).toEqual([
      ['a', 1],
      ['bc', 2],
      ['é', 3],
      ['', 4],
      ['last', 5],
    ]);
    // A character split between chunks is joined before decoding.
    const e = Buffer.from('é\n');
    const split = async function* (): AsyncGenerator<Buffer> {
      yield e.subarray(0, 1);
      yield e.subarray(1);
    };
    expect(await collect(split())).toEqual([['é', 1]]);
  });

  it('answers null for a line over the limit, without assembling it, and goes on', async () => {
    expect(await collect(pieces('short\n', 'x'.repeat(6), 'y'.repeat(6), '\nok\n', 'z'.repeat(20)), 10)).toEqual([
      ['short', 1],
      [null, 2],
      ['ok', 3],
      [null, 4],
    ]);
  });
});

describe('JSONL records', () => {
  it('answers the text field, undefined for blank lines, and what is wrong otherwise', () => {
    expect(jsonlText('{"text": "hi", "id": 1}', 'text')).toBe('hi');
    expect(jsonlText('{"content": ""}', 'content')).toBe('');
    expect(jsonlText('   ', 'text')).toBeUndefined();
    expect(jsonlText('{"id": 1, "body": "x"}', 'text')).toEqual({ problem: 'no field "text" (its fields: "id", "body")' });
    expect(jsonlText('{}', 'text')).toEqual({ problem: 'no field "text" (it has no fields)' });
    expect(jsonlText('{"text": 3}', 'text')).toEqual({ problem: 'field "text" is a number, not a string' });
    expect(jsonlText('{"text": null}', 'text')).toEqual({ problem: 'field "text" is null, not a string' });
    expect(jsonlText('["text"]', 'text')).toEqual({ problem: 'the line is an array, not an object with a "text" field' });
    expect(jsonlText('"text"', 'text')).toEqual({ problem: 'the line is a string, not an object with a "text" field' });
    expect((jsonlText('{"text": "a",}', 'text') as { problem: string }).problem).toMatch(/^not valid JSON \(.+\)$/);
  });
});

describe('globs', () => {
  const cases: [string, string, boolean][] = [
    ['*.txt', 'a.txt', true],
    ['*.txt', 'd/a.txt', false],
    ['*.txt', '.hidden.txt', false],
    ['.*.txt', '.hidden.txt', true],
    ['**/*.ts', 'a.ts', true],
    ['**/*.ts', 'x/y/a.ts', true],
    ['**/*.ts', 'x/.git/a.ts', false],
    ['src/**', 'src/a/b.md', true],
    ['src/**', 'src', false],
    ['a?.md', 'ab.md', true],
    ['a?.md', 'a/.md', false],
    ['[ab]*.txt', 'b1.txt', true],
    ['[!ab]*.txt', 'b1.txt', false],
    ['[!ab]*.txt', 'c1.txt', true],
    ['[a-c].txt', 'b.txt', true],
    ['*.{ts,tsx}', 'x.tsx', true],
    ['*.{ts,tsx}', 'x.js', false],
    ['{a,b{c,d}}.txt', 'bd.txt', true],
    ['\\*.txt', '*.txt', true],
    ['\\*.txt', 'a.txt', false],
    ['a+b(1).txt', 'a+b(1).txt', true],
    ['./x/*.md', 'x/y.md', true],
  ];
  it.each(cases)('%s matches %s: %s', (pattern, path, match) => {
    expect(globRegExp(pattern).test(path)).toBe(match);
  });

  it('expands relative to a base folder, from the pattern’s fixed prefix, sorted', () => {
    const dir = tempDir('glob');
    for (const f of ['src/b.ts', 'src/a.ts', 'src/deep/c.ts', 'src/deep/d.md', 'src/.cache/e.ts', 'other/f.ts']) put(dir, f, 'x');
    expect(expandGlob(dir, 'src/**/*.ts')).toEqual(['src/a.ts', 'src/b.ts', 'src/deep/c.ts'].map((f) => join(dir, f)));
    expect(expandGlob(dir, '*/*.ts')).toEqual(['other/f.ts', 'src/a.ts', 'src/b.ts'].map((f) => join(dir, f)));
    expect(expandGlob(join(dir, 'src'), '../other/*.ts')).toEqual([join(dir, 'other/f.ts')]);
    expect(expandGlob(dir, `${dir}/src/deep/*`)).toEqual([join(dir, 'src/deep/c.ts'), join(dir, 'src/deep/d.md')]);
    expect(expandGlob(dir, 'nowhere/*.ts')).toEqual([]);
  });
});

describe('walking a folder', () => {
  it('lists files recursively in code-unit order, skips dot names, follows links but not loops', () => {
    const dir = tempDir('walk');
    for (const f of ['b.txt', 'a/z.txt', 'a/Y.txt', 'A.txt', '.git/x', 'a/.DS_Store']) put(dir, f, 'x');
    mkdirSync(join(dir, 'empty'));
    symlinkSync(join(dir, 'a'), join(dir, 'link'));
    symlinkSync(dir, join(dir, 'a', 'loop'));
    expect(walkFiles(dir)).toEqual(['A.txt', 'a/Y.txt', 'a/z.txt', 'b.txt', 'link/Y.txt', 'link/z.txt']);
    expect(walkFiles(dir, (p) => p === join(dir, 'a'))).toEqual(['A.txt', 'b.txt', 'link/Y.txt', 'link/z.txt']);
  });

  it('reads a file in chunks, gunzipping .gz', async () => {
    const dir = tempDir('chunks');
    const text = 'hello gzip '.repeat(300_000);
    const path = put(dir, 'a.txt.gz', text);
    const parts: Buffer[] = [];
    const positions: number[] = [];
    for await (const c of fileChunks(path, true, (n) => positions.push(n))) parts.push(c);
    expect(Buffer.concat(parts).toString()).toBe(text);
    expect(parts.length).toBeGreaterThan(1);
    expect(positions.at(-1)).toBeGreaterThan(0);
  });
});
