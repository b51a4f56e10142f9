/**
 * Tokenising a corpus far larger than the memory it may use: 200 MB of generated text (one
 * 120 MB document, 80 MB of gzip-compressed JSONL records) and a 30 MB single document for
 * GPT-2. The resident set may grow by less than 150 MB over what it was before the open,
 * sampled at every progress report (the peak, not just the end). Not a timing test.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gpt2Tokenizer, openCorpus } from '../../src/data/index.js';
import { sampleText, tempDir } from './corpusFiles.js';

const MB = 1e6;
const LIMIT = 150 * 1024 * 1024;

/** Writes `bytes` of text to `path` in 1 MB blocks, each block a little different. */
function writeLarge(path: string, bytes: number, block: (i: number) => Buffer): void {
  const fd = openSync(path, 'w');
  try {
    for (let done = 0, i = 0; done < bytes; i++) {
      const b = block(i);
      writeSync(fd, b);
      done += b.length;
    }
  } finally {
    closeSync(fd);
  }
}

/** Peak RSS growth while `open` runs, sampled at each progress report. */
async function peakGrowth(open: (onProgress: () => void) => Promise<unknown>): Promise<number> {
  const before = process.memoryUsage().rss;
  let peak = before;
  await open(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  });
  return Math.max(peak, process.memoryUsage().rss) - before;
}

describe('bounded memory', () => {
  it('tokenises 200 MB with under 150 MB of RSS growth (byte level)', { timeout: 120_000 }, async () => {
    const dir = tempDir('large');
    const text = Buffer.from(sampleText(1, MB));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'big'));
    mkdirSync(join(dir, 'records'));
    writeLarge(join(dir, 'big', 'one.txt'), 120 * MB, (i) => Buffer.concat([text, Buffer.from(` block ${i}\n`)]));
    const line = JSON.stringify({ text: text.toString().slice(0, 4000) });
    const records = Buffer.from(`${line}\n`.repeat(250));
    const fd = openSync(join(dir, 'records', 'r.jsonl.gz'), 'w');
    for (let done = 0; done < 80 * MB; done += records.length) writeSync(fd, gzipSync(records, { level: constants.Z_BEST_SPEED })); // concatenated gzip members
    closeSync(fd);

    let reports = 0;
    const growth = await peakGrowth((onProgress) =>
      openCorpus(dir, {
        onProgress: () => {
          reports++;
          onProgress();
        },
      }).then((c) => {
        expect(c.domains[0].trainTokens + c.domains[0].heldOutTokens).toBeGreaterThan(120 * MB);
        expect(c.domains[1].trainTokens + c.domains[1].heldOutTokens).toBeGreaterThan(75 * MB);
      }),
    );
    expect(reports).toBeGreaterThan(100);
    expect(growth).toBeLessThan(LIMIT);
  });

  it('tokenises a 30 MB single document with GPT-2 BPE under the same bound', { timeout: 120_000 }, async () => {
    await gpt2Tokenizer(); // its tables are loaded before the measure starts
    const dir = tempDir('largebpe');
    const text = Buffer.from(sampleText(2, MB));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'one'));
    writeLarge(join(dir, 'one', 'doc.txt'), 30 * MB, (i) => Buffer.concat([text, Buffer.from(` block ${i}\n`)]));
    const growth = await peakGrowth((onProgress) => openCorpus(dir, { tokenizer: 'gpt2', onProgress }));
    expect(growth).toBeLessThan(LIMIT);
  });
});
