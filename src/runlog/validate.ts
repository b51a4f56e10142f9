/**
 * Validation of step-log headers and step records, with messages that name the field
 * and the offending value (`loss[2] must be a finite non-negative number or null, got "NaN"`).
 *
 * The header is checked with zod (one line, many rules); step records are checked by
 * hand because they are the hot path of a 100 MB log and every message is per element.
 * Validators return the message (without the `file:line:` prefix) or the parsed value;
 * callers add the location.
 */
import { z } from 'zod';
import { STEPLOG_FORMAT, type StepLogHeader, type StepLogParams, type StepRecord } from './types.js';

/** Tolerance on Σprior = 1. */
export const PRIOR_SUM_TOLERANCE = 1e-6;
/** Tolerance on Σweights = 1: looser than the prior's because logged mixtures often come from float32. */
export const WEIGHTS_SUM_TOLERANCE = 1e-5;

const HEADER_FIELDS = ['adomix', 'domains', 'prior', 'unit', 'sparse', 'budget', 'maxEpochs', 'plannedSteps'] as const;
export const STEP_FIELDS = ['step', 'loss', 'count', 'weights', 'evalLoss', 'params'] as const;
const STEP_FIELD_SET: ReadonlySet<string> = new Set(STEP_FIELDS);

/** A short, JSON-like rendering of a value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return String(value); // NaN, Infinity stay readable
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const got = (issue: { input?: unknown }): string => `got ${describe(issue.input)}`;

const positiveNumber = z.number({ error: (iss) => `must be a number > 0, ${got(iss)}` }).positive({ error: (iss) => `must be a number > 0, ${got(iss)}` });

const budgetEntry = (iss: { input?: unknown }): string => `must be a finite number ≥ 0 or null (unlimited), ${got(iss)}`;

const headerSchema = z.strictObject(
  {
    adomix: z.literal(STEPLOG_FORMAT, {
      error: (iss) => `unsupported format ${describe(iss.input)} (this adomix reads "${STEPLOG_FORMAT}")`,
    }),
    domains: z
      .array(z.string({ error: (iss) => `must be a domain name (string), ${got(iss)}` }).min(1, {
        error: 'must be a non-empty domain name',
      }), { error: (iss) => `must be an array of domain names, ${got(iss)}` })
      .min(1, { error: 'must name at least one domain' }),
    prior: z
      .array(
        z
          .number({ error: (iss) => `must be a finite non-negative number, ${got(iss)}` })
          .min(0, { error: (iss) => `must be a finite non-negative number, ${got(iss)}` }),
        { error: (iss) => `must be an array of numbers (one per domain), ${got(iss)}` },
      )
      .optional(),
    unit: z
      .enum(['examples', 'tokens'], { error: (iss) => `must be "examples" or "tokens", ${got(iss)}` })
      .optional(),
    sparse: z.boolean({ error: (iss) => `must be true or false, ${got(iss)}` }).optional(),
    budget: z
      .array(
        z.union([z.null(), z.number().min(0, { error: budgetEntry })], { error: budgetEntry }),
        { error: (iss) => `must be an array of numbers ≥ 0 or null (one per domain), ${got(iss)}` },
      )
      .optional(),
    maxEpochs: z
      .union([positiveNumber, z.array(positiveNumber)], { error: (iss) => `must be a number > 0 or an array of them (one per domain), ${got(iss)}` })
      .optional(),
    plannedSteps: z
      .number({ error: (iss) => `must be an integer ≥ 1, ${got(iss)}` })
      .refine((x) => Number.isSafeInteger(x) && x >= 1, { error: (iss) => `must be an integer ≥ 1, ${got(iss)}` })
      .optional(),
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => JSON.stringify(k)).join(', ')} (allowed: ${HEADER_FIELDS.join(', ')})`
        : `the first line must be the header object {"adomix":"${STEPLOG_FORMAT}","domains":[...]}, ${got(iss)}`,
  },
);

/** `['prior', 1]` → `prior[1]`. */
function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** Validate a parsed header line; returns the header or an error message. */
export function validateHeader(value: unknown): StepLogHeader | string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !('adomix' in value))
    // Most likely a log without its header: one clear message, not one per field.
    return `header: the first line must be the header {"adomix":"${STEPLOG_FORMAT}","domains":[...]}, got ${describe(value)}`;
  const parsed = headerSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => {
      const where = i.path.length === 1 && i.path[0] === 'adomix' ? '' : pathText(i.path);
      return where ? `${where} ${i.message}` : i.message;
    });
    return `header: ${issues.join('; ')}`;
  }
  const { domains, prior, unit, sparse, budget, maxEpochs, plannedSteps } = parsed.data;
  const seen = new Map<string, number>();
  for (let k = 0; k < domains.length; k++) {
    const first = seen.get(domains[k]);
    if (first !== undefined) return `header: domains[${k}] ${describe(domains[k])} repeats domains[${first}]`;
    seen.set(domains[k], k);
  }
  if (prior !== undefined) {
    if (prior.length !== domains.length)
      return `header: prior has ${prior.length} entries but there are ${domains.length} domains (${domains.join(', ')})`;
    const sum = prior.reduce((s, x) => s + x, 0);
    if (Math.abs(sum - 1) > PRIOR_SUM_TOLERANCE)
      return `header: prior must sum to 1 (±${PRIOR_SUM_TOLERANCE}), sums to ${sum}`;
  }
  for (const [field, v] of [['budget', budget], ['maxEpochs', maxEpochs]] as const) {
    if (Array.isArray(v) && v.length !== domains.length)
      return `header: ${field} has ${v.length} entries but there are ${domains.length} domains (${domains.join(', ')})`;
  }
  const header: StepLogHeader = { adomix: STEPLOG_FORMAT, domains, unit: unit ?? 'examples' };
  if (prior !== undefined) header.prior = prior;
  if (sparse === true) header.sparse = true;
  if (budget !== undefined) header.budget = budget;
  if (maxEpochs !== undefined) header.maxEpochs = maxEpochs;
  if (plannedSteps !== undefined) header.plannedSteps = plannedSteps;
  return header;
}

const isFiniteNonNeg = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;

function lengthError(field: string, value: unknown, domains: readonly string[], what: string): string | undefined {
  if (!Array.isArray(value))
    return `${field} must be an array of ${domains.length} ${what} (one per domain), ${'got ' + describe(value)}`;
  if (value.length !== domains.length)
    return `${field} has ${value.length} entr${value.length === 1 ? 'y' : 'ies'} but there are ${domains.length} domains (${domains.join(', ')})`;
  return undefined;
}

function lossArray(field: string, value: unknown, domains: readonly string[]): (number | null)[] | string {
  const err = lengthError(field, value, domains, 'numbers or nulls');
  if (err) return err;
  const arr = value as unknown[];
  for (let k = 0; k < arr.length; k++) {
    const x = arr[k];
    if (x !== null && !isFiniteNonNeg(x))
      return `${field}[${k}] must be a finite non-negative number or null, got ${describe(x)}`;
  }
  return arr as (number | null)[];
}

/**
 * Validate one parsed step line against the header's domains.
 * Returns the record or an error message. Does not check step order (the reader does).
 */
export function validateRecord(value: unknown, domains: readonly string[]): StepRecord | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `a step line must be a JSON object {"step":…,"loss":[…],"count":[…]}, got ${describe(value)}`;
  const obj = value as Record<string, unknown>;
  for (const key in obj) {
    if (!STEP_FIELD_SET.has(key)) {
      if (key === 'adomix') return 'a second header line (step logs cannot be concatenated)';
      return `unknown field ${JSON.stringify(key)} (allowed: ${STEP_FIELDS.join(', ')})`;
    }
  }
  const step = obj.step;
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0)
    return `step must be a non-negative integer, got ${describe(step)}`;

  const loss = lossArray('loss', obj.loss, domains);
  if (typeof loss === 'string') return loss;

  const countErr = lengthError('count', obj.count, domains, 'non-negative integers');
  if (countErr) return countErr;
  const count = obj.count as unknown[];
  for (let k = 0; k < count.length; k++) {
    const c = count[k];
    if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0)
      return `count[${k}] must be a non-negative integer, got ${describe(c)}`;
    // null loss ⇔ absent domain ⇔ count 0: a loss without examples, or examples without a loss, is a logging bug.
    if (c === 0 && loss[k] !== null)
      return `loss[${k}] is ${loss[k]} but count[${k}] is 0: domain ${JSON.stringify(domains[k])} had no examples in this step, so its loss must be null`;
    if (c > 0 && loss[k] === null)
      return `loss[${k}] is null but count[${k}] is ${c}: domain ${JSON.stringify(domains[k])} had examples in this step, so it needs a loss (null means absent, count 0)`;
  }
  const record: StepRecord = { step, loss, count: count as number[] };

  if (obj.weights !== undefined) {
    const err = lengthError('weights', obj.weights, domains, 'numbers');
    if (err) return err;
    const w = obj.weights as unknown[];
    let sum = 0;
    for (let k = 0; k < w.length; k++) {
      const x = w[k];
      if (!isFiniteNonNeg(x)) return `weights[${k}] must be a finite non-negative number, got ${describe(x)}`;
      sum += x;
    }
    if (Math.abs(sum - 1) > WEIGHTS_SUM_TOLERANCE)
      return `weights must sum to 1 (±${WEIGHTS_SUM_TOLERANCE}), sum to ${sum}`;
    record.weights = w as number[];
  }
  if (obj.evalLoss !== undefined) {
    const evalLoss = lossArray('evalLoss', obj.evalLoss, domains);
    if (typeof evalLoss === 'string') return evalLoss;
    record.evalLoss = evalLoss;
  }
  if (obj.params !== undefined) {
    const err = lengthError('params', obj.params, domains, '[a, e, alpha] triples or nulls');
    if (err) return err;
    const p = obj.params as unknown[];
    for (let k = 0; k < p.length; k++) {
      const x = p[k];
      if (x === null) continue;
      if (!Array.isArray(x) || x.length !== 3 || !x.every((v) => typeof v === 'number' && Number.isFinite(v)))
        return `params[${k}] must be null or [a, e, alpha] (three finite numbers), got ${describe(x)}`;
    }
    record.params = p as (StepLogParams | null)[];
  }
  return record;
}
