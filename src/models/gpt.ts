/**
 * A decoder-only transformer language model, GPT-2's architecture (Radford et al. 2019;
 * Karpathy's nanoGPT): token and learned position embeddings, L pre-LayerNorm blocks
 *
 *     x ← x + Attn(LN₁(x)),   x ← x + W_proj·GELU(W_fc·LN₂(x))   (MLP width 4d)
 *
 * a final LayerNorm, and logits = LN_f(x)·Eᵀ with the head tied to the token table E.
 * The loss of a position is the cross-entropy (nats) of the next token; an example's loss
 * is the mean over its T positions. No dropout.
 *
 * Backend notes (it runs on cpu, wasm, webgpu and tensorflow, with ops all four have):
 * - the lookup E[ids] is `gatherRows` (tf.gather, gradient by one scatter-add), for every
 *   vocabulary size: it beats the one-hot product of `embed` already at V = 256 (wasm 6.8
 *   vs 9.3 ms, cpu 26 vs 201 ms for 1,024 tokens), and wasm has no UnsortedSegmentSum;
 * - the tied head is `matMulTransposeB`: an explicit copy Eᵀ per step, then a plain
 *   product (the transposeB flag is ~8× slower on wasm for V = 50257); its gradients need
 *   no transpose of the [N,V] logits gradient;
 * - every other product is `dense` / `batchMatMul` (src/tfjs/ops.ts), transpose-free.
 */
import * as tf from '@tensorflow/tfjs';
import { dense, gatherRows, matMulTransposeB } from '../tfjs/ops.js';
import type { StepMemory } from '../tfjs/memory.js';
import { causalMaskBias, causalSelfAttention } from './attention.js';
import { tokenCrossEntropy } from './crossEntropy.js';
import { gptParameterCount, gptStepMemory, resolveGPTConfig, type GPTConfig, type ResolvedGPTConfig } from './gptConfig.js';
import { gelu, layerNorm } from './gptLayers.js';
import { createGPTWeights, type BlockWeights, type GPTWeights } from './gptWeights.js';

let instances = 0;

export class GPT {
  readonly config: ResolvedGPTConfig;
  /** Trainable variables, in a fixed order (that of `names`). */
  readonly variables: tf.Variable[];
  /** Stable role names of `variables` (GPT-2's checkpoint names: `wte`, `wpe`, `h0/ln_1/g`, …). */
  readonly names: string[];
  private readonly weights: GPTWeights;
  private readonly mask: tf.Tensor2D;

  constructor(config: GPTConfig) {
    this.config = resolveGPTConfig(config);
    // Unique engine names (tfjs variables are global), stable role names for checkpoints.
    this.weights = createGPTWeights(this.config, `adomix_gpt_${instances++}`);
    this.variables = this.weights.variables;
    this.names = this.weights.names;
    this.mask = causalMaskBias(this.config.context);
  }

  /** Number of trainable parameters (`gptParameterCount`). */
  get parameterCount(): number {
    return gptParameterCount(this.config);
  }

  /** What one example (T positions) costs a training step: see `gptStepMemory`. */
  stepMemory(): StepMemory {
    return gptStepMemory(this.config);
  }

  /** Final hidden states [B·t, d] (row b·t + s) of int32 token ids [B, t], t ≤ T. */
  hidden(inputs: tf.Tensor2D): tf.Tensor2D {
    const [batch, time] = inputs.shape;
    const { context, width, heads } = this.config;
    if (inputs.dtype !== 'int32') throw new Error(`GPT: token ids must be int32, got ${inputs.dtype}`);
    if (time < 1 || time > context) throw new Error(`GPT: ${time} positions per sequence, the model has 1…${context}`);
    return tf.tidy(() => {
      const w = this.weights;
      const pos = time === context ? w.wpe : tf.slice(w.wpe, [0, 0], [time, width]);
      const mask = time === context ? this.mask : tf.slice(this.mask, [0, 0], [time, time]);
      const tokens = tf.reshape(gatherRows(w.wte, tf.reshape(inputs, [batch * time])), [batch, time, width]);
      let x = tf.reshape(tf.add(tokens, pos), [batch * time, width]) as tf.Tensor2D;
      for (const block of w.blocks) x = this.block(x, block, batch, time, heads, mask);
      return layerNorm(x, w.lnf.gain, w.lnf.bias);
    });
  }

  /** Logits [B, t, V] of the next token at every position. */
  logits(inputs: tf.Tensor2D): tf.Tensor3D {
    const [batch, time] = inputs.shape;
    return tf.tidy(() => tf.reshape(matMulTransposeB(this.hidden(inputs), this.weights.wte), [batch, time, this.config.vocabSize]) as tf.Tensor3D);
  }

  /** Cross-entropy (nats) of every position [B, t]: targets[b, s] is the token after inputs[b, s]. */
  tokenLosses(inputs: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor2D {
    const [batch, time] = inputs.shape;
    if (targets.shape[0] !== batch || targets.shape[1] !== time) throw new Error(`GPT: targets have shape [${targets.shape}], the inputs [${inputs.shape}]`);
    return tf.tidy(() => {
      const logits = matMulTransposeB(this.hidden(inputs), this.weights.wte);
      return tf.reshape(tokenCrossEntropy(logits, tf.reshape(targets, [batch * time])), [batch, time]) as tf.Tensor2D;
    });
  }

  /** Per-example loss [B]: the mean over its positions (all are full length: token-weighted). */
  perExampleLoss(inputs: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.mean(this.tokenLosses(inputs, targets), 1) as tf.Tensor1D);
  }

  private block(x: tf.Tensor2D, b: BlockWeights, batch: number, time: number, heads: number, mask: tf.Tensor2D): tf.Tensor2D {
    const attended = tf.add(x, causalSelfAttention(layerNorm(x, b.ln1.gain, b.ln1.bias), b.attn, batch, time, heads, mask)) as tf.Tensor2D;
    const hiddenMlp = gelu(dense(layerNorm(attended, b.ln2.gain, b.ln2.bias), b.mlp.wfc, b.mlp.bfc));
    return tf.add(attended, dense(hiddenMlp, b.mlp.wproj, b.mlp.bproj));
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
    this.mask.dispose();
  }
}
