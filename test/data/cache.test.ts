import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorpusError, openCorpus, SHARDS_FORMAT, type CorpusOptions } from '../../src/data/index.js';
import { put, readAll, sampleText, tempDir, utf8 } from './corpusFiles.js';

/** Every file of the cache folder with its mtime (ms) and size. */
function snapshot(cacheDir: string): Record<string, [number, number]> {
  return Object.fromEntries(
    readdirSync(cacheDir)
      .sort()
      .map((n) => {
        const st = statSync(join(cacheDir, n));
        return [n, [st.mtimeMs, st.size]];
      }),
  );
}

function twoDomains(): string {
  const dir = tempDir('cache');
  put(dir, 'code/a.txt', sampleText(1, 20_000));
  put(dir, 'prose/b.jsonl.gz', `${JSON.stringify({ text: sampleText(2, 20_000) })}\n`);
  return dir;
}

describe('the shard cache', () => {
  it('holds an index of format adomix-shards/1 naming each domain’s shard, files, counts and split', async () => {
    const dir = twoDomains();
    const corpus = await openCorpus(dir, { tokenizer: 'gpt2', minTokens: 16 });
    const index = JSON.parse(readFileSync(corpus.indexPath, 'utf8'));
    expect(index).toMatchObject({ format: SHARDS_FORMAT, tokenizer: 'gpt2', vocabSize: 50257, dtype: 'uint16', identity: corpus.identity });
    expect(index.domains[0].stream).toMatchObject({ files: [{ path: 'code/a.txt', size: statSync(join(dir, 'code/a.txt')).size }], textField: 'text', maxTokens: null, skippedLines: 0 });
    expect(index.domains[0].stream.file).toMatch(/^code\.[0-9a-f]{16}\.u16$/);
    const n = index.domains[0].stream.tokens;
    expect(statSync(join(dir, '.adomix-cache', index.domains[0].stream.file)).size).toBe(2 * n);
    expect(index.domains[0].split).toEqual({ rule: 'tail', fraction: 0.01, minTokens: 16 });
    expect(index.domains[0].train).toEqual({ start: 0, end: corpus.domains[0].trainTokens });
    expect(index.domains[0].heldOut).toEqual({ start: corpus.domains[0].trainTokens, end: n });
  });

  it('is reused while the inputs are unchanged: nothing in the cache is rewritten, nothing tokenised', async () => {
    const dir = twoDomains();
    const first = await openCorpus(dir);
    const cacheDir = join(dir, '.adomix-cache');
    const before = snapshot(cacheDir);
    await new Promise((r) => setTimeout(r, 20)); // so that a rewrite would show in the mtimes
    let progressed = 0;
    const again = await openCorpus(dir, { onProgress: () => progressed++ });
    expect(snapshot(cacheDir)).toEqual(before);
    expect(progressed).toBe(0);
    expect(again.identity).toBe(first.identity);
    expect(readAll(again.reader(1, 'train'))).toEqual(readAll(first.reader(1, 'train')));
  });

  it('rebuilds only the domain whose file changed, and the identity changes', async () => {
    const dir = twoDomains();
    const first = await openCorpus(dir);
    const cacheDir = join(dir, '.adomix-cache');
    const index1 = JSON.parse(readFileSync(first.indexPath, 'utf8'));
    const proseShard = index1.domains[1].stream.file;
    const proseMtime = statSync(join(cacheDir, proseShard)).mtimeMs;
    writeFileSync(join(dir, 'code/a.txt'), 'something else entirely, and longer than before');
    const files: string[] = [];
    const second = await openCorpus(dir, { onProgress: (p) => files.push(p.file) });
    expect([...new Set(files)]).toEqual([join(dir, 'code/a.txt')]);
    expect(readAll(second.reader(0, 'train'))).toEqual(utf8('something else entirely, and longer than befor')); // 1 token held out
    const index2 = JSON.parse(readFileSync(second.indexPath, 'utf8'));
    expect(index2.domains[1].stream.file).toBe(proseShard);
    expect(statSync(join(cacheDir, proseShard)).mtimeMs).toBe(proseMtime);
    expect(index2.domains[0].stream.file).not.toBe(index1.domains[0].stream.file);
    expect(second.identity).not.toBe(first.identity);
    // The superseded shard and its record are gone.
    expect(readdirSync(cacheDir).filter((n) => n.startsWith('code.'))).toEqual([index2.domains[0].stream.file, `${index2.domains[0].stream.file}.json`]);
  });

  it('sees a same-size replacement with its mtime put back, by the sampled hash', async () => {
    const dir = tempDir('samesize');
    const path = put(dir, 'd/a.txt', 'aaaa bbbb');
    const first = await openCorpus(dir, { heldOut: 0 });
    const { atime, mtime } = statSync(path);
    writeFileSync(path, 'aaaa cccc');
    utimesSync(path, atime, mtime);
    const second = await openCorpus(dir, { heldOut: 0 });
    expect(readAll(second.reader(0, 'train'))).toEqual(utf8('aaaa cccc'));
    expect(second.identity).not.toBe(first.identity);
  });

  it('a touched file is tokenised again, to the same tokens and the same identity', async () => {
    const dir = twoDomains();
    const first = await openCorpus(dir);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'code/a.txt'), later, later);
    let progressed = 0;
    const second = await openCorpus(dir, { onProgress: () => progressed++ });
    expect(progressed).toBeGreaterThan(0);
    expect(second.identity).toBe(first.identity);
  });

  it('a new split rewrites the index only; the identity follows the split', async () => {
    const dir = twoDomains();
    const first = await openCorpus(dir);
    const cacheDir = join(dir, '.adomix-cache');
    const shards = Object.entries(snapshot(cacheDir)).filter(([n]) => n.endsWith('.u16'));
    let progressed = 0;
    const second = await openCorpus(dir, { heldOut: 0.2, onProgress: () => progressed++ });
    expect(progressed).toBe(0);
    expect(Object.entries(snapshot(cacheDir)).filter(([n]) => n.endsWith('.u16'))).toEqual(shards);
    expect(second.domains[0].heldOutTokens).toBe(Math.round(0.2 * (first.domains[0].trainTokens + first.domains[0].heldOutTokens)));
    expect(second.identity).not.toBe(first.identity);
  });

  it('keeps the shards of the domains that were built when a later one fails, and reuses them after the fix', async () => {
    const dir = tempDir('recover');
    put(dir, 'a/x.txt', sampleText(5, 30_000));
    const bad = put(dir, 'b/y.jsonl', '{"text": "fine"}\n{"oops": 1}\n');
    await expect(openCorpus(dir)).rejects.toThrow(CorpusError);
    writeFileSync(bad, '{"text": "fine"}\n{"text": "fixed"}\n');
    const built: string[] = [];
    const corpus = await openCorpus(dir, { onProgress: (p) => built.push(p.domain) });
    expect([...new Set(built)]).toEqual(['b']);
    expect(corpus.domains.map((d) => d.name)).toEqual(['a', 'b']);
  });

  it('reports progress in bytes of the input files, up to their total, with a rate', async () => {
    const dir = twoDomains();
    const reports: Parameters<NonNullable<CorpusOptions['onProgress']>>[0][] = [];
    await openCorpus(dir, { onProgress: (p) => reports.push(p) });
    const total = statSync(join(dir, 'code/a.txt')).size + statSync(join(dir, 'prose/b.jsonl.gz')).size;
    expect(reports.every((p) => p.bytesTotal === total && p.mbPerSecond > 0)).toBe(true);
    expect(reports.at(-1)!.bytesDone).toBe(total);
    expect(reports.map((p) => p.bytesDone)).toEqual([...reports.map((p) => p.bytesDone)].sort((x, y) => x - y));
    expect(reports.map((p) => p.domain)).toEqual(['code', 'prose'].flatMap((d) => reports.filter((p) => p.domain === d).map(() => d)));
  });

  it('never writes over a non-regular file or an input', async () => {
    const dir = tempDir('guard');
    put(dir, 'd/a.txt', 'x'.repeat(100));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, '.adomix-cache', 'index.json'), { recursive: true });
    await expect(openCorpus(dir)).rejects.toThrow(/index\.json: it is a directory, not a regular file; refusing to replace it/);
    const other = tempDir('guard2');
    const input = put(other, 'cache/m.json.index.json', 'y'.repeat(100));
    const m = put(other, 'm.json', JSON.stringify({ domains: [{ name: 'd', files: ['cache/m.json.index.json'] }] }));
    await expect(openCorpus(m, { cacheDir: join(other, 'cache'), heldOut: 0 })).rejects.toThrow(
      `${input} is input file ${input} of domain "d"; the cache would overwrite it: choose another cacheDir`,
    );
    expect(readFileSync(input, 'utf8')).toBe('y'.repeat(100));
  });
});
