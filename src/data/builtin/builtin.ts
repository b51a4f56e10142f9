/**
 * The built-in multi-domain corpus: four domains of clearly different character, each
 * generated offline and deterministically from a seeded generator (nothing is downloaded),
 * each with a training split and a held-out split drawn from an independent stream.
 *
 * | domain | what                                   | learnable?                       |
 * |--------|----------------------------------------|----------------------------------|
 * | code   | JS/TS-like functions                   | yes, very (syntax, keywords)     |
 * | prose  | grammar-built English paragraphs       | yes (words, agreement)           |
 * | json   | one JSON record per line, fixed schema | yes, very (keys, quoting)        |
 * | random | uniform random characters              | no: loss stays at ln 96 ≈ 4.56   |
 *
 * The default sizes make the natural mixture (each domain's share of the training text)
 * 30 % code, 30 % prose, 15 % json and 25 % random characters — a corpus where a quarter
 * of the data is noise, as scraped corpora often are.
 */
import { Rng } from '../../random/index.js';
import { codeFunction } from './code.js';
import { jsonRecord } from './json.js';
import { proseParagraph } from './prose.js';
import { randomTokens } from './random.js';
import { encodeText } from './vocab.js';

export const BUILTIN_DOMAINS = ['code', 'prose', 'json', 'random'] as const;
export type BuiltinDomain = (typeof BUILTIN_DOMAINS)[number];

/** Default training-split sizes in characters. */
export const DEFAULT_TRAIN_CHARS: Readonly<Record<BuiltinDomain, number>> = {
  code: 240_000,
  prose: 240_000,
  json: 120_000,
  random: 200_000,
};

/** Default held-out split size in characters, per domain. */
export const DEFAULT_HELDOUT_CHARS = 16_384;

export interface CorpusDomain {
  name: string;
  /** One line saying what the domain holds. */
  description: string;
  train: Uint8Array;
  heldOut: Uint8Array;
}

export interface BuiltinCorpusOptions {
  /** Generator seed (default 1234). Same seed, same corpus. */
  seed?: number;
  /** Which domains, in order (default all four). */
  domains?: readonly BuiltinDomain[];
  /** Training-split sizes in characters, per domain (defaults above). */
  trainChars?: Partial<Record<BuiltinDomain, number>>;
  /** Held-out split size in characters, per domain (default 16,384). */
  heldOutChars?: number;
}

const DESCRIPTIONS: Record<BuiltinDomain, string> = {
  code: 'JavaScript/TypeScript-like functions from a grammar',
  prose: 'English paragraphs from a phrase-structure grammar',
  json: 'one JSON record per line, fixed schema',
  random: 'uniformly random characters (cannot be learned)',
};

const UNITS: Record<Exclude<BuiltinDomain, 'random'>, (rng: Rng) => string> = {
  code: codeFunction,
  prose: proseParagraph,
  json: jsonRecord,
};

/** Independent stream per (seed, domain, split): a splitmix-style hash of the three. */
function streamSeed(seed: number, domain: number, split: number): number {
  let h = (Math.trunc(seed) ^ Math.imul(domain + 1, 0x9e3779b1) ^ Math.imul(split + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

/** Exactly `chars` tokens of one domain from one stream. */
export function generateDomain(domain: BuiltinDomain, rng: Rng, chars: number): Uint8Array {
  if (!Number.isInteger(chars) || chars <= 0) throw new Error(`corpus ${domain}: size must be a positive integer number of characters, got ${chars}`);
  if (domain === 'random') return randomTokens(rng, chars);
  const unit = UNITS[domain];
  const parts: string[] = [];
  let length = 0;
  while (length < chars) {
    const s = unit(rng);
    parts.push(s);
    length += s.length;
  }
  return encodeText(parts.join('').slice(0, chars), `corpus ${domain}`);
}

/** Builds the corpus; deterministic in its options. */
export function builtinCorpus(options: BuiltinCorpusOptions = {}): CorpusDomain[] {
  const seed = options.seed ?? 1234;
  const names = options.domains ?? BUILTIN_DOMAINS;
  const heldOut = options.heldOutChars ?? DEFAULT_HELDOUT_CHARS;
  const seen = new Set<string>();
  return names.map((name) => {
    const index = BUILTIN_DOMAINS.indexOf(name);
    if (index < 0) throw new Error(`corpus: unknown domain ${JSON.stringify(name)}; built-in domains are ${BUILTIN_DOMAINS.join(', ')}`);
    if (seen.has(name)) throw new Error(`corpus: domain ${name} is listed twice`);
    seen.add(name);
    const trainChars = options.trainChars?.[name] ?? DEFAULT_TRAIN_CHARS[name];
    return {
      name,
      description: DESCRIPTIONS[name],
      train: generateDomain(name, new Rng(streamSeed(seed, index, 0)), trainChars),
      heldOut: generateDomain(name, new Rng(streamSeed(seed, index, 1)), heldOut),
    };
  });
}
