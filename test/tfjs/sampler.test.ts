import { describe, expect, it } from 'vitest';
import { AliasTable, DomainSampler } from '../../src/tfjs/sampler.js';
import { ExampleSource } from '../../src/tfjs/sources.js';
import { Rng } from '../../src/random/index.js';

describe('AliasTable', () => {
  it('draws each domain with its weight (200k draws, within 4 standard errors)', () => {
    const w = [0.5, 0.3, 0.15, 0.05, 0];
    const table = new AliasTable();
    table.set(w);
    const rng = new Rng(7);
    const n = 200_000;
    const hits = new Float64Array(w.length);
    for (let i = 0; i < n; i++) hits[table.draw(rng.next())]++;
    for (let k = 0; k < w.length; k++) {
      const se = Math.sqrt((w[k] * (1 - w[k])) / n);
      expect(Math.abs(hits[k] / n - w[k])).toBeLessThanOrEqual(4 * se + 1e-12);
    }
    expect(hits[4]).toBe(0);
  });

  it('normalises, masks, and rejects bad weights with the domain named', () => {
    const table = new AliasTable();
    table.set([2, 2, 4], [true, false, true]);
    const rng = new Rng(1);
    const hits = [0, 0, 0];
    for (let i = 0; i < 60_000; i++) hits[table.draw(rng.next())]++;
    expect(hits[1]).toBe(0);
    expect(hits[2] / hits[0]).toBeGreaterThan(1.9);
    expect(hits[2] / hits[0]).toBeLessThan(2.1);
    expect(() => table.set([1, -1])).toThrow(/weight of domain 1 must be finite and ≥ 0, got -1/);
    expect(() => table.set([0, 0])).toThrow(/no domain has positive weight/);
    expect(() => table.set([1, 1], [false, false])).toThrow(/no domain has positive weight/);
  });
});

describe('DomainSampler', () => {
  it('is deterministic in its seed and reports the realised counts', () => {
    const w = [0.6, 0.3, 0.1];
    const a = new DomainSampler(42);
    const b = new DomainSampler(42);
    for (let s = 0; s < 20; s++) {
      const da = a.draw(w, 32);
      const domains = Array.from(da.domains);
      const counts = Array.from(da.counts);
      const db = b.draw(w, 32);
      expect(Array.from(db.domains)).toEqual(domains);
      expect(counts.reduce((x, y) => x + y, 0)).toBe(32);
      for (let k = 0; k < 3; k++) expect(counts[k]).toBe(domains.filter((d) => d === k).length);
    }
    const c = new DomainSampler(43);
    expect(Array.from(c.draw(w, 32).domains)).not.toEqual(Array.from(new DomainSampler(42).draw(w, 32).domains));
  });

  it('matches the mixture over many batches', () => {
    const w = [0.7, 0.2, 0.1];
    const s = new DomainSampler(3);
    const total = [0, 0, 0];
    for (let i = 0; i < 2000; i++) s.draw(w, 64).counts.forEach((c, k) => (total[k] += c));
    const n = 2000 * 64;
    for (let k = 0; k < 3; k++) expect(Math.abs(total[k] / n - w[k])).toBeLessThan(4 * Math.sqrt((w[k] * (1 - w[k])) / n));
  });

  it('continues identically from a saved state', () => {
    const w = [0.25, 0.25, 0.5];
    const a = new DomainSampler(9);
    for (let i = 0; i < 5; i++) a.draw(w, 16);
    const b = DomainSampler.fromState(a.state());
    for (let i = 0; i < 5; i++) expect(Array.from(b.draw(w, 16).domains)).toEqual(Array.from(a.draw(w, 16).domains));
  });

  it('respects capacity: a full domain is redrawn from the others', () => {
    const s = new DomainSampler(5);
    const d = s.draw([0.9, 0.1], 32, [3, Infinity]);
    expect(d.size).toBe(32);
    expect(d.counts[0]).toBe(3);
    expect(d.counts[1]).toBe(29);
    const e = s.draw([1, 0], 10, [4, 2]);
    // The weighted domain runs out; the zero-weight one still has data and fills up, then nothing is left.
    expect(e.size).toBe(6);
    expect(Array.from(e.counts)).toEqual([4, 2]);
    expect(s.draw([1, 1], 4, [0, 0]).size).toBe(0);
  });
});

describe('ExampleSource', () => {
  it('serves each example once per epoch, reshuffled every epoch, deterministically', () => {
    const a = new ExampleSource(50, { seed: 1, domain: 2 });
    const epoch = (src: ExampleSource) => Array.from({ length: 50 }, () => src.next());
    const e0 = epoch(a);
    const e1 = epoch(a);
    expect([...e0].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
    expect([...e1].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
    expect(e1).not.toEqual(e0);
    const b = new ExampleSource(50, { seed: 1, domain: 2 });
    expect(epoch(b)).toEqual(e0);
    expect(epoch(new ExampleSource(50, { seed: 1, domain: 3 }))).not.toEqual(e0);
    expect(epoch(new ExampleSource(5, { shuffle: false })).slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
  });

  it('runs out after its epochs and says so', () => {
    const s = new ExampleSource(3, { epochs: 2, domain: 1 });
    expect(s.remaining()).toBe(6);
    for (let i = 0; i < 6; i++) s.next();
    expect(s.remaining()).toBe(0);
    expect(s.exhausted).toBe(true);
    expect(() => s.next()).toThrow(/domain 1\): exhausted after 2 epoch\(s\) of 3 examples/);
    expect(new ExampleSource(3).remaining()).toBe(Infinity);
  });

  it('restores its state exactly and rejects states that do not fit', () => {
    const a = new ExampleSource(20, { seed: 4, epochs: 3 });
    for (let i = 0; i < 27; i++) a.next();
    const b = new ExampleSource(20, { seed: 4, epochs: 3 });
    b.restore(a.state());
    for (let i = 0; i < 33; i++) expect(b.next()).toBe(a.next());
    expect(() => b.restore({ epoch: 0, position: 21 })).toThrow(/bad state/);
    expect(() => b.restore({ epoch: 4, position: 0 })).toThrow(/past its 3 epochs/);
    expect(() => new ExampleSource(0)).toThrow(/size must be a positive integer, got 0/);
    expect(() => new ExampleSource(3, { epochs: 1.5 })).toThrow(/epochs must be a positive integer or Infinity/);
  });

  it("order 'feistel': the same guarantees with nothing stored, and a resume continues exactly", () => {
    const epoch = (src: ExampleSource, n: number) => Array.from({ length: n }, () => src.next());
    const a = new ExampleSource(1000, { seed: 1, domain: 2, order: 'feistel' });
    const e0 = epoch(a, 1000);
    const e1 = epoch(a, 1000);
    expect([...e0].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    expect([...e1].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    expect(e1).not.toEqual(e0);
    expect(epoch(new ExampleSource(1000, { seed: 1, domain: 2, order: 'feistel' }), 1000)).toEqual(e0);
    expect(epoch(new ExampleSource(1000, { seed: 1, domain: 3, order: 'feistel' }), 1000)).not.toEqual(e0);
    const b = new ExampleSource(1000, { seed: 1, domain: 2, order: 'feistel' });
    b.restore({ epoch: 1, position: 400 });
    expect(epoch(b, 600)).toEqual(e1.slice(400));
    // a billion windows: no table of 4 GB
    const huge = new ExampleSource(1e9, { seed: 3, order: 'feistel' });
    expect(huge.next()).toBeLessThan(1e9);
    expect(() => new ExampleSource(3, { order: 'random' as never })).toThrow('example source: order must be "table" or "feistel", got "random"');
  });
});
