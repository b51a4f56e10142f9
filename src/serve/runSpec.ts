/**
 * What a client sends to create a run, checked and completed with defaults, and the policy
 * it names. The JSON schema is fastify's (types and ranges at the edge, in the OpenAPI
 * document); `resolveRunSpec` checks what a schema cannot say (unique domains, a prior
 * per domain) and the policy's own options go through the policy's validation.
 */
import { createPolicy, restorePolicy, type MixturePolicy, type PolicySpec, type RefitRunner } from '../mixing/index.js';
import { WorkerRefitRunner } from '../refit/index.js';
import { ServeError } from './errors.js';

/** Run ids name a folder under --state: letters, digits, `.`, `_`, `-`, not starting with a dot. */
export const RUN_ID_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$';
const RUN_ID = new RegExp(RUN_ID_PATTERN);

export const MAX_DOMAINS = 100_000;
export const MAX_RANKS = 65_536;

export interface RunSpec {
  id: string;
  domains: string[];
  /** μ: the natural mixture usually; optional for every policy but `natural`. */
  prior?: number[];
  /** `{kind, ...options}`: any policy of src/mixing with its options (default `{kind: 'ado'}`). */
  policy: { kind: string; [option: string]: unknown };
  /** Data-parallel ranks that report each step (default 1). */
  ranks: number;
  /** Weights for step t come from the policy after step t − 1 − lag (default 0). */
  lag: number;
  unit: 'examples' | 'tokens';
  /** A checkpoint after every this many applied steps (default 500). */
  checkpointEvery: number;
  /** A step that waits this long for some ranks reports them as stalled (default 30,000 ms). */
  rankTimeoutMs: number;
  /** ADO's data budget (budgets.ts): per domain the examples (or tokens, per `unit`) it holds, null: unlimited. */
  budget?: (number | null)[];
  /** ADO: most epochs over each budget (default 1). */
  maxEpochs?: number;
  /** ADO: the run's planned number of steps, where the budget caps aim. */
  plannedSteps?: number;
}

export const runSpecSchema = {
  type: 'object',
  required: ['id', 'domains'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: RUN_ID_PATTERN, description: 'Run id: letters, digits, ".", "_", "-" (≤ 128).' },
    domains: { type: 'array', minItems: 1, maxItems: MAX_DOMAINS, items: { type: 'string', minLength: 1, maxLength: 256 } },
    prior: { type: 'array', maxItems: MAX_DOMAINS, items: { type: 'number', minimum: 0 } },
    policy: {
      type: 'object',
      required: ['kind'],
      properties: { kind: { type: 'string', enum: ['ado', 'natural', 'balanced', 'static', 'odm'] } },
      additionalProperties: true,
      description: 'The policy and its options, as the library takes them (e.g. {"kind":"ado","preset":"reference"}).',
    },
    ranks: { type: 'integer', minimum: 1, maximum: MAX_RANKS },
    lag: { type: 'integer', minimum: 0, maximum: 100_000 },
    unit: { type: 'string', enum: ['examples', 'tokens'] },
    checkpointEvery: { type: 'integer', minimum: 1 },
    rankTimeoutMs: { type: 'integer', minimum: 1 },
    budget: {
      type: 'array',
      maxItems: MAX_DOMAINS,
      items: { type: 'number', nullable: true, minimum: 0 },
      description: 'ADO data budget: per domain, the examples (or tokens, per unit) it holds; null: unlimited.',
    },
    maxEpochs: { type: 'number', exclusiveMinimum: 0, description: 'ADO: most passes over each budget (default 1).' },
    plannedSteps: { type: 'integer', minimum: 1, description: 'ADO: the run\'s planned number of steps; the budget caps each share so it lasts until then, and a run shorter than 20,000 steps gets a schedule made for its length.' },
  },
} as const;

/** Options a client may not set: they are the server's to choose. */
const SERVER_OWNED = ['domains', 'prior', 'refitRunner'];

/** The spec with its defaults, after the checks a schema cannot make. Throws 400 naming the field. */
export function resolveRunSpec(body: unknown): RunSpec {
  const b = body as Partial<RunSpec>;
  if (typeof b?.id !== 'string' || !RUN_ID.test(b.id)) throw new ServeError(400, `body/id must match ${RUN_ID_PATTERN}`);
  if (!Array.isArray(b.domains) || b.domains.length === 0) throw new ServeError(400, 'body/domains must be a non-empty array of names');
  const seen = new Set<string>();
  b.domains.forEach((d, k) => {
    if (seen.has(d)) throw new ServeError(400, `body/domains/${k}: domain "${d}" is listed twice`);
    seen.add(d);
  });
  if (b.prior !== undefined && b.prior.length !== b.domains.length)
    throw new ServeError(400, `body/prior has ${b.prior.length} entries for ${b.domains.length} domains`);
  const policy = { ...(b.policy ?? { kind: 'ado' }) };
  for (const key of SERVER_OWNED) {
    if (key in policy) throw new ServeError(400, `body/policy/${key}: set by the server (give domains and prior at the top level)`);
  }
  const budget = budgetFields(b, policy.kind);
  return {
    id: b.id,
    domains: [...b.domains],
    ...(b.prior !== undefined ? { prior: [...b.prior] } : {}),
    policy,
    ranks: b.ranks ?? 1,
    lag: b.lag ?? 0,
    unit: b.unit ?? 'examples',
    checkpointEvery: b.checkpointEvery ?? 500,
    rankTimeoutMs: b.rankTimeoutMs ?? 30_000,
    ...budget,
  };
}

const BUDGET_KEYS = ['budget', 'maxEpochs', 'plannedSteps'] as const;

/** The spec's data-budget fields (only those given, so older specs compare as before); ADO only, one per domain. */
function budgetFields(b: Partial<RunSpec>, kind: string): Pick<RunSpec, (typeof BUDGET_KEYS)[number]> {
  const out: Pick<RunSpec, (typeof BUDGET_KEYS)[number]> = {};
  for (const key of BUDGET_KEYS) {
    if (b[key] === undefined) continue;
    if (kind !== 'ado') throw new ServeError(400, `body/${key}: a data budget applies to the ado policy only (policy is ${kind})`);
    if (key in (b.policy ?? {})) throw new ServeError(400, `body/policy/${key}: give the data budget once, at the top level`);
  }
  if (b.budget !== undefined) {
    if (b.budget.length !== b.domains!.length) throw new ServeError(400, `body/budget has ${b.budget.length} entries for ${b.domains!.length} domains`);
    out.budget = [...b.budget];
  }
  if (b.maxEpochs !== undefined) out.maxEpochs = b.maxEpochs;
  if (b.plannedSteps !== undefined) out.plannedSteps = b.plannedSteps;
  return out;
}

/** Same run? (Creating a run is idempotent by id: the same spec again is fine, another is a conflict.) */
export function sameSpec(a: RunSpec, b: RunSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The policy a spec names (errors are 400s naming body/policy). */
export function createRunPolicy(spec: RunSpec, refitRunner?: RefitRunner): MixturePolicy {
  const { kind, ...options } = spec.policy;
  const { domains, prior } = spec;
  let policySpec: PolicySpec;
  if (kind === 'ado') {
    const { budget, maxEpochs, plannedSteps } = spec;
    const budgets = { ...(budget ? { budget } : {}), ...(maxEpochs !== undefined ? { maxEpochs } : {}), ...(plannedSteps !== undefined ? { plannedSteps } : {}) };
    policySpec = { kind, ...options, ...budgets, domains, ...(prior ? { prior } : {}), ...(refitRunner ? { refitRunner } : {}) };
  }
  else if (kind === 'natural') {
    if (prior === undefined) throw new ServeError(400, 'body/prior is required for the natural policy (it is the natural mixture)');
    policySpec = { kind, ...options, domains, prior } as PolicySpec;
  } else policySpec = { kind, ...options, domains } as PolicySpec;
  let policy: MixturePolicy;
  try {
    policy = createPolicy(policySpec);
  } catch (err) {
    throw new ServeError(400, `body/policy: ${(err as Error).message}`);
  }
  // A run that says how long it will be gets a schedule made for that length (AdoPolicy.planSteps).
  if (spec.plannedSteps !== undefined) policy.planSteps?.(spec.plannedSteps);
  return policy;
}

/**
 * A served run's policy: restored from `snapshot`, or new from the spec, with a refit worker
 * of its own for ADO (refits stay off the request path). The worker is closed again when
 * the policy cannot be made, so a bad spec or snapshot leaves no thread behind.
 */
export function runPolicy(spec: RunSpec, snapshot?: unknown): { policy: MixturePolicy; runner: WorkerRefitRunner | undefined } {
  const runner = spec.policy.kind === 'ado' ? new WorkerRefitRunner() : undefined;
  try {
    return { policy: snapshot === undefined ? createRunPolicy(spec, runner) : restorePolicy(snapshot, { refitRunner: runner }), runner };
  } catch (err) {
    void runner?.close();
    throw err;
  }
}
