/**
 * Parameter counts of a decoder-only transformer.
 *
 * Per layer, with d = d_model, h heads of size d_h = d/h (unless given), g key/value heads
 * and MLP width f (4·d unless given):
 *   attention  d·h·d_h (Q) + 2·d·g·d_h (K, V) + h·d_h·d (output)   [+ h·d_h + 2·g·d_h + d biases]
 *   MLP        2·d·f, or 3·d·f when gated (SwiGLU)                    [+ f + d biases]
 *   norms      2 per layer: 2·d each (LayerNorm) or d (RMSNorm); one more at the end
 * Embedding parameters: the token matrix V·d, learned positions n_ctx·d, and the output
 * matrix V·d when it is not tied to the token matrix.
 *
 * Non-embedding parameters (Kaplan et al. 2020) leave all of those out; Kaplan's
 * approximation is N ≈ 12·n_layer·d² (no biases or norms, f = 4d, h·d_h = d, g = h).
 * GPT-2 small (12 layers, d 768, 12 heads, V 50,257, n_ctx 1,024, tied) has 124,439,808.
 */

export interface TransformerConfig {
  layers: number;
  dModel: number;
  heads: number;
  vocab: number;
  /** Context length; used for learned position embeddings. */
  context: number;
  /** Key/value heads (grouped-query attention). Default: heads. */
  kvHeads?: number;
  /** Head size. Default: dModel / heads. */
  headDim?: number;
  /** MLP hidden width. Default: 4·dModel. */
  ffnDim?: number;
  /** Gated MLP (SwiGLU: three matrices). Default false. */
  gatedMlp?: boolean;
  /** Output matrix shared with the token embedding. Default true. */
  tiedEmbeddings?: boolean;
  /** Biases on linear layers. Default true (GPT-2). */
  biases?: boolean;
  /** 'learned' position embeddings (GPT-2) or 'none' (rotary, ALiBi). Default 'learned'. */
  positions?: 'learned' | 'none';
  /** 'layernorm' (weight + bias) or 'rmsnorm' (weight). Default 'layernorm'. */
  norm?: 'layernorm' | 'rmsnorm';
}

export interface ParamCount {
  /** All parameters. */
  total: number;
  /** All but the embedding matrices (token, position, untied output). */
  nonEmbedding: number;
  /** Token + position + untied output matrices. */
  embedding: number;
  /** Kaplan's approximation 12·n_layer·d_model². */
  kaplanApprox: number;
  /** Parameters of one transformer block. */
  perLayer: number;
}

function positiveInt(v: number | undefined, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new Error(`transformer config: ${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

export function countTransformerParams(cfg: TransformerConfig): ParamCount {
  const L = positiveInt(cfg.layers, 'layers');
  const d = positiveInt(cfg.dModel, 'dModel');
  const h = positiveInt(cfg.heads, 'heads');
  const V = positiveInt(cfg.vocab, 'vocab');
  const ctx = positiveInt(cfg.context, 'context');
  const g = positiveInt(cfg.kvHeads ?? h, 'kvHeads');
  if (h % g !== 0) throw new Error(`transformer config: heads (${h}) must be a multiple of kvHeads (${g})`);
  if (cfg.headDim === undefined && d % h !== 0) {
    throw new Error(`transformer config: dModel (${d}) is not divisible by heads (${h}); give headDim`);
  }
  const dh = positiveInt(cfg.headDim ?? d / h, 'headDim');
  const f = positiveInt(cfg.ffnDim ?? 4 * d, 'ffnDim');
  const bias = cfg.biases ?? true;
  const normSize = (cfg.norm ?? 'layernorm') === 'layernorm' ? 2 * d : d;

  const attention = d * h * dh + 2 * d * g * dh + h * dh * d + (bias ? h * dh + 2 * g * dh + d : 0);
  const mlp = (cfg.gatedMlp ? 3 : 2) * d * f + (bias ? (cfg.gatedMlp ? 2 * f : f) + d : 0);
  const perLayer = attention + mlp + 2 * normSize;
  const nonEmbedding = L * perLayer + normSize;
  const tokens = V * d;
  const positions = (cfg.positions ?? 'learned') === 'learned' ? ctx * d : 0;
  const output = (cfg.tiedEmbeddings ?? true) ? 0 : V * d;
  const embedding = tokens + positions + output;
  return { total: nonEmbedding + embedding, nonEmbedding, embedding, kaplanApprox: 12 * L * d * d, perLayer };
}
