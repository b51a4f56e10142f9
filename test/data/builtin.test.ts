import { describe, expect, it } from 'vitest';
import { BUILTIN_DOMAINS, VOCAB_SIZE, builtinCorpus, decodeTokens, encodeText } from '../../src/data/index.js';

describe('built-in corpus', () => {
  const corpus = builtinCorpus({ seed: 7, trainChars: { code: 20_000, prose: 20_000, json: 20_000, random: 20_000 }, heldOutChars: 4000 });
  const byName = Object.fromEntries(corpus.map((d) => [d.name, d]));

  it('has the four domains, exact sizes, and is deterministic in its seed', () => {
    expect(corpus.map((d) => d.name)).toEqual([...BUILTIN_DOMAINS]);
    for (const d of corpus) {
      expect(d.train.length).toBe(20_000);
      expect(d.heldOut.length).toBe(4000);
      expect(d.train.every((t) => t < VOCAB_SIZE)).toBe(true);
    }
    const again = builtinCorpus({ seed: 7, trainChars: { code: 20_000, prose: 20_000, json: 20_000, random: 20_000 }, heldOutChars: 4000 });
    again.forEach((d, k) => expect(Buffer.from(d.train).equals(Buffer.from(corpus[k].train))).toBe(true));
    const other = builtinCorpus({ seed: 8, domains: ['prose'], trainChars: { prose: 20_000 }, heldOutChars: 4000 });
    expect(Buffer.from(other[0].train).equals(Buffer.from(byName.prose.train))).toBe(false);
  });

  it('held-out text is not the training text', () => {
    for (const d of corpus) expect(decodeTokens(d.train).includes(decodeTokens(d.heldOut.subarray(0, 200)))).toBe(false);
  });

  it('domains have their own character', () => {
    const code = decodeTokens(byName.code.train);
    expect(code).toMatch(/function \w+\(/);
    expect(code).toMatch(/return /);
    const prose = decodeTokens(byName.prose.train);
    expect(prose).toMatch(/[A-Z][a-z]+ [a-z]+ [a-z]+/);
    const lines = decodeTokens(byName.json.train).split('\n').slice(0, -1);
    for (const line of lines) {
      const r = JSON.parse(line);
      expect(Object.keys(r)).toEqual(['id', 'name', 'email', 'age', 'city', 'active', 'score', 'tags']);
    }
    // Random characters: near-uniform over all 96 symbols.
    const hist = new Array(VOCAB_SIZE).fill(0);
    for (const t of byName.random.train) hist[t]++;
    const expected = 20_000 / VOCAB_SIZE;
    const chi2 = hist.reduce((a, h) => a + (h - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(160); // 95 degrees of freedom
    expect(Math.min(...hist)).toBeGreaterThan(0);
  });

  it('encodes and decodes the vocabulary, and names characters outside it', () => {
    const text = 'Hello, {"a": [1]}\n~';
    expect(decodeTokens(encodeText(text))).toBe(text);
    expect(() => encodeText('naïve', 'sample')).toThrow(/sample: character "ï" \(code 239\) at offset 2 is outside the vocabulary/);
    expect(() => builtinCorpus({ domains: ['poetry' as never] })).toThrow(/unknown domain "poetry"; built-in domains are code, prose, json, random/);
  });
});
