import { describe, expect, it } from 'vitest';
import { byteTokenizer, gpt2Tokenizer, GPT2_END_OF_TEXT } from '../../src/data/index.js';
import { CHUNK_CHARS, lastSafeCut, MAX_CARRY_CHARS, streamEncoder, type TokenSink } from '../../src/data/tokenizers/index.js';
import { Rng } from '../../src/random/index.js';
import { sampleText, utf8 } from './corpusFiles.js';

/** A sink that keeps every token. */
function arraySink(): TokenSink & { tokens: number[] } {
  const tokens: number[] = [];
  const add = (t: ArrayLike<number>): void => {
    for (let i = 0; i < t.length; i++) tokens.push(t[i]);
  };
  return { tokens, push: add, pushBytes: add };
}

/** Feeds `text` to an encoder as UTF-8 bytes in pieces of random sizes (cutting characters apart). */
function feedBytes(encoder: ReturnType<typeof streamEncoder>, text: string, seed: number, maxPiece: number): void {
  const bytes = Buffer.from(text, 'utf8');
  const rng = new Rng(seed);
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + rng.int(maxPiece);
    encoder.bytes(bytes.subarray(at, at + n));
    at += n;
  }
  encoder.endDocument();
}

describe('tokenisers', () => {
  it('byte level: the UTF-8 bytes, 256 symbols, no end-of-text, decodes back', () => {
    expect(byteTokenizer.vocabSize).toBe(256);
    expect(byteTokenizer.endOfText).toBeUndefined();
    expect(Array.from(byteTokenizer.encode('aé🚀'))).toEqual([0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x9a, 0x80]);
    expect(byteTokenizer.decode!([0x61, 0xc3, 0xa9])).toBe('aé');
  });

  it('gpt2: r50k_base with 50,257 ids, <|endoftext|> = 50256, special-token text encoded as ordinary text', async () => {
    const gpt2 = await gpt2Tokenizer();
    expect(gpt2.vocabSize).toBe(50257);
    expect(gpt2.endOfText).toBe(GPT2_END_OF_TEXT);
    expect(Array.from(gpt2.encode('Hello world'))).toEqual([15496, 995]);
    const forged = Array.from(gpt2.encode('a <|endoftext|> b'));
    expect(forged).not.toContain(50256);
    expect(gpt2.decode!(forged)).toBe('a <|endoftext|> b');
    expect(await gpt2Tokenizer()).toBe(gpt2); // loaded once
  });
});

describe('safe cuts for chunked BPE', () => {
  it('cuts only before a lone space or newline between non-whitespace characters', () => {
    expect(lastSafeCut('hello world')).toBe(5);
    expect(lastSafeCut('one.\nTwo')).toBe(4);
    expect(lastSafeCut('a  b')).toBe(-1); // a run of two spaces
    expect(lastSafeCut('a\n\nb')).toBe(-1);
    expect(lastSafeCut('a \tb')).toBe(-1);
    expect(lastSafeCut('word')).toBe(-1);
    expect(lastSafeCut(' leading')).toBe(-1); // nothing before the space
    expect(lastSafeCut('x y z')).toBe(3); // the last one
    expect(lastSafeCut('x y z', 4)).toBe(-1);
  });

  it('at every cut it allows, encoding the halves apart gives the tokens of the whole (and a cut inside a whitespace run would not)', async () => {
    const gpt2 = await gpt2Tokenizer();
    const text = `${sampleText(21, 2500)} x\n\n\ny 'tis  it's\u00a0here\u2003there \u0301é 12 34 ${sampleText(22, 500)}`;
    const whole = Array.from(gpt2.encode(text)).join(',');
    let cuts = 0;
    for (let i = 1; i < text.length - 1; i++) {
      if (lastSafeCut(text.slice(0, i + 2), i) !== i) continue;
      cuts++;
      expect([...gpt2.encode(text.slice(0, i)), ...gpt2.encode(text.slice(i))].join(','), `cut at ${i}`).toBe(whole);
    }
    expect(cuts).toBeGreaterThan(300);
    const inRun = text.indexOf('x\n\n\ny') + 2; // between the first and second newline
    expect([...gpt2.encode(text.slice(0, inRun)), ...gpt2.encode(text.slice(inRun))].join(',')).not.toBe(whole);
  });

  it('streaming a long text through the BPE encoder gives exactly the tokens of encoding it whole, plus end-of-text', async () => {
    const gpt2 = await gpt2Tokenizer();
    const text = sampleText(11, 3 * CHUNK_CHARS + 12_345);
    const whole = Array.from(gpt2.encode(text));
    const sink = arraySink();
    feedBytes(streamEncoder(gpt2, sink), text, 5, 70_000);
    expect(sink.tokens.length).toBe(whole.length + 1);
    expect(sink.tokens.slice(0, -1)).toEqual(whole);
    expect(sink.tokens.at(-1)).toBe(50256);
    // Text pieces (JSONL records, parquet rows) the same way.
    const bytext = arraySink();
    const enc = streamEncoder(gpt2, bytext);
    for (let at = 0; at < text.length; at += 99_991) enc.text(text.slice(at, at + 99_991));
    enc.endDocument();
    expect(bytext.tokens).toEqual(sink.tokens);
  });

  it('a text with no safe cut is cut anyway once MAX_CARRY_CHARS are carried, and still decodes to itself', async () => {
    const gpt2 = await gpt2Tokenizer();
    const text = 'ab  cd  '.repeat(Math.ceil((MAX_CARRY_CHARS + CHUNK_CHARS) / 8));
    const sink = arraySink();
    const enc = streamEncoder(gpt2, sink);
    for (let at = 0; at < text.length; at += 1 << 20) enc.text(text.slice(at, at + (1 << 20)));
    enc.endDocument();
    expect(gpt2.decode!(sink.tokens.slice(0, -1))).toBe(text);
  });

  it('the byte stream writes UTF-8 bytes, split characters and all, with nothing between documents', () => {
    const text = sampleText(3, 5000);
    const sink = arraySink();
    const enc = streamEncoder(byteTokenizer, sink);
    feedBytes(enc, text, 9, 7);
    enc.text('é');
    enc.endDocument();
    expect(sink.tokens).toEqual([...utf8(text), 0xc3, 0xa9]);
  });
});
