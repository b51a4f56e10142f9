/**
 * Adam (Kingma & Ba, 2015) whose whole state can be saved and restored bit-exactly,
 * so a resumed run continues exactly where it stopped.
 *
 *     m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²,
 *     θ ← θ − η_t · m / (√v + ε̂),   η_t = η·√(1−β₂ᵗ)/(1−β₁ᵗ)
 *
 * (the "ε-hat" form of the paper's §2, as in tf.train.adam). The bias correction η_t is
 * computed on the host in float64 from the step count t, not accumulated on the device,
 * which is what makes the restore exact (tf.train.adam rebuilds β^t with a pow on resume).
 * Optional decoupled weight decay λ (AdamW): θ ← θ − ηλθ before the update.
 *
 * Implements `applyGradients`, so it can stand in wherever a tf.Optimizer is used to
 * apply a gradient map.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamOptions {
  /** η, or a schedule η(t) of the 1-based update number t (e.g. `cosineSchedule`). */
  learningRate?: number | ((t: number) => number);
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay λ (default 0). */
  weightDecay?: number;
}

interface Slot {
  m: tf.Variable;
  v: tf.Variable;
}

/**
 * Linear warm-up over `warmup` updates, then cosine decay from `peak` to `peak·floor`
 * at update `total` (and `peak·floor` after it): η(t) = peak·(floor + (1−floor)·(1+cos(π·p))/2),
 * p = (t − warmup)/(total − warmup).
 */
export function cosineSchedule(peak: number, total: number, options: { warmup?: number; floor?: number } = {}): (t: number) => number {
  const warmup = options.warmup ?? 0;
  const floor = options.floor ?? 0.1;
  if (!(peak > 0) || !(total > 0) || !(warmup >= 0) || !(floor >= 0 && floor <= 1)) {
    throw new Error(`cosineSchedule: need peak > 0, total > 0, warmup ≥ 0, 0 ≤ floor ≤ 1; got ${peak}, ${total}, ${warmup}, ${floor}`);
  }
  return (t: number): number => {
    if (t <= warmup) return (peak * t) / Math.max(1, warmup);
    const p = Math.min(1, (t - warmup) / Math.max(1, total - warmup));
    return peak * (floor + ((1 - floor) * (1 + Math.cos(Math.PI * p))) / 2);
  };
}

export class Adam {
  readonly learningRate: number | ((t: number) => number);
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private t = 0;
  private readonly slots = new Map<string, Slot>();

  constructor(options: AdamOptions = {}) {
    this.learningRate = options.learningRate ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    const lr0 = typeof this.learningRate === 'number' ? this.learningRate : 1;
    for (const [k, v] of Object.entries({ learningRate: lr0, epsilon: this.epsilon })) {
      if (!(v > 0) || !Number.isFinite(v)) throw new Error(`Adam: ${k} must be positive, got ${v}`);
    }
    for (const [k, v] of Object.entries({ beta1: this.beta1, beta2: this.beta2 })) {
      if (!(v >= 0 && v < 1)) throw new Error(`Adam: ${k} must be in [0, 1), got ${v}`);
    }
    if (!(this.weightDecay >= 0)) throw new Error(`Adam: weightDecay must be ≥ 0, got ${this.weightDecay}`);
  }

  /** Updates applied so far. */
  get iterations(): number {
    return this.t;
  }

  /** One update from a map variable name → gradient (the form `tf.variableGrads` returns). */
  applyGradients(grads: tf.NamedTensorMap): void {
    this.t++;
    const lr = typeof this.learningRate === 'number' ? this.learningRate : this.learningRate(this.t);
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new Error(`Adam: learning rate at update ${this.t} is ${lr}`);
    const lrT = (lr * Math.sqrt(1 - this.beta2 ** this.t)) / (1 - this.beta1 ** this.t);
    const registered = tf.engine().registeredVariables;
    tf.tidy(() => {
      const b1 = tf.scalar(this.beta1);
      const b2 = tf.scalar(this.beta2);
      const c1 = tf.scalar(1 - this.beta1);
      const c2 = tf.scalar(1 - this.beta2);
      const eps = tf.scalar(this.epsilon);
      const step = tf.scalar(-lrT);
      const decay = this.weightDecay > 0 ? tf.scalar(1 - lr * this.weightDecay) : undefined;
      for (const name of Object.keys(grads)) {
        const g = grads[name];
        const variable = registered[name];
        if (variable === undefined) throw new Error(`Adam: no variable named ${name} is registered`);
        let slot = this.slots.get(name);
        if (slot === undefined) {
          slot = { m: tf.variable(tf.zerosLike(variable), false), v: tf.variable(tf.zerosLike(variable), false) };
          this.slots.set(name, slot);
        }
        const m = tf.add(tf.mul(slot.m, b1), tf.mul(g, c1));
        const v = tf.add(tf.mul(slot.v, b2), tf.mul(tf.square(g), c2));
        slot.m.assign(m);
        slot.v.assign(v);
        const base = decay === undefined ? variable : tf.mul(variable, decay);
        variable.assign(tf.add(base, tf.mul(step, tf.div(m, tf.add(tf.sqrt(v), eps)))));
      }
    });
  }

  /** The state: `iterations` plus each variable's moments as `<name>/m`, `<name>/v`. */
  getWeights(): { name: string; tensor: tf.Tensor }[] {
    const out: { name: string; tensor: tf.Tensor }[] = [{ name: 'iterations', tensor: tf.scalar(this.t, 'int32') }];
    for (const [name, slot] of this.slots) {
      out.push({ name: `${name}/m`, tensor: slot.m.clone() }, { name: `${name}/v`, tensor: slot.v.clone() });
    }
    return out;
  }

  /**
   * Restores `getWeights()` output. Moments are keyed by variable name; `rename` maps a
   * saved name to the live variable's name (models built in another process get other
   * names).
   */
  setWeights(weights: { name: string; tensor: tf.Tensor }[], rename: (saved: string) => string = (s) => s): void {
    const it = weights.find((w) => w.name === 'iterations');
    if (it === undefined) throw new Error('Adam.setWeights: no "iterations" entry');
    const t = it.tensor.dataSync()[0];
    if (!Number.isInteger(t) || t < 0) throw new Error(`Adam.setWeights: iterations must be a non-negative integer, got ${t}`);
    this.dispose();
    this.t = t;
    for (const w of weights) {
      const match = /^(.*)\/([mv])$/.exec(w.name);
      if (match === null) continue;
      const name = rename(match[1]);
      let slot = this.slots.get(name);
      if (slot === undefined) {
        slot = { m: tf.variable(tf.zerosLike(w.tensor), false), v: tf.variable(tf.zerosLike(w.tensor), false) };
        this.slots.set(name, slot);
      }
      (match[2] === 'm' ? slot.m : slot.v).assign(w.tensor);
    }
  }

  /** Frees the moment variables. */
  dispose(): void {
    for (const slot of this.slots.values()) {
      slot.m.dispose();
      slot.v.dispose();
    }
    this.slots.clear();
  }
}
