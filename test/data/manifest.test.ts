import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCorpus } from '../../src/data/index.js';
import { jsonl, put, readAll, tempDir, utf8 } from './corpusFiles.js';

/** Writes the manifest `m` as `dir/name`; answers its path. */
function manifest(dir: string, m: unknown, name = 'corpus.json'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(m, null, 2));
  return path;
}

describe('a manifest', () => {
  it('names files, folders and globs relative to itself; textField per domain; its prior, normalised', async () => {
    const dir = tempDir('manifest');
    put(dir, 'src/b.ts', 'const b = 2;\n');
    put(dir, 'src/deep/a.ts', 'const a = 1;\n');
    put(dir, 'src/deep/skip.js', 'not matched');
    put(dir, 'stack/part.jsonl.gz', jsonl(['fn main() {}'], 'content'));
    put(dir, 'books/one.txt', 'Once upon a time.');
    put(dir, 'books/two.md', ' The end.');
    const path = manifest(dir, {
      domains: [
        { name: 'code', files: ['src/**/*.ts', 'stack/*.jsonl.gz'], textField: 'content' },
        { name: 'prose', files: ['books/'] },
      ],
      prior: { prose: 3, code: 1 },
      heldOut: 0,
    });
    const corpus = await openCorpus(path);
    expect(corpus.domains.map((d) => d.files)).toEqual([
      ['src/b.ts', 'src/deep/a.ts', 'stack/part.jsonl.gz'].map((f) => join(dir, f)),
      ['books/one.txt', 'books/two.md'].map((f) => join(dir, f)),
    ]);
    expect(readAll(corpus.reader(0, 'train'))).toEqual(utf8('const b = 2;\nconst a = 1;\nfn main() {}'));
    expect(readAll(corpus.reader(1, 'train'))).toEqual(utf8('Once upon a time. The end.'));
    expect(corpus.prior).toEqual([0.25, 0.75]);
    // The cache goes next to the manifest, its index named after it.
    expect(corpus.indexPath).toBe(join(dir, '.adomix-cache', 'corpus.json.index.json'));
    expect(existsSync(corpus.indexPath)).toBe(true);
    // A prior as a list, in domain order.
    const listed = manifest(dir, { domains: [{ name: 'code', files: ['src/b.ts'] }, { name: 'prose', files: ['books/one.txt'] }], prior: [1, 1], heldOut: 0 }, 'listed.json');
    expect((await openCorpus(listed)).prior).toEqual([0.5, 0.5]);
  });

  it('without a prior, the prior is the training-token shares', async () => {
    const dir = tempDir('manifestprior');
    put(dir, 'a.txt', 'x'.repeat(300));
    put(dir, 'b.txt', 'y'.repeat(100));
    const corpus = await openCorpus(manifest(dir, { domains: [{ name: 'a', files: ['a.txt'] }, { name: 'b', files: ['b.txt'] }], heldOut: 0 }));
    expect(corpus.prior).toEqual([0.75, 0.25]);
  });

  it('maxTokens keeps the first tokens in file order; maxFiles the first files', async () => {
    const dir = tempDir('limits');
    put(dir, 'd/1.txt', 'aaaa');
    put(dir, 'd/2.txt', 'bbbb');
    put(dir, 'd/3.txt', 'cccc');
    const path = manifest(dir, {
      domains: [
        { name: 'capped', files: ['d/*.txt'], maxTokens: 6 },
        { name: 'few', files: ['d/*.txt'], maxFiles: 2 },
      ],
      heldOut: 0,
    });
    const corpus = await openCorpus(path);
    expect(readAll(corpus.reader(0, 'train'))).toEqual(utf8('aaaabb'));
    expect(corpus.domains[1].files).toEqual([join(dir, 'd/1.txt'), join(dir, 'd/2.txt')]);
    expect(readAll(corpus.reader(1, 'train'))).toEqual(utf8('aaaabbbb'));
  });

  it('a domain’s heldOut is a fraction of its own or a list of held-out files; options override the manifest’s defaults only', async () => {
    const dir = tempDir('manifestheld');
    put(dir, 'train/a.jsonl', jsonl(['training text'], 'body'));
    put(dir, 'val/a.jsonl', jsonl(['validation'], 'body'));
    put(dir, 'other.txt', 'z'.repeat(1000));
    const path = manifest(dir, {
      domains: [
        { name: 'files', files: ['train/*.jsonl'], heldOut: ['val/*.jsonl'], textField: 'body' },
        { name: 'own', files: ['other.txt'], heldOut: 0.2 },
        { name: 'default', files: ['other.txt'] },
      ],
      heldOut: 0.1,
      textField: 'ignored-by-domain-1',
    });
    const corpus = await openCorpus(path, { heldOut: 0.05 });
    expect(corpus.domains[0]).toMatchObject({ heldOutFiles: [join(dir, 'val/a.jsonl')], trainTokens: 13, heldOutTokens: 10 });
    expect(readAll(corpus.reader(0, 'heldOut'))).toEqual(utf8('validation'));
    expect(corpus.domains[1]).toMatchObject({ trainTokens: 800, heldOutTokens: 200 });
    expect(corpus.domains[2]).toMatchObject({ trainTokens: 950, heldOutTokens: 50 }); // the option, not the manifest's 0.1
  });

  it('heldOut {"files": share} holds out the files whose path hashes below the share, spread over the domain, stable as files are added', async () => {
    const dir = tempDir('manifestshare');
    const names = Array.from({ length: 40 }, (_, i) => `docs/p${String(i).padStart(2, '0')}/f.md`);
    for (const [i, f] of names.entries()) put(dir, f, `file ${i};`);
    // The rule, computed here from its definition: SHA-256 of the relative path, first 32 bits.
    const u = (rel: string): number => createHash('sha256').update(rel).digest().readUInt32BE(0) / 2 ** 32;
    const expectHeld = names.filter((f) => u(f) < 0.25);
    expect(expectHeld.length).toBeGreaterThan(3); // the draw spreads: not 0, not all
    expect(expectHeld.length).toBeLessThan(20);
    const path = manifest(dir, { domains: [{ name: 'docs', files: ['docs/**/*.md'], heldOut: { files: 0.25 } }] });
    const corpus = await openCorpus(path);
    const d = corpus.domains[0];
    expect(d.heldOutFiles).toEqual(expectHeld.map((f) => join(dir, f)));
    expect(d.files).toEqual(names.filter((f) => !expectHeld.includes(f)).map((f) => join(dir, f)));
    const text = (files: string[]): string => files.map((f) => `file ${names.indexOf(f)};`).join('');
    expect(readAll(corpus.reader(0, 'heldOut'))).toEqual(utf8(text(expectHeld)));
    expect(readAll(corpus.reader(0, 'train'))).toEqual(utf8(text(names.filter((f) => !expectHeld.includes(f)))));
    // A file's side depends on its own name: adding files moves none of the others.
    put(dir, 'docs/p99/f.md', 'new');
    const grown = (await openCorpus(manifest(dir, { domains: [{ name: 'docs', files: ['docs/**/*.md'], heldOut: { files: 0.25 } }] }, 'grown.json'))).domains[0];
    expect(grown.heldOutFiles.filter((f) => f !== join(dir, 'docs/p99/f.md'))).toEqual(d.heldOutFiles);
  });

  it('the heldOutFiles option applies to the domains of two or more files that set no heldOut of their own', async () => {
    const dir = tempDir('manifestshareopt');
    for (let i = 0; i < 12; i++) put(dir, `many/f${i}.txt`, `text ${i}`);
    put(dir, 'single.txt', 's'.repeat(1000));
    const path = manifest(dir, {
      domains: [
        { name: 'many', files: ['many/*.txt'] },
        { name: 'single', files: ['single.txt'] },
        { name: 'tail', files: ['many/*.txt'], heldOut: 0.5 },
      ],
    });
    const corpus = await openCorpus(path, { heldOutFiles: 0.4 });
    expect(corpus.domains[0].heldOutFiles.length).toBeGreaterThan(0);
    expect(corpus.domains[0].files.length + corpus.domains[0].heldOutFiles.length).toBe(12);
    expect(corpus.domains[1]).toMatchObject({ heldOutFiles: [], trainTokens: 990, heldOutTokens: 10 });
    expect(corpus.domains[2].heldOutFiles).toEqual([]);
    expect(corpus.domains[2].files.length).toBe(12);
  });

  it('heldOut {"files": share} keeps one file on each side, and refuses one file, a bad share or an unknown field', async () => {
    const dir = tempDir('manifestshareedge');
    put(dir, 'a.txt', 'alpha alpha');
    put(dir, 'b.txt', 'beta beta');
    const both = (await openCorpus(manifest(dir, { domains: [{ name: 'd', files: ['*.txt'], heldOut: { files: 0.999 } }] }))).domains[0];
    expect(both.files.length).toBe(1);
    expect(both.heldOutFiles.length).toBe(1);
    const one = manifest(dir, { domains: [{ name: 'd', files: ['a.txt'], heldOut: { files: 0.1 } }] }, 'one.json');
    await expect(openCorpus(one)).rejects.toThrow(/domain "d" \(domains\[0\]\): heldOut \{"files": 0.1\} needs at least 2 files, and files names 1/);
    const zero = manifest(dir, { domains: [{ name: 'd', files: ['*.txt'], heldOut: { files: 0 } }] }, 'zero.json');
    await expect(openCorpus(zero)).rejects.toThrow(/domains\[0\]\.heldOut.*share of the files in \(0, 1\)/);
    const typo = manifest(dir, { domains: [{ name: 'd', files: ['*.txt'], heldOut: { file: 0.1 } }] }, 'typo.json');
    await expect(openCorpus(typo)).rejects.toThrow(/domains\[0\]\.heldOut must be .* or \{"files": share\}, got \{"file":0\.1\}/);
  });

  it('skipBadLines skips and counts JSONL lines without text', async () => {
    const dir = tempDir('skip');
    put(dir, 'd/a.jsonl', '{"text": "good"}\n{"txt": "typo"}\nnot json\n\n{"text": 5}\n{"text": " also good"}\n');
    const corpus = await openCorpus(dir, { skipBadLines: true, heldOut: 0 });
    expect(corpus.domains[0].skippedLines).toBe(3);
    expect(readAll(corpus.reader(0, 'train'))).toEqual(utf8('good also good'));
  });
});
