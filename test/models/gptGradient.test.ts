/**
 * The GPT's gradient, two ways: against the autodiff gradient of the same network written
 * with plain tfjs ops (tf.gather, transposed tf.matMul, tf.logSoftmax, tanh GELU), which
 * checks every custom gradient (gatherRows, matMulTransposeB, batchMatMul, gelu,
 * tokenCrossEntropy); and against central finite differences of the loss, which checks
 * both. A tiny model, its weights scaled up so that no path is close to linear.
 *
 * tfjs's cpu backend computes in float32. With ε = 3e-3 the central difference's rounding
 * error is ≈ 2.5·1e-7·(a few)/(2ε) ≈ 1e-4 and its truncation error ε²·|L'''|/6 ≈ 1e-5, so
 * finite differences are compared within 1 % of the gradient's norm plus 2e-4: a
 * derivative along a random direction can be much smaller than the norm (cancellation),
 * and its error is not.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/index.js';
import { selectBackend } from '../../src/tfjs/backend.js';
import { causalMaskBias, GPT } from '../../src/models/index.js';

const EPS = 3e-3;
const [B, T, V, d, H] = [3, 5, 11, 8, 2];
let m: GPT;
let x: tf.Tensor2D;
let y: tf.Tensor2D;

beforeAll(async () => {
  await selectBackend({ backend: 'cpu', strict: true });
  m = new GPT({ vocabSize: V, context: T, layers: 2, heads: H, width: d, seed: 4 });
  const rng = new Rng(9);
  // Larger, varied weights: std 0.3 matrices, gains around 1, non-zero biases.
  m.variables.forEach((v, i) => {
    const role = m.names[i];
    const z = Float32Array.from({ length: v.size }, () => rng.normal());
    v.assign(tf.tensor(z.map((e) => (/ln_\w+\/g$/.test(role) ? 1 + 0.3 * e : /\/b$/.test(role) ? 0.1 * e : 0.3 * e)), v.shape));
  });
  x = tf.tensor2d([[1, 5, 2, 9, 0], [10, 3, 3, 7, 4], [6, 6, 1, 8, 2]], [B, T], 'int32');
  y = tf.tensor2d([[5, 2, 9, 0, 4], [3, 3, 7, 4, 1], [6, 1, 8, 2, 10]], [B, T], 'int32');
});

afterAll(() => {
  tf.dispose([x, y]);
  m.dispose();
});

const lossFn = (): tf.Scalar => tf.mean(m.perExampleLoss(x, y)) as tf.Scalar;

/** The same network with tfjs's own ops and gradients. */
function referenceLoss(): tf.Scalar {
  const w = (role: string): tf.Tensor => m.variables[m.names.indexOf(role)];
  const h = d / H;
  const ln = (z: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
    const mu = tf.mean(z, -1, true);
    const variance = tf.mean(tf.square(tf.sub(z, mu)), -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(z, mu), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const gelu = (v: tf.Tensor): tf.Tensor => tf.mul(tf.mul(v, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(v, tf.mul(0.044715, tf.pow(v, 3)))))));
  const mask = causalMaskBias(T);
  let z = tf.reshape(tf.add(tf.reshape(tf.gather(w('wte'), tf.reshape(x, [B * T])), [B, T, d]), w('wpe')), [B * T, d]);
  for (let l = 0; l < 2; l++) {
    const p = (r: string): tf.Tensor => w(`h${l}/${r}`);
    const qkv = tf.add(tf.matMul(ln(z, p('ln_1/g'), p('ln_1/b')), p('attn/c_attn/w')), p('attn/c_attn/b'));
    const [q, k, v] = tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [B, T, H, h]), [0, 2, 1, 3]));
    const att = tf.softmax(tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(h)), mask));
    const o = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B * T, d]);
    z = tf.add(z, tf.add(tf.matMul(o, p('attn/c_proj/w')), p('attn/c_proj/b')));
    const hidden = gelu(tf.add(tf.matMul(ln(z, p('ln_2/g'), p('ln_2/b')), p('mlp/c_fc/w')), p('mlp/c_fc/b')));
    z = tf.add(z, tf.add(tf.matMul(hidden, p('mlp/c_proj/w')), p('mlp/c_proj/b')));
  }
  const logits = tf.matMul(ln(z, w('ln_f/g'), w('ln_f/b')), w('wte'), false, true);
  return tf.mean(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.reshape(y, [B * T]), V)), 1))) as tf.Scalar;
}

describe('GPT gradient (cpu, float32)', () => {
  it('equals the autodiff gradient of the same network written with plain tfjs ops', () => {
    const ours = tf.variableGrads(lossFn, m.variables);
    const ref = tf.variableGrads(referenceLoss, m.variables);
    expect(Math.abs(ours.value.dataSync()[0] - ref.value.dataSync()[0])).toBeLessThan(1e-6);
    m.variables.forEach((v, i) => {
      const a = ours.grads[v.name].dataSync();
      const b = ref.grads[v.name].dataSync();
      const scale = b.reduce((s, e) => Math.max(s, Math.abs(e)), 0);
      expect(scale, m.names[i]).toBeGreaterThan(1e-2);
      for (let j = 0; j < a.length; j++) expect(Math.abs(a[j] - b[j]), `${m.names[i]}[${j}]`).toBeLessThan(1e-5 * scale);
    });
    tf.dispose([ours.value, ref.value, ours.grads, ref.grads]);
  });

  it('matches central finite differences along the gradient and a random direction of every variable, and for single entries', () => {
    const { value, grads } = tf.variableGrads(lossFn, m.variables);
    value.dispose();
    const loss = (): number => tf.tidy(() => lossFn().dataSync()[0]);
    /** (L(θ + εu) − L(θ − εu)) / 2ε, moving variable v only. */
    const numeric = (v: tf.Variable, u: Float32Array): number => {
      const base = v.clone();
      const step = tf.tensor(u.map((e) => e * EPS), v.shape);
      try {
        v.assign(tf.tidy(() => tf.add(base, step)));
        const up = loss();
        v.assign(tf.tidy(() => tf.sub(base, step)));
        return (up - loss()) / (2 * EPS);
      } finally {
        v.assign(base);
        tf.dispose([base, step]);
      }
    };
    const rng = new Rng(11);
    const unit = (u: Float32Array): Float32Array => {
      const n = Math.sqrt(u.reduce((a, e) => a + e * e, 0));
      return u.map((e) => e / n);
    };
    m.variables.forEach((v, i) => {
      const g = grads[v.name].dataSync() as Float32Array;
      const norm = Math.sqrt(g.reduce((a, e) => a + e * e, 0));
      const tolerance = 0.01 * norm + 2e-4;
      // Along the gradient the derivative is its norm: a wrong scale shows here.
      expect(Math.abs(numeric(v, unit(Float32Array.from(g))) - norm), m.names[i]).toBeLessThan(tolerance);
      // Along a random direction: a wrong direction shows here.
      const u = unit(Float32Array.from({ length: v.size }, () => rng.normal()));
      expect(Math.abs(numeric(v, u) - g.reduce((a, e, j) => a + e * u[j], 0)), m.names[i]).toBeLessThan(tolerance);
    });
    // Single entries: token 3's table row (read as an input and as a head row), token 4's
    // (a target only: its gradient comes through the tied head alone), and two of W_qkv.
    const wte = m.variables[m.names.indexOf('wte')];
    const qkv = m.variables[m.names.indexOf('h1/attn/c_attn/w')];
    for (const [v, index] of [[wte, 3 * d + 5], [wte, 4 * d + 1], [qkv, 7 * 3 * d + 17], [qkv, 2 * 3 * d + 1]] as const) {
      const u = new Float32Array(v.size);
      u[index] = 1;
      const analytic = grads[v.name].dataSync()[index];
      expect(Math.abs(analytic)).toBeGreaterThan(1e-3);
      expect(Math.abs(numeric(v, u) - analytic)).toBeLessThan(0.01 * Math.abs(analytic) + 2e-4);
    }
    tf.dispose(grads);
  });
});
