/**
 * A generated data folder for the data benchmarks (and the training-from-disk benchmark built
 * on them): `generateCorpusDir(dir, bytes, seed)` writes about `bytes` bytes of text in three
 * domains, from the built-in corpus's seeded grammars, deterministically in (bytes, seed):
 *
 *   code/     000.txt …       JS/TS-like functions                       40 %
 *   prose/    000.md …        English paragraphs                         40 %
 *   records/  000.jsonl.gz …  {"id", "text"} lines, text ≈ 2–6 KB of JSON 20 %  (gzip, level 1)
 *
 * Files hold at most 8 MB of text and are written in 1 MB blocks, so generating a 2 GB
 * corpus takes 1 MB of memory. Generation runs at ≈ 40 MB/s (the grammars).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gzipSync } from 'node:zlib';
import { codeFunction, jsonRecord, proseParagraph } from '../src/data/index.js';
import { Rng } from '../src/random/index.js';

export interface GeneratedCorpus {
  dir: string;
  domains: string[];
  /** Bytes of text (uncompressed) written, per domain and in all. */
  textBytes: Record<string, number>;
  totalTextBytes: number;
  files: number;
}

const FILE_BYTES = 8_000_000;
const BLOCK_BYTES = 1_000_000;

interface DomainRecipe {
  name: string;
  share: number;
  ext: string;
  /** One block of about BLOCK_BYTES of the file's content (text). */
  block(rng: Rng): string;
}

function repeatUnits(rng: Rng, unit: (rng: Rng) => string): string {
  const parts: string[] = [];
  for (let n = 0; n < BLOCK_BYTES; ) {
    const s = unit(rng);
    parts.push(s);
    n += s.length;
  }
  return parts.join('');
}

const RECIPES: DomainRecipe[] = [
  { name: 'code', share: 0.4, ext: 'txt', block: (rng) => repeatUnits(rng, codeFunction) },
  { name: 'prose', share: 0.4, ext: 'md', block: (rng) => repeatUnits(rng, proseParagraph) },
  {
    name: 'records',
    share: 0.2,
    ext: 'jsonl.gz',
    block: (rng) => {
      const lines: string[] = [];
      for (let n = 0, id = 0; n < BLOCK_BYTES; id++) {
        let text = '';
        const target = 2000 + rng.int(4000);
        while (text.length < target) text += jsonRecord(rng);
        const line = `${JSON.stringify({ id, text })}\n`;
        lines.push(line);
        n += line.length;
      }
      return lines.join('');
    },
  },
];

export function generateCorpusDir(dir: string, bytes: number, seed: number): GeneratedCorpus {
  const textBytes: Record<string, number> = {};
  let files = 0;
  RECIPES.forEach((recipe, k) => {
    const rng = new Rng((seed * 7919 + k * 104729) >>> 0);
    const target = Math.max(1, Math.round(bytes * recipe.share));
    mkdirSync(join(dir, recipe.name), { recursive: true });
    let written = 0;
    for (let f = 0; written < target; f++) {
      const fd = openSync(join(dir, recipe.name, `${String(f).padStart(3, '0')}.${recipe.ext}`), 'w');
      files++;
      try {
        for (let inFile = 0; inFile < FILE_BYTES && written < target; ) {
          let data = Buffer.from(recipe.block(rng));
          // Text is cut at the target; JSON lines are kept whole (a cut line would be a bad record).
          if (recipe.name !== 'records' && data.length > target - written) data = data.subarray(0, target - written);
          // Each block its own gzip member: the file is one valid (concatenated) gzip stream.
          const out = recipe.ext.endsWith('.gz') ? gzipSync(data, { level: constants.Z_BEST_SPEED }) : data;
          for (let off = 0; off < out.length; ) off += writeSync(fd, out, off);
          inFile += data.length;
          written += data.length;
        }
      } finally {
        closeSync(fd);
      }
    }
    textBytes[recipe.name] = written;
  });
  const totalTextBytes = Object.values(textBytes).reduce((a, b) => a + b, 0);
  return { dir, domains: RECIPES.map((r) => r.name), textBytes, totalTextBytes, files };
}
