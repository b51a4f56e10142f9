import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gpt2Tokenizer, openCorpus } from '../../src/data/index.js';
import { Rng } from '../../src/random/index.js';
import { jsonl, put, readAll, sampleText, tempDir, utf8 } from './corpusFiles.js';

/** A data folder with every text format, its documents known. */
function mixedFolder(): { dir: string; code: string[]; prose: string[]; web: string[] } {
  const dir = tempDir('mixed');
  const code = [sampleText(1, 3000), sampleText(2, 2000), sampleText(3, 1000)];
  const prose = [sampleText(4, 1500), sampleText(5, 2500)];
  const web = ['first record é', 'second\nrecord 🚀', sampleText(6, 4000), 'fourth'];
  // Files sorted by path: code/a.txt, code/b/c.md.gz, code/d.txt.gz
  put(dir, 'code/d.txt.gz', code[2]);
  put(dir, 'code/a.txt', code[0]);
  put(dir, 'code/b/c.md.gz', code[1]);
  put(dir, 'code/notes.pdf', 'not read');
  put(dir, 'prose/p.md', prose[0]);
  put(dir, 'prose/q.txt', prose[1]);
  put(dir, 'web/1.jsonl', jsonl(web.slice(0, 2)));
  put(dir, 'web/2.jsonl.gz', `\n${jsonl(web.slice(2))}\n`);
  put(dir, 'README.md', 'top-level files are not read');
  return { dir, code, prose, web };
}

describe('a data folder', () => {
  it('has one domain per sub-folder, files in path order, every text format, and exact byte-level counts', async () => {
    const { dir, code, prose, web } = mixedFolder();
    const corpus = await openCorpus(dir, { heldOut: 0 });
    expect(corpus.tokenizer).toBe('byte');
    expect(corpus.vocabSize).toBe(256);
    expect(corpus.domains.map((d) => d.name)).toEqual(['code', 'prose', 'web']);
    expect(corpus.domains[0].files).toEqual(['code/a.txt', 'code/b/c.md.gz', 'code/d.txt.gz'].map((f) => join(dir, f)));
    expect(corpus.domains[0].ignored).toEqual([join(dir, 'code/notes.pdf')]);
    const expected = [code, prose, web].map((docs) => utf8(docs.join('')));
    corpus.domains.forEach((d, k) => {
      expect(d.trainTokens).toBe(expected[k].length);
      expect(d.heldOutTokens).toBe(0);
      expect(readAll(corpus.reader(k, 'train'))).toEqual(expected[k]);
    });
    expect(corpus.indexPath).toBe(join(dir, '.adomix-cache', 'index.json'));
    corpus.close();
  });

  it('with gpt2, each document is gpt-tokenizer’s encoding of its text followed by <|endoftext|>', async () => {
    const { dir, code, web } = mixedFolder();
    const gpt2 = await gpt2Tokenizer();
    const corpus = await openCorpus(dir, { tokenizer: 'gpt2', heldOut: 0 });
    expect(corpus.tokenizer).toBe('gpt2');
    expect(corpus.vocabSize).toBe(50257);
    const docs = (texts: string[]) => texts.flatMap((t) => [...gpt2.encode(t), 50256]);
    expect(readAll(corpus.reader(0, 'train'))).toEqual(docs(code));
    expect(readAll(corpus.reader(2, 'train'))).toEqual(docs(web));
    expect(corpus.domains[2].trainTokens).toBe(web.reduce((a, t) => a + gpt2.encode(t).length + 1, 0));
  });

  it('prior = training-token shares; held-out = max(minTokens, round(f·n)) from the end of each stream', async () => {
    const dir = tempDir('split');
    put(dir, 'a/x.txt', 'a'.repeat(10_000));
    put(dir, 'b/x.txt', 'b'.repeat(30_000));
    put(dir, 'c/x.txt', 'c'.repeat(1_000));
    const corpus = await openCorpus(dir, { heldOut: 0.05, minTokens: 100 });
    expect(corpus.domains.map((d) => [d.trainTokens, d.heldOutTokens])).toEqual([
      [9_500, 500],
      [28_500, 1_500],
      [900, 100], // round(0.05 · 1000) = 50 < one window of 100
    ]);
    const total = 9_500 + 28_500 + 900;
    expect(corpus.prior).toEqual([9_500 / total, 28_500 / total, 900 / total]);
    // The default: 1 %.
    const dflt = await openCorpus(dir, { cacheDir: join(tempDir('cache'), 'c') });
    expect(dflt.domains.map((d) => d.heldOutTokens)).toEqual([100, 300, 10]);
  });

  it('reads windows at random offsets exactly as the in-memory tokenisation has them, train then held-out', async () => {
    const dir = tempDir('windows');
    const texts = [sampleText(7, 60_000), sampleText(8, 40_000)];
    put(dir, 'one/a.txt', texts[0]);
    put(dir, 'two/b.jsonl', jsonl([texts[1]]));
    const gpt2 = await gpt2Tokenizer();
    for (const tokenizer of ['byte', 'gpt2'] as const) {
      const corpus = await openCorpus(dir, { tokenizer, heldOut: 0.1, minTokens: 64 });
      const rng = new Rng(3);
      texts.forEach((text, k) => {
        const all = tokenizer === 'byte' ? utf8(text) : [...gpt2.encode(text), 50256];
        const train = corpus.reader(k, 'train');
        const held = corpus.reader(k, 'heldOut');
        expect(train.length + held.length).toBe(all.length);
        const out = new Int32Array(80);
        for (let i = 0; i < 200; i++) {
          const split = rng.int(2) === 0 ? train : held;
          const base = split === train ? 0 : train.length;
          const count = 1 + rng.int(64);
          const start = rng.int(split.length - count + 1);
          out.fill(-1);
          split.read(start, count, out, 8);
          expect(Array.from(out.subarray(8, 8 + count))).toEqual(all.slice(base + start, base + start + count));
          expect(out[7]).toBe(-1);
          expect(out[8 + count]).toBe(-1);
        }
      });
      corpus.close();
    }
  });

  it('a domain’s heldout/ sub-folder is its held-out split, instead of the tail', async () => {
    const dir = tempDir('heldout');
    put(dir, 'code/a.txt', 'train text');
    put(dir, 'code/heldout/z.txt', 'held-out text');
    put(dir, 'prose/b.txt', 'x'.repeat(1000));
    const corpus = await openCorpus(dir);
    expect(corpus.domains[0]).toMatchObject({ files: [join(dir, 'code/a.txt')], heldOutFiles: [join(dir, 'code/heldout/z.txt')], trainTokens: 10, heldOutTokens: 13 });
    expect(Buffer.from(readAll(corpus.reader(0, 'heldOut'))).toString()).toBe('held-out text');
    expect(Buffer.from(readAll(corpus.reader(0, 'train'))).toString()).toBe('train text');
    expect(corpus.domains[1]).toMatchObject({ heldOutFiles: [], trainTokens: 990, heldOutTokens: 10 });
  });

  it('heldOutFiles holds out a share of each domain’s files, drawn by path; one file, or a heldout/ folder, keeps its own split', async () => {
    const dir = tempDir('heldoutshare');
    const docs = Array.from({ length: 30 }, (_, i) => `docs/d${String(i).padStart(2, '0')}.txt`);
    for (const [i, f] of docs.entries()) put(dir, f, `doc ${i}.`);
    put(dir, 'one/only.txt', 'y'.repeat(1000));
    put(dir, 'own/a.txt', 'train text');
    put(dir, 'own/b.txt', 'more train text');
    put(dir, 'own/heldout/z.txt', 'held-out text');
    const corpus = await openCorpus(dir, { heldOutFiles: 0.3 });
    // The rule from its definition, on paths relative to the data folder.
    const u = (rel: string): number => createHash('sha256').update(rel).digest().readUInt32BE(0) / 2 ** 32;
    const held = docs.filter((f) => u(f) < 0.3);
    expect(held.length).toBeGreaterThan(2);
    expect(held.length).toBeLessThan(20);
    expect(corpus.domains[0].heldOutFiles).toEqual(held.map((f) => join(dir, f)));
    expect(corpus.domains[0].files).toEqual(docs.filter((f) => !held.includes(f)).map((f) => join(dir, f)));
    expect(Buffer.from(readAll(corpus.reader(0, 'heldOut'))).toString()).toBe(held.map((f) => `doc ${docs.indexOf(f)}.`).join(''));
    expect(corpus.domains[1]).toMatchObject({ heldOutFiles: [], trainTokens: 990, heldOutTokens: 10 }); // one file: the tail
    expect(corpus.domains[2]).toMatchObject({ heldOutFiles: [join(dir, 'own/heldout/z.txt')], heldOutTokens: 13 });
    await expect(openCorpus(dir, { heldOutFiles: 1 })).rejects.toThrow('openCorpus: heldOutFiles must be a share of the files in (0, 1), got 1');
  });

  it('a corpus keeps reading its shards when another open of the cache, with other settings, removes them', async () => {
    const dir = tempDir('concurrent');
    const docs = Array.from({ length: 12 }, (_, i) => sampleText(20 + i, 500));
    docs.forEach((t, i) => put(dir, `docs/d${String(i).padStart(2, '0')}.txt`, t));
    const first = await openCorpus(dir);
    const before = readdirSync(join(dir, '.adomix-cache')).filter((n) => n.endsWith('.u16'));
    // Another process starts later with a split by files: its index names other shards, and it removes ours.
    await new Promise((r) => setTimeout(r, 5));
    const second = await openCorpus(dir, { heldOutFiles: 0.5 });
    const after = readdirSync(join(dir, '.adomix-cache')).filter((n) => n.endsWith('.u16'));
    expect(before.some((n) => !after.includes(n))).toBe(true);
    expect(readAll(first.reader(0, 'train'))).toEqual(utf8(docs.join('')).slice(0, first.domains[0].trainTokens));
    expect(second.domains[0].heldOutFiles.length).toBeGreaterThan(0);
    first.close();
    second.close();
  });

  it('the same inputs give byte-identical shards in another cache, and the same identity', async () => {
    const { dir } = mixedFolder();
    const caches = tempDir('caches');
    const a = await openCorpus(dir, { tokenizer: 'gpt2', cacheDir: join(caches, 'c1') });
    const b = await openCorpus(dir, { tokenizer: 'gpt2', cacheDir: join(caches, 'c2') });
    expect(b.identity).toBe(a.identity);
    expect(a.identity).toMatch(/^[0-9a-f]{64}$/);
    const shards = readdirSync(join(caches, 'c1')).filter((n) => n.endsWith('.u16'));
    expect(shards.length).toBe(3);
    for (const s of shards) expect(readFileSync(join(caches, 'c2', s)).equals(readFileSync(join(caches, 'c1', s)))).toBe(true);
    // A shard is nanoGPT's layout: flat little-endian uint16.
    const first = readFileSync(join(caches, 'c1', shards.find((s) => s.startsWith('code'))!));
    expect(first.readUInt16LE(0)).toBe(readAll(a.reader(0, 'train'))[0]);
  });

  it('readers refuse ranges outside their split, unknown domains, and reads after close', async () => {
    const dir = tempDir('reader');
    put(dir, 'd/a.txt', 'x'.repeat(200));
    const corpus = await openCorpus(dir, { heldOut: 0.1 });
    const train = corpus.reader(0, 'train');
    expect(() => train.read(170, 11, new Int32Array(20))).toThrow('domain "d" training split: tokens [170, 181) are outside [0, 180)');
    expect(() => train.read(0, 10, new Int32Array(5))).toThrow('domain "d" training split: cannot put 10 tokens at offset 0 of an array of 5');
    expect(() => corpus.reader(1, 'train')).toThrow('corpus: no domain 1; domains are 0–0 (d)');
    corpus.close();
    expect(() => train.read(0, 1, new Int32Array(1))).toThrow(/the corpus was closed/);
    expect(() => corpus.reader(0, 'heldOut')).toThrow(/closed/);
  });
});
