/** Every way a corpus can be wrong, and the exact message that says what and where. */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CorpusError, openCorpus, type CorpusOptions } from '../../src/data/index.js';
import { USABLE_FILES } from '../../src/data/sources/index.js';
import { put, tempDir } from './corpusFiles.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/parquet');

/** The CorpusError `openCorpus(path, options)` throws. */
async function failure(path: string, options: CorpusOptions = {}): Promise<CorpusError> {
  try {
    await openCorpus(path, options);
  } catch (err) {
    expect(err).toBeInstanceOf(CorpusError);
    return err as CorpusError;
  }
  throw new Error(`openCorpus(${path}) did not fail`);
}

/** A manifest `m` in a new folder with `files` in it; answers the manifest's path. */
function manifestWith(m: unknown, files: Record<string, string> = {}): string {
  const dir = tempDir('badmanifest');
  for (const [rel, content] of Object.entries(files)) put(dir, rel, content);
  const path = join(dir, 'corpus.json');
  writeFileSync(path, typeof m === 'string' ? m : JSON.stringify(m, null, 2));
  return path;
}

describe('errors: the corpus', () => {
  it('a path that does not exist', async () => {
    expect((await failure('/nonexistent/data')).message).toBe('/nonexistent/data: no such file or folder (give a folder with one sub-folder per domain, or a manifest .json)');
  });

  it('a folder without domain folders', async () => {
    const dir = tempDir('nodomains');
    expect((await failure(dir)).message).toBe(`${dir}: no domain folders (the folder is empty); put each domain's files in a sub-folder named after the domain, or give a manifest (.json)`);
    put(dir, 'a.txt', 'x');
    put(dir, 'b.jsonl', 'x');
    expect((await failure(dir)).message).toBe(`${dir}: no domain folders (found only files at its top level: a.txt, b.jsonl); put each domain's files in a sub-folder named after the domain, or give a manifest (.json)`);
  });

  it('a domain with no usable files, naming what was found', async () => {
    const dir = tempDir('nousable');
    put(dir, 'good/a.txt', 'x'.repeat(100));
    put(dir, 'code/table.csv', 'a,b');
    put(dir, 'code/sub/paper.pdf', '%PDF');
    const err = await failure(dir);
    expect(err.message).toBe(`domain "code" (folder ${join(dir, 'code')}) has no usable files: found sub/paper.pdf, table.csv (usable: ${USABLE_FILES})`);
    expect(err.domain).toBe('code');
    const empty = tempDir('emptydomain');
    mkdirSync(join(empty, 'prose'));
    expect((await failure(empty)).message).toBe(`domain "prose" (folder ${join(empty, 'prose')}) has no usable files: it is empty (usable: ${USABLE_FILES})`);
  });

  it('a domain smaller than one window: its tokens and what it needs', async () => {
    const dir = tempDir('small');
    put(dir, 'big/a.txt', 'x'.repeat(10_000));
    put(dir, 'tiny/a.txt', 'x'.repeat(300));
    expect((await failure(dir, { minTokens: 257 })).message).toBe(
      'domain "tiny" has 300 tokens, too few for a training split and a held-out split of at least one window (257 tokens) each: it needs 514 (held out: 257, fraction 0.01)',
    );
    expect((await failure(dir, { minTokens: 301, heldOut: 0 })).message).toBe('domain "tiny" has 300 tokens, fewer than one window needs (301 tokens, minTokens)');
    const held = tempDir('smallheld');
    put(held, 'd/a.txt', 'x'.repeat(1000));
    put(held, 'd/heldout/b.txt', 'x'.repeat(10));
    expect((await failure(held, { minTokens: 64 })).message).toBe('domain "d" has 10 tokens in its held-out files, fewer than one window needs (64 tokens, minTokens)');
  });

  it('bad options', async () => {
    const dir = tempDir('options');
    expect((await failure(dir, { heldOut: 1 })).message).toBe('openCorpus: heldOut must be a fraction in [0, 1), got 1');
    expect((await failure(dir, { minTokens: 0 })).message).toBe('openCorpus: minTokens must be an integer ≥ 1, got 0');
    expect((await failure(dir, { tokenizer: 'bpe' as never })).message).toBe('openCorpus: tokenizer must be "byte" or "gpt2", got "bpe"');
    expect((await failure(dir, { textField: '' })).message).toBe('openCorpus: textField must be a non-empty field name, got ""');
  });
});

describe('errors: the files', () => {
  it('a JSONL line without the text field, bad JSON, a text that is not a string: file:line', async () => {
    const dir = tempDir('badjsonl');
    const path = put(dir, 'd/a.jsonl', '{"text": "ok"}\n\n{"id": 7, "content": "x"}\n');
    const err = await failure(dir);
    expect(err.message).toBe(`${path}:3: no field "text" (its fields: "id", "content") (skipBadLines / --skip-bad-lines skips and counts such lines)`);
    expect([err.file, err.line, err.domain]).toEqual([path, 3, 'd']);
    writeFileSync(path, '{"text": "ok"}\n{"text": "unterminated\n');
    expect((await failure(dir)).message).toMatch(new RegExp(`^${path}:2: not valid JSON \\(.+\\) \\(skipBadLines`));
    writeFileSync(path, '{"text": ["a"]}\n');
    expect((await failure(dir)).message).toBe(`${path}:1: field "text" is an array, not a string (skipBadLines / --skip-bad-lines skips and counts such lines)`);
    writeFileSync(path, '{"body": "x"}\n');
    expect((await failure(dir, { textField: 'content' })).message).toBe(`${path}:1: no field "content" (its fields: "body") (skipBadLines / --skip-bad-lines skips and counts such lines)`);
  });

  it('a corrupt or truncated gzip file: the file and how far it got', async () => {
    const dir = tempDir('badgzip');
    const gz = gzipSync(Buffer.from('hello world\n'.repeat(200_000)));
    const path = join(dir, 'd', 'a.txt.gz');
    mkdirSync(join(dir, 'd'));
    writeFileSync(path, gz.subarray(0, gz.length - 200));
    expect((await failure(dir)).message).toMatch(new RegExp(`^${path}: corrupt gzip data \\(unexpected end of file\\) after \\d+ decompressed bytes, within the first ${gz.length - 200} bytes of the file$`));
    writeFileSync(path, Buffer.concat([Buffer.from('PK'), gz]));
    expect((await failure(dir)).message).toBe(`${path}: corrupt gzip data (incorrect header check) after 0 decompressed bytes, within the first ${gz.length + 2} bytes of the file`);
  });

  it('a corrupt parquet file: the file, and the row group when its footer is fine', async () => {
    const dir = tempDir('badparquet');
    mkdirSync(join(dir, 'd'));
    const path = join(dir, 'd', 'x.parquet');
    const good = readFileSync(join(FIXTURES, 'alpha.parquet'));
    writeFileSync(path, good.subarray(0, 2000));
    expect((await failure(dir, { textField: 'id' })).message).toBe(`${path}: not a readable parquet file (parquet file invalid (footer != PAR1))`);
    const damaged = Buffer.from(good);
    for (let i = 600; i < 700; i++) damaged[i] ^= 0xff;
    writeFileSync(path, damaged);
    expect((await failure(dir, { textField: 'id' })).message).toMatch(new RegExp(`^${path}: row group 1 \\(rows 100–199\\) cannot be read: .+`));
  });

  it('a parquet file without the text column names the columns it has; a column that is not text says its type', async () => {
    const dir = tempDir('parquetcols');
    mkdirSync(join(dir, 'd'));
    const path = join(dir, 'd', 'x.parquet');
    copyFileSync(join(FIXTURES, 'brotli_compressed.parquet'), path);
    expect((await failure(dir)).message).toBe(`${path}: no column "text" (its columns: "c0", "c1", "v11"); name the text column with textField (--text-field)`);
    expect((await failure(dir, { textField: 'c0' })).message).toBe(`${path}: column "c0" holds INT64 values, not text (BYTE_ARRAY strings)`);
  });

  it('a .bin file of an odd size, or with ids outside the vocabulary', async () => {
    const dir = tempDir('badbin');
    const path = put(dir, 'd/a.bin', Buffer.from([1, 0, 2]));
    expect((await failure(dir)).message).toBe(`${path}: its size of 3 bytes is not a whole number of 2-byte tokens (a .bin file holds little-endian uint16 token ids)`);
    const gz = put(dir, 'd/a.bin', Buffer.alloc(0));
    put(dir, 'd/b.bin.gz', Buffer.from([1, 0, 2]));
    expect((await failure(dir)).message).toBe(`${join(dir, 'd/b.bin.gz')}: its decompressed data of 3 bytes is not a whole number of 2-byte tokens (a .bin file holds little-endian uint16 token ids)`);
    writeFileSync(gz, Buffer.from(new Uint16Array([5, 60000]).buffer));
    put(dir, 'd/b.bin.gz', Buffer.alloc(0));
    expect((await failure(dir, { tokenizer: 'gpt2' })).message).toBe(
      `${gz}: token 60000 at token offset 1 is outside the vocabulary [0, 50257) of the gpt2 tokeniser; declare the tokeniser the file was made with (tokenizer / --tokenizer, or "vocabSize" in a manifest)`,
    );
  });
});

describe('errors: the manifest', () => {
  it('a path that does not exist, a glob that matches nothing: manifest, domain, entry', async () => {
    const m = manifestWith({ domains: [{ name: 'code', files: ['a.txt', 'data/missing.txt'] }] }, { 'a.txt': 'x' });
    const dir = join(m, '..');
    expect((await failure(m)).message).toBe(`${m}: domain "code" (domains[0]): files[1] "data/missing.txt" does not exist (${join(dir, 'data/missing.txt')})`);
    const g = manifestWith({ domains: [{ name: 'a', files: ['a.txt'] }, { name: 'rust', files: ['src/**/*.rs'] }] }, { 'a.txt': 'x' });
    expect((await failure(g)).message).toBe(`${g}: domain "rust" (domains[1]): files[0] "src/**/*.rs" matches no file (relative to ${join(g, '..')})`);
    const h = manifestWith({ domains: [{ name: 'a', files: ['a.txt'], heldOut: ['val/*.txt'] }] }, { 'a.txt': 'x' });
    expect((await failure(h)).message).toBe(`${h}: domain "a" (domains[0]): heldOut[0] "val/*.txt" matches no file (relative to ${join(h, '..')})`);
  });

  it('a folder entry with no corpus files in it', async () => {
    const m = manifestWith({ domains: [{ name: 'docs', files: ['pdfs/'] }] }, { 'pdfs/a.pdf': '%PDF', 'pdfs/b.pdf': '%PDF' });
    expect((await failure(m)).message).toBe(`${m}: domain "docs" (domains[0]): no usable files: the folders in files hold only a.pdf, b.pdf (usable: ${USABLE_FILES})`);
  });

  it('unknown fields, with their path and the field probably meant', async () => {
    const m = manifestWith({ domains: [{ name: 'a', fils: ['a.txt'] }] });
    expect((await failure(m)).message).toBe(`${m}: unknown field "domains[0].fils" (did you mean "domains[0].files"?)`);
    const top = manifestWith({ domains: [{ name: 'a', files: ['a.txt'] }], priors: [1] });
    expect((await failure(top)).message).toBe(`${top}: unknown field "priors" (did you mean "prior"?)`);
  });

  it('a wrong value: its path, what it must be, what it is', async () => {
    const m = manifestWith({ domains: [{ name: 'a', files: ['a.txt'], maxTokens: 0 }] });
    expect((await failure(m)).message).toBe(`${m}: domains[0].maxTokens must be an integer ≥ 1, got 0`);
    const h = manifestWith({ domains: [{ name: 'a', files: ['a.txt'], heldOut: 1.5 }] });
    expect((await failure(h)).message).toBe(`${h}: domains[0].heldOut must be a fraction in [0, 1), got 1.5`);
    const e = manifestWith({ domains: [] });
    expect((await failure(e)).message).toBe(`${e}: domains must list at least one domain`);
    const t = manifestWith({ domains: [{ name: 'a', files: ['a.txt'] }], tokenizer: 'bert' });
    expect((await failure(t)).message).toBe(`${t}: tokenizer must be "byte" or "gpt2", got "bert"`);
  });

  it('not JSON: the line and column', async () => {
    const m = manifestWith('{\n  "domains": [\n    {"name": "a",, "files": []}\n  ]\n}\n');
    expect((await failure(m)).message).toMatch(new RegExp(`^${m}:3:18: not valid JSON \\(.+\\)$`));
  });

  it('a domain named twice; a prior that does not fit the domains', async () => {
    const files = { 'a.txt': 'x'.repeat(100) };
    const twice = manifestWith({ domains: [{ name: 'a', files: ['a.txt'] }, { name: 'a', files: ['a.txt'] }] }, files);
    expect((await failure(twice)).message).toBe(`${twice}: domains[1].name "a" is already the name of domains[0]`);
    const two = [{ name: 'code', files: ['a.txt'] }, { name: 'prose', files: ['a.txt'] }];
    const short = manifestWith({ domains: two, prior: [1] }, files);
    expect((await failure(short)).message).toBe(`${short}: prior has 1 weights for 2 domains (one per domain, in the order of "domains")`);
    const typo = manifestWith({ domains: two, prior: { cod: 1, prose: 1 } }, files);
    expect((await failure(typo)).message).toBe(`${typo}: prior names unknown domain "cod" (did you mean "code"?); the domains are code, prose`);
    const missing = manifestWith({ domains: two, prior: { code: 1 } }, files);
    expect((await failure(missing)).message).toBe(`${missing}: prior has no weight for domain "prose"`);
    const zero = manifestWith({ domains: two, prior: [0, 0] }, files);
    expect((await failure(zero)).message).toBe(`${zero}: prior weights sum to 0; at least one must be > 0`);
  });

  it('a file both trained on and held out; a tokeniser that contradicts the manifest', async () => {
    const files = { 'a.txt': 'x'.repeat(100), 'b.txt': 'y'.repeat(100) };
    const both = manifestWith({ domains: [{ name: 'a', files: ['*.txt'], heldOut: ['b.txt'] }] }, files);
    expect((await failure(both)).message).toBe(`${both}: domain "a" (domains[0]): ${join(both, '../b.txt')} is both a training file (files) and a held-out file (heldOut)`);
    const gpt = manifestWith({ domains: [{ name: 'a', files: ['a.txt'] }], tokenizer: 'gpt2' }, files);
    expect((await failure(gpt, { tokenizer: 'byte' })).message).toBe(`${gpt}: the manifest declares tokenizer "gpt2", but "byte" was asked for`);
    const vocab = manifestWith({ domains: [{ name: 'a', files: ['a.txt'] }], vocabSize: 50304 }, files);
    expect((await failure(vocab)).message).toBe(`${vocab}: vocabSize 50304 is not the byte tokeniser's 256`);
  });
});
