/**
 * The GPT's variables and their GPT-2 initialisation (Radford et al. 2019, "Language Models
 * are Unsupervised Multitask Learners", §2.3; as nanoGPT does it):
 *
 *     every weight matrix and both embeddings ~ N(0, 0.02²),
 *     the residual output projections (attention c_proj, MLP c_proj) ~ N(0, (0.02/√(2L))²),
 *     biases 0, LayerNorm gains 1 and biases 0,
 *
 * the smaller residual projections keeping the residual stream's variance from growing with
 * depth (2 residual additions per block). The output head is the token table itself (tied).
 *
 * Role names are GPT-2's own checkpoint names without its `model/` prefix (`wte`, `wpe`,
 * `h0/ln_1/g`, `h0/attn/c_attn/w`, …, `ln_f/b`), and the matrices have GPT-2's [in, out]
 * layout (x·W), so the weights map one to one onto a GPT-2 checkpoint. Values are drawn from
 * the seeded `Rng` in the order of `names`: the same seed gives the same weights anywhere.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/index.js';
import type { AttentionWeights } from './attention.js';
import type { ResolvedGPTConfig } from './gptConfig.js';

/** Standard deviation of GPT-2's weights. */
export const GPT2_INIT_STD = 0.02;

export interface LayerNormWeights {
  gain: tf.Tensor1D;
  bias: tf.Tensor1D;
}

export interface MLPWeights {
  /** [d, 4d], GPT-2's `c_fc`. */
  wfc: tf.Tensor2D;
  bfc: tf.Tensor1D;
  /** [4d, d], GPT-2's `c_proj`. */
  wproj: tf.Tensor2D;
  bproj: tf.Tensor1D;
}

export interface BlockWeights {
  ln1: LayerNormWeights;
  attn: AttentionWeights;
  ln2: LayerNormWeights;
  mlp: MLPWeights;
}

export interface GPTWeights {
  /** Token table [V, d], also the output head. */
  wte: tf.Tensor2D;
  /** Position table [T, d]. */
  wpe: tf.Tensor2D;
  blocks: BlockWeights[];
  lnf: LayerNormWeights;
  /** All variables, in `names` order. */
  variables: tf.Variable[];
  names: string[];
}

/** Creates the variables of `c` under engine names `${prefix}/${role}` (engine names must be unique). */
export function createGPTWeights(c: ResolvedGPTConfig, prefix: string): GPTWeights {
  const rng = new Rng(c.seed);
  const variables: tf.Variable[] = [];
  const names: string[] = [];
  const make = (role: string, shape: number[], init: 'zeros' | 'ones' | number): tf.Variable => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (init === 'ones') values.fill(1);
    else if (init !== 'zeros') for (let i = 0; i < size; i++) values[i] = rng.normal() * init;
    const v = tf.variable(tf.tensor(values, shape), true, `${prefix}/${role}`);
    variables.push(v);
    names.push(role);
    return v;
  };
  const d = c.width;
  const std = GPT2_INIT_STD;
  const residualStd = GPT2_INIT_STD / Math.sqrt(2 * c.layers);
  const norm = (role: string): LayerNormWeights => ({ gain: make(`${role}/g`, [d], 'ones') as tf.Tensor1D, bias: make(`${role}/b`, [d], 'zeros') as tf.Tensor1D });
  const wte = make('wte', [c.vocabSize, d], std) as tf.Tensor2D;
  const wpe = make('wpe', [c.context, d], std) as tf.Tensor2D;
  const blocks: BlockWeights[] = [];
  for (let i = 0; i < c.layers; i++) {
    const h = `h${i}`;
    const ln1 = norm(`${h}/ln_1`);
    const attn: AttentionWeights = {
      wqkv: make(`${h}/attn/c_attn/w`, [d, 3 * d], std) as tf.Tensor2D,
      bqkv: make(`${h}/attn/c_attn/b`, [3 * d], 'zeros') as tf.Tensor1D,
      wo: make(`${h}/attn/c_proj/w`, [d, d], residualStd) as tf.Tensor2D,
      bo: make(`${h}/attn/c_proj/b`, [d], 'zeros') as tf.Tensor1D,
    };
    const ln2 = norm(`${h}/ln_2`);
    const mlp: MLPWeights = {
      wfc: make(`${h}/mlp/c_fc/w`, [d, 4 * d], std) as tf.Tensor2D,
      bfc: make(`${h}/mlp/c_fc/b`, [4 * d], 'zeros') as tf.Tensor1D,
      wproj: make(`${h}/mlp/c_proj/w`, [4 * d, d], residualStd) as tf.Tensor2D,
      bproj: make(`${h}/mlp/c_proj/b`, [d], 'zeros') as tf.Tensor1D,
    };
    blocks.push({ ln1, attn, ln2, mlp });
  }
  const lnf = norm('ln_f');
  return { wte, wpe, blocks, lnf, variables, names };
}
