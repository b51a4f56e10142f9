/**
 * The options that say how to read a log from another logger (`adomix import`, and `fit`,
 * `replay` and `report` on such a log), and the static weights behind computed counts.
 */
import type { ReadStepLogOptions, StepLogUnit } from '../runlog/index.js';

/** `auto` detects; `steplog` is adomix's own (JSONL, or CSV for .csv); `csv`/`tsv` are wide tables. */
export type InputFormat = 'auto' | 'steplog' | 'csv' | 'tsv' | 'tensorboard';
export const INPUT_FORMATS: readonly InputFormat[] = ['auto', 'steplog', 'csv', 'tsv', 'tensorboard'];

export interface ImportOptions {
  /** Default `auto`: from the extension, the file name, a directory, or the first bytes. */
  format?: InputFormat;
  /** CSV/TSV: pattern of the loss columns, its first group the domain (`train/loss_(.*)`). */
  lossColumns?: string;
  /** CSV/TSV: pattern of per-domain count columns (counts since the previous row). */
  countColumns?: string;
  /** CSV/TSV: the step column (default: trainer/global_step, global_step, step, Step, _step, iter or iteration). */
  stepColumn?: string;
  /** CSV/TSV: a cumulative tokens column; counts are its increments shared by `weights`. */
  tokensColumn?: string;
  /** TensorBoard: pattern of the loss tags (`loss/(.*)`). */
  lossTags?: string;
  /** TensorBoard: pattern of per-domain count tags. */
  countTags?: string;
  /** Examples (or tokens, with `unit`) per training step, shared by `weights`. */
  batch?: number;
  /** Static mixture for `batch` and `tokensColumn`: `a=0.5,b=0.5`, or an object; default uniform. */
  weights?: string | Readonly<Record<string, number>>;
  /** What count columns and `batch` count (default `examples`). */
  unit?: StepLogUnit;
}

/** Everything a reader of any log takes. */
export interface ReadLogOptions extends Omit<ReadStepLogOptions, 'format'>, ImportOptions {}

/** Tolerance on the sum of `weights` (as on a step log's prior). */
export const WEIGHTS_TOLERANCE = 1e-6;

/**
 * `a=0.5,b=0.5` (or `{a: 0.5, b: 0.5}`) over `domains`, in their order; every domain needs a
 * weight ≥ 0 and they must sum to 1. Undefined weights are uniform.
 */
export function parseWeights(weights: ImportOptions['weights'], domains: readonly string[]): Float64Array {
  const K = domains.length;
  if (weights === undefined) return new Float64Array(K).fill(1 / K);
  const given = new Map<string, number>();
  if (typeof weights === 'string') {
    for (const part of weights.split(',')) {
      const eq = part.lastIndexOf('=');
      const name = part.slice(0, eq).trim();
      const text = part.slice(eq + 1).trim();
      if (eq < 0 || name === '') throw new Error(`--weights ${JSON.stringify(weights)}: ${JSON.stringify(part)} is not domain=weight`);
      const x = Number(text);
      if (text === '' || !Number.isFinite(x) || x < 0) throw new Error(`--weights: the weight of ${JSON.stringify(name)} must be a finite number ≥ 0, got ${JSON.stringify(text)}`);
      if (given.has(name)) throw new Error(`--weights names ${JSON.stringify(name)} twice`);
      given.set(name, x);
    }
  } else {
    for (const [name, x] of Object.entries(weights)) {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new Error(`weights.${name} must be a finite number ≥ 0, got ${String(x)}`);
      given.set(name, x);
    }
  }
  for (const name of given.keys())
    if (!domains.includes(name)) throw new Error(`--weights names ${JSON.stringify(name)}, which is not a domain (domains: ${domains.join(', ')})`);
  const out = new Float64Array(K);
  domains.forEach((d, k) => {
    const x = given.get(d);
    if (x === undefined) throw new Error(`--weights gives no weight for domain ${JSON.stringify(d)} (every domain needs one; domains: ${domains.join(', ')})`);
    out[k] = x;
  });
  const sum = out.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > WEIGHTS_TOLERANCE) throw new Error(`--weights must sum to 1 (±${WEIGHTS_TOLERANCE}), sum to ${sum}`);
  return out;
}

/** `uniform`, or `a=0.5, b=0.5`: the weights as the summary line says them. */
export function describeWeights(weights: ImportOptions['weights'], parsed: Float64Array, domains: readonly string[]): string {
  if (weights === undefined) return 'uniform weights';
  return `weights ${domains.map((d, k) => `${d}=${parsed[k]}`).join(', ')}`;
}
