import { describe, expect, it } from 'vitest';
import { chinchillaFromLog } from '../../src/planning/chinchillaLaw.js';
import { countTransformerParams } from '../../src/planning/paramCount.js';
import {
  embeddingGamma,
  nonEmbeddingLocalExponent,
  nonEmbeddingOptimum,
  totalFromNonEmbedding,
} from '../../src/planning/nonEmbeddingFrontier.js';

const CHINCHILLA = chinchillaFromLog({ a: 6.0073404, b: 6.0179186, e: 0.5267228, alpha: 0.33917084, beta: 0.2849083 });

describe('countTransformerParams', () => {
  it('GPT-2 small (12 layers, d 768, 12 heads, V 50,257, ctx 1,024, tied): 124M', () => {
    const c = countTransformerParams({ layers: 12, dModel: 768, heads: 12, vocab: 50257, context: 1024 });
    // Per layer: attention 4·768² + 4·768 = 2,362,368; MLP 8·768² + 5·768 = 4,722,432; 2 LayerNorms 3,072.
    expect(c.perLayer).toBe(2_362_368 + 4_722_432 + 3_072);
    // 12 layers + final LayerNorm (1,536) = 85,056,000; tokens 50,257·768 = 38,597,376; positions 786,432.
    expect(c.nonEmbedding).toBe(85_056_000);
    expect(c.embedding).toBe(38_597_376 + 786_432);
    expect(c.total).toBe(124_439_808);
    expect(c.kaplanApprox).toBe(12 * 12 * 768 * 768);
  });

  it('GPT-2 medium: 354,823,168', () => {
    expect(countTransformerParams({ layers: 24, dModel: 1024, heads: 16, vocab: 50257, context: 1024 }).total).toBe(354_823_168);
  });

  it('Llama-2-7B (SwiGLU 11,008, RMSNorm, no biases, rotary, untied): 6,738,415,616', () => {
    const c = countTransformerParams({
      layers: 32,
      dModel: 4096,
      heads: 32,
      vocab: 32000,
      context: 4096,
      ffnDim: 11008,
      gatedMlp: true,
      biases: false,
      norm: 'rmsnorm',
      positions: 'none',
      tiedEmbeddings: false,
    });
    expect(c.total).toBe(6_738_415_616);
    expect(c.embedding).toBe(2 * 32000 * 4096);
  });

  it('grouped-query attention shrinks K and V', () => {
    const base = { layers: 1, dModel: 64, heads: 8, vocab: 10, context: 4, biases: false, norm: 'rmsnorm' as const };
    const mha = countTransformerParams(base).perLayer;
    const gqa = countTransformerParams({ ...base, kvHeads: 2 }).perLayer;
    expect(mha - gqa).toBe(2 * 64 * (8 - 2) * 8);
  });

  it('names a bad config', () => {
    expect(() => countTransformerParams({ layers: 0, dModel: 8, heads: 2, vocab: 1, context: 1 })).toThrow(
      'transformer config: layers must be a positive integer, got 0',
    );
    expect(() => countTransformerParams({ layers: 1, dModel: 10, heads: 3, vocab: 1, context: 1 })).toThrow(/not divisible by heads/);
    expect(() => countTransformerParams({ layers: 1, dModel: 8, heads: 4, kvHeads: 3, vocab: 1, context: 1 })).toThrow(/multiple of kvHeads/);
  });
});

describe('Pearce & Song: counting non-embedding parameters bends the exponent', () => {
  const gamma = embeddingGamma(32000, 39.2);

  it('γ = V·(A/12)^(1/3) ≈ 47,491 for V = 32,000, A ≈ 39.2', () => {
    expect(Math.abs(gamma / 47491 - 1)).toBeLessThan(1e-3);
    expect(totalFromNonEmbedding(1e9, gamma)).toBeCloseTo(1e9 + gamma * 1000, 3);
  });

  it('the local exponent tends to β/(α+β) for large models and β/(α/3+β) for small ones', () => {
    const { alpha, beta } = CHINCHILLA;
    expect(nonEmbeddingLocalExponent(CHINCHILLA, 1e18, gamma)).toBeCloseTo(beta / (alpha + beta), 3);
    expect(nonEmbeddingLocalExponent(CHINCHILLA, 1, gamma)).toBeCloseTo(beta / (alpha / 3 + beta), 3);
    expect(beta / (alpha / 3 + beta)).toBeCloseTo(0.716, 3); // near Kaplan's 0.73
  });

  it('the frontier is the loss minimum along C_\\E = 6·N_\\E·D, and its slope is the local exponent', () => {
    for (const C of [1e15, 1e18, 1e21, 1e24]) {
      const o = nonEmbeddingOptimum(CHINCHILLA, C, gamma);
      const lossAt = (n: number): number => {
        const NT = totalFromNonEmbedding(n, gamma);
        const D = C / (6 * n);
        return CHINCHILLA.E + CHINCHILLA.A / NT ** CHINCHILLA.alpha + CHINCHILLA.B / D ** CHINCHILLA.beta;
      };
      expect(lossAt(o.nonEmbedding)).toBeCloseTo(o.loss, 12);
      expect(lossAt(o.nonEmbedding * 1.01)).toBeGreaterThan(o.loss);
      expect(lossAt(o.nonEmbedding / 1.01)).toBeGreaterThan(o.loss);
      const o2 = nonEmbeddingOptimum(CHINCHILLA, C * 1.0001, gamma);
      const slope = Math.log(o2.nonEmbedding / o.nonEmbedding) / Math.log(1.0001);
      expect(slope).toBeCloseTo(o.exponent, 3);
    }
  });

  it('over Kaplan\'s range the non-embedding exponent is far above the total-parameter one', () => {
    // At C_\E = 1e15–1e18 the frontier holds 2e5–6e7 non-embedding parameters, inside Kaplan's
    // range (768 to 1.5e9); there the local exponent exceeds 0.59.
    for (const C of [1e15, 1e16, 1e17, 1e18]) {
      expect(nonEmbeddingOptimum(CHINCHILLA, C, gamma).exponent).toBeGreaterThan(0.59);
    }
    // Without embeddings (γ = 0) it is β/(α+β) everywhere.
    expect(nonEmbeddingOptimum(CHINCHILLA, 1e15, 0).exponent).toBeCloseTo(0.4565, 4);
  });
});
