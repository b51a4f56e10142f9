/**
 * Parquet files written by real writers (pyarrow, parquet-mr, parquet-cpp, Spark; copied from
 * hyparquet's test files, see test/fixtures/parquet/README.md), one per codec, and
 * pre-tokenised .bin shards.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCorpus } from '../../src/data/index.js';
import { put, readAll, tempDir, utf8 } from './corpusFiles.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/parquet');

/** A data folder with one domain holding the fixture `name`.parquet. */
function parquetFolder(name: string): string {
  const dir = tempDir('parquet');
  mkdirSync(join(dir, 'd'));
  copyFileSync(join(FIXTURES, `${name}.parquet`), join(dir, 'd', 'x.parquet'));
  return dir;
}

async function parquetText(name: string, column: string): Promise<string> {
  const corpus = await openCorpus(parquetFolder(name), { textField: column, heldOut: 0 });
  return Buffer.from(readAll(corpus.reader(0, 'train'))).toString('utf8');
}

const letters = 'abcdefghijklmnopqrstuvwxyz';
const pairs = [...letters].flatMap((a) => [...letters].map((b) => a + b));

describe('parquet', () => {
  it.each([
    ['strings', 'c_utf8', 'UNCOMPRESSED, UTF8 column', 'alphabravocharliedelta'],
    ['strings', 'bytes', 'un-annotated BYTE_ARRAY column', 'alphabravocharliedelta'],
    ['alpha', 'id', 'SNAPPY, 7 row groups', pairs.join('')],
    ['brotli_compressed', 'c1', 'BROTLI', 'abcdefabcdef'],
    ['lz4_raw_compressed', 'c1', 'LZ4_RAW', 'abcdefabcdef'],
    ['delta_length_byte_array', 'FRUIT', 'ZSTD, DELTA_LENGTH_BYTE_ARRAY', Array.from({ length: 1000 }, (_, i) => `apple_banana_mango${i * i}`).join('')],
    ['datapage_v2.snappy', 'a', 'data page v2, a null row passed over', 'abcabcabcabc'],
  ])('%s.parquet column %s (%s): one document per row', async (name, column, _what, text) => {
    expect(await parquetText(name, column)).toBe(text);
  });

  it('with gpt2 every row is a document ending in <|endoftext|>', async () => {
    const corpus = await openCorpus(parquetFolder('strings'), { textField: 'c_utf8', tokenizer: 'gpt2', heldOut: 0 });
    const ids = readAll(corpus.reader(0, 'train'));
    expect(ids.filter((t) => t === 50256).length).toBe(4);
    expect(ids.at(-1)).toBe(50256);
  });

  it('a gzip-compressed parquet file is read through a temporary copy, which is removed', async () => {
    const dir = tempDir('parquetgz');
    put(dir, 'd/x.parquet.gz', readFileSync(join(FIXTURES, 'alpha.parquet'))); // put() gzips .gz names
    const corpus = await openCorpus(dir, { textField: 'id', heldOut: 0 });
    expect(Buffer.from(readAll(corpus.reader(0, 'train'))).toString()).toBe(pairs.join(''));
    expect(readdirSync(join(dir, '.adomix-cache')).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});

describe('pre-tokenised .bin shards', () => {
  const ids = (xs: number[]) => Buffer.from(new Uint16Array(xs).buffer);

  it('a corpus of .bin files only is "pretokenized", 65,536 ids unless declared, tokens copied unchanged', async () => {
    const dir = tempDir('bin');
    put(dir, 'a/train.bin', ids([1, 50000, 65535, 7]));
    put(dir, 'a/more.bin.gz', ids([9, 8, 7, 6, 5]));
    put(dir, 'b/x.bin', ids([300, 301, 302]));
    const corpus = await openCorpus(dir, { heldOut: 0 });
    expect(corpus.tokenizer).toBe('pretokenized');
    expect(corpus.vocabSize).toBe(65536);
    expect(readAll(corpus.reader(0, 'train'))).toEqual([9, 8, 7, 6, 5, 1, 50000, 65535, 7]); // more.bin.gz sorts first
    expect(readAll(corpus.reader(1, 'train'))).toEqual([300, 301, 302]);
  });

  it('with a declared tokeniser, .bin tokens join the text files’ tokens (and are checked against its vocabulary)', async () => {
    const dir = tempDir('bintext');
    put(dir, 'd/a.bin', ids([15496, 995, 50256]));
    put(dir, 'd/b.txt', 'Hello world');
    const corpus = await openCorpus(dir, { tokenizer: 'gpt2', heldOut: 0 });
    expect(corpus.tokenizer).toBe('gpt2');
    expect(readAll(corpus.reader(0, 'train'))).toEqual([15496, 995, 50256, 15496, 995, 50256]);
    const bytes = tempDir('binbyte');
    put(bytes, 'd/a.bin', ids([104, 105]));
    put(bytes, 'd/b.txt', '!');
    expect(readAll((await openCorpus(bytes, { heldOut: 0 })).reader(0, 'train'))).toEqual([104, 105, ...utf8('!')]);
  });
});
