/**
 * The JSON form of a scenario (`adomix simulate --spec FILE`), validated with zod, and its
 * normalisation into a `Scenario` (defaults filled in, prior normalised, transfer as a
 * full matrix). The named scenarios are written in the same form and pass the same checks.
 *
 * {
 *   "name": "two-domains",
 *   "steps": 20000, "batchSize": 64,              // budget: steps × batchSize examples
 *   "noise": 0.2, "offset": 100,                  // defaults for every domain
 *   "capacityMemory": 200,                        // steps the capacity term's recent share spans
 *   "domains": [
 *     {"name": "code",  "epsilon": 1.0, "beta": 15, "alpha": 0.35, "prior": 0.3},
 *     {"name": "prose", "epsilon": 2.6, "beta": 25, "alpha": 0.3,  "prior": 0.7,
 *      "size": 200000, "epochs": 1, "capacity": 0.3}       // capacity: see types.ts
 *   ],
 *   "transfer": [{"from": "code", "to": "prose", "weight": 0.2}]   // or a K×K matrix
 * }
 *
 * Every error names the source, the field path and the offending value.
 */
import { z } from 'zod';
import { MUENNIGHOFF_R_STAR } from './effectiveData.js';
import type { Scenario, SimDomain } from './types.js';

const finite = z.number().refine(Number.isFinite, { error: 'must be a finite number' });
const positiveInt = z.number().int({ error: 'must be a positive integer' }).positive({ error: 'must be a positive integer' });
/** A positive number or null (= unlimited). */
const positiveOrNull = z.union([z.null(), finite.pipe(z.number().positive({ error: 'must be > 0 (or null for unlimited)' }))]);

export const SimDomainSpecSchema = z.strictObject({
  name: z.string().min(1, { error: 'must be a non-empty string' }),
  epsilon: finite.pipe(z.number().min(0, { error: 'must be ≥ 0 (irreducible loss in nats)' })),
  beta: finite.pipe(z.number().min(0, { error: 'must be ≥ 0 (0: nothing to learn)' })),
  alpha: finite.pipe(z.number().positive({ error: 'must be > 0' }).max(5, { error: 'must be ≤ 5' })),
  prior: finite.pipe(z.number().min(0, { error: 'must be ≥ 0' })).optional(),
  size: positiveOrNull.optional(),
  epochs: positiveOrNull.optional(),
  noise: finite.pipe(z.number().min(0, { error: 'must be ≥ 0' })).optional(),
  offset: finite.pipe(z.number().positive({ error: 'must be > 0 (it keeps L(0) finite)' })).optional(),
  capacity: finite.pipe(z.number().min(0, { error: 'must be ≥ 0 (nats per e-fold of recent share)' })).optional(),
});

const TransferEdgeSchema = z.strictObject({
  from: z.string().min(1),
  to: z.string().min(1),
  weight: finite.pipe(z.number().min(0, { error: 'must be ≥ 0 (interference is not modelled)' })),
});
const TransferMatrixSchema = z.array(z.array(finite.pipe(z.number().min(0, { error: 'must be ≥ 0 (interference is not modelled)' }))));

export const ScenarioSpecSchema = z.strictObject({
  name: z.string().min(1, { error: 'must be a non-empty string' }),
  description: z.string().optional(),
  steps: positiveInt.optional(),
  batchSize: positiveInt.optional(),
  noise: finite.pipe(z.number().min(0, { error: 'must be ≥ 0' })).optional(),
  offset: finite.pipe(z.number().positive({ error: 'must be > 0' })).optional(),
  repeatDecay: finite.pipe(z.number().positive({ error: 'must be > 0' })).optional(),
  evalEvery: z.number().int({ error: 'must be an integer ≥ 0' }).min(0, { error: 'must be an integer ≥ 0' }).optional(),
  capacityMemory: positiveInt.optional(),
  domains: z.array(SimDomainSpecSchema).min(1, { error: 'needs at least one domain' }),
  transfer: z.union([TransferMatrixSchema, z.array(TransferEdgeSchema)]).optional(),
});

/** A scenario as written in JSON (every default optional). */
export type ScenarioSpec = z.input<typeof ScenarioSpecSchema>;
export type SimDomainSpec = z.input<typeof SimDomainSpecSchema>;

export const SCENARIO_DEFAULTS = {
  steps: 20000,
  batchSize: 64,
  noise: 0.2,
  offset: 100,
  repeatDecay: MUENNIGHOFF_R_STAR,
  capacityMemory: 200,
} as const;

/** Thrown for an invalid scenario; `message` is the full `source: path: problem (got value)` text. */
export class ScenarioSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioSpecError';
  }
}

function pathText(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s === '' ? '(top level)' : s;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Validates a scenario spec and fills in its defaults. Throws `ScenarioSpecError` listing
 * every problem found (up to 10), each as `source: path: message (got value)`.
 */
export function parseScenarioSpec(input: unknown, source = '<spec>'): Scenario {
  const parsed = ScenarioSpecSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 10).map((issue) => {
      const got = issue.code === 'unrecognized_keys' ? '' : ` (got ${show(valueAt(input, issue.path))})`;
      return `${source}: ${pathText(issue.path)}: ${issue.message}${got}`;
    });
    const more = parsed.error.issues.length > 10 ? `\n… and ${parsed.error.issues.length - 10} more` : '';
    throw new ScenarioSpecError(lines.join('\n') + more);
  }
  return normalize(parsed.data, source);
}

function fail(source: string, path: string, message: string): never {
  throw new ScenarioSpecError(`${source}: ${path}: ${message}`);
}

function normalize(spec: z.output<typeof ScenarioSpecSchema>, source: string): Scenario {
  const K = spec.domains.length;
  const names = spec.domains.map((d) => d.name);
  const index = new Map<string, number>();
  names.forEach((n, k) => {
    if (index.has(n)) fail(source, `domains[${k}].name`, `duplicate domain name ${JSON.stringify(n)} (also domains[${index.get(n)}])`);
    index.set(n, k);
  });

  // Prior: all or none; none → shares of the available data, or uniform when unlimited.
  const given = spec.domains.filter((d) => d.prior !== undefined).length;
  if (given !== 0 && given !== K) {
    const k = spec.domains.findIndex((d) => d.prior === undefined);
    fail(source, `domains[${k}].prior`, `give a prior for every domain or for none (${given} of ${K} have one)`);
  }
  let prior: number[];
  if (given === K) {
    prior = spec.domains.map((d) => d.prior as number);
  } else if (spec.domains.every((d) => d.size != null)) {
    prior = spec.domains.map((d) => (d.size as number) * (d.epochs ?? 1)); // a finite epoch limit counts as planned passes
  } else {
    prior = new Array<number>(K).fill(1);
  }
  const total = prior.reduce((a, b) => a + b, 0);
  if (!(total > 0)) fail(source, 'domains[*].prior', 'the priors sum to 0; at least one must be positive');

  const noise = spec.noise ?? SCENARIO_DEFAULTS.noise;
  const offset = spec.offset ?? SCENARIO_DEFAULTS.offset;
  const domains: SimDomain[] = spec.domains.map((d, k) => ({
    name: d.name,
    epsilon: d.epsilon,
    beta: d.beta,
    alpha: d.alpha,
    prior: prior[k] / total,
    size: d.size ?? Infinity,
    epochs: d.epochs ?? Infinity,
    noise: d.noise ?? noise,
    offset: d.offset ?? offset,
    capacity: d.capacity ?? 0,
  }));

  const transfer: number[][] = Array.from({ length: K }, (_, k) => Array.from({ length: K }, (_, j) => (j === k ? 1 : 0)));
  const t = spec.transfer;
  if (t !== undefined && t.length > 0) {
    if (Array.isArray(t[0])) {
      const m = t as number[][];
      if (m.length !== K) fail(source, 'transfer', `a matrix must have one row per domain (${K}), got ${m.length} rows`);
      m.forEach((row, k) => {
        if (row.length !== K) fail(source, `transfer[${k}]`, `row must have ${K} entries, got ${row.length}`);
        row.forEach((v, j) => {
          if (j === k && v !== 1) fail(source, `transfer[${k}][${j}]`, `the diagonal must be 1 (a domain's own examples count fully), got ${v}`);
          transfer[k][j] = v;
        });
      });
    } else {
      const seen = new Set<string>();
      (t as { from: string; to: string; weight: number }[]).forEach((e, i) => {
        const from = index.get(e.from);
        const to = index.get(e.to);
        if (from === undefined) fail(source, `transfer[${i}].from`, `unknown domain ${JSON.stringify(e.from)} (domains: ${names.join(', ')})`);
        if (to === undefined) fail(source, `transfer[${i}].to`, `unknown domain ${JSON.stringify(e.to)} (domains: ${names.join(', ')})`);
        if (from === to) fail(source, `transfer[${i}]`, `from and to are the same domain ${JSON.stringify(e.from)}; a domain's own examples always count 1`);
        const key = `${from}->${to}`;
        if (seen.has(key)) fail(source, `transfer[${i}]`, `duplicate edge ${e.from} → ${e.to}`);
        seen.add(key);
        transfer[to][from] = e.weight;
      });
    }
  }

  return {
    name: spec.name,
    description: spec.description ?? '',
    domains,
    transfer,
    steps: spec.steps ?? SCENARIO_DEFAULTS.steps,
    batchSize: spec.batchSize ?? SCENARIO_DEFAULTS.batchSize,
    repeatDecay: spec.repeatDecay ?? SCENARIO_DEFAULTS.repeatDecay,
    evalEvery: spec.evalEvery,
    capacityMemory: spec.capacityMemory ?? SCENARIO_DEFAULTS.capacityMemory,
  };
}

/** Parses JSON text (a spec file's content) and validates it; JSON syntax errors name the source. */
export function parseScenarioJson(text: string, source: string): Scenario {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ScenarioSpecError(`${source}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseScenarioSpec(value, source);
}

/** Total examples available (size × epochs summed); Infinity when any domain is unlimited. */
export function dataAvailable(scenario: Scenario): number {
  let s = 0;
  for (const d of scenario.domains) s += d.size * d.epochs;
  return s;
}
