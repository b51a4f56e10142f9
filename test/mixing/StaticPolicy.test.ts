import { describe, expect, it } from 'vitest';
import { StaticPolicy, createPolicy, restorePolicy } from '../../src/mixing/index.js';

const obs = (step: number, K: number) => ({ step, loss: new Array(K).fill(2), count: new Array(K).fill(4) });

describe('StaticPolicy', () => {
  it('natural returns the normalised prior, balanced the uniform mixture', () => {
    const nat = StaticPolicy.natural(['a', 'b', 'c'], [2, 1, 1]);
    expect(Array.from(nat.weights())).toEqual([0.5, 0.25, 0.25]);
    expect(Array.from(nat.observe(obs(0, 3)))).toEqual([0.5, 0.25, 0.25]);
    expect(nat.kind).toBe('natural');
    const bal = StaticPolicy.balanced(['a', 'b', 'c', 'd']);
    expect(Array.from(bal.weights())).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(bal.kind).toBe('balanced');
  });

  it('redistributes an exhausted domain proportionally and refuses to exhaust the last one', () => {
    const p = new StaticPolicy({ domains: ['a', 'b', 'c'], weights: [0.5, 0.3, 0.2] });
    p.markExhausted('a');
    expect(Array.from(p.weights())).toEqual([0, 0.6, 0.4]);
    p.markExhausted(1);
    expect(Array.from(p.weights())).toEqual([0, 0, 1]);
    expect(() => p.markExhausted('c')).toThrow(/last live domain/);
    expect(() => p.markExhausted('zzz')).toThrow(/unknown domain "zzz"/);
  });

  it('gives an added domain exactly its prior share', () => {
    const p = StaticPolicy.natural(['a', 'b'], [0.75, 0.25]);
    p.addDomain('c', 0.2);
    expect(p.domains).toEqual(['a', 'b', 'c']);
    const w = p.weights();
    expect(w[0]).toBeCloseTo(0.6, 15);
    expect(w[1]).toBeCloseTo(0.2, 15);
    expect(w[2]).toBeCloseTo(0.2, 15);
    const b = StaticPolicy.balanced(['a', 'b']);
    b.addDomain('c', 0.9);
    expect(Array.from(b.weights())).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(() => p.addDomain('a', 0.1)).toThrow(/already exists/);
    expect(() => p.addDomain('d', 1)).toThrow(/prior share must be in \(0, 1\)/);
  });

  it('validates its input', () => {
    expect(() => new StaticPolicy({ domains: ['a', 'b'], weights: [1] })).toThrow(/1 entries, expected 2/);
    expect(() => new StaticPolicy({ domains: ['a', 'b'], weights: [1, -1] })).toThrow(/"b" \(#1\) must be finite and ≥ 0, got -1/);
    expect(() => new StaticPolicy({ domains: ['a', 'a'] })).toThrow(/"a" appears twice/);
    expect(() => new StaticPolicy({ domains: ['a'], kind: 'natural' })).toThrow(/weights are required/);
    const p = StaticPolicy.balanced(['a', 'b']);
    p.observe(obs(0, 2));
    expect(() => p.observe(obs(2, 2))).toThrow(/step 2 does not follow the last observed step 0/);
  });

  it('round-trips through a JSON snapshot', () => {
    const p = createPolicy({ kind: 'static', domains: ['a', 'b', 'c'], weights: [1, 2, 3] });
    p.observe(obs(0, 3));
    p.markExhausted('b');
    p.addDomain('d', 0.1);
    const q = restorePolicy(JSON.parse(JSON.stringify(p.snapshot())));
    expect(q.kind).toBe('static');
    expect(q.domains).toEqual(p.domains);
    expect(Array.from(q.weights())).toEqual(Array.from(p.weights()));
    expect(() => q.observe(obs(0, 4))).toThrow(/expected step 1/);
    expect(Array.from(q.observe(obs(1, 4)))).toEqual(Array.from(p.observe(obs(1, 4))));
  });
});
