/**
 * The policy a replay feeds: built from the command's options over the log's domains, or
 * restored from a checkpoint and checked against the log and the options given.
 */
import { AdoPolicy, OdmPolicy, StaticPolicy, type AdoPolicyOptions, type MixturePolicy, type StepObservation } from '../mixing/index.js';
import { openLog, type ReadLogOptions } from '../import/index.js';
import { sparseWindow, type StepLogHeader, type StepRecord } from '../runlog/index.js';

export type ReplayPolicyName = 'ado' | 'natural' | 'balanced' | 'odm';

export interface ReplayPolicyOptions {
  /** Default `ado`; when resuming, the checkpoint's (a policy given must match it). */
  policy?: ReplayPolicyName;
  preset?: 'reference' | 'default';
  startStep?: number;
  refitInterval?: number;
  ignoreSteps?: number;
  countMode?: 'same-step' | 'per-domain';
  /** ADO's data budget by domain name, in the log's unit (over the header's `budget`). */
  budget?: Record<string, number>;
  /** ADO: most epochs over each budget (over the header's `maxEpochs`). */
  maxEpochs?: number;
  /** ADO: the run's planned number of steps, where the caps aim (over the header's `plannedSteps`). */
  plannedSteps?: number;
}

/** The data-budget options and their flags (ADO only; a resumed policy keeps the checkpoint's budget). */
export const BUDGET_FLAGS = [
  ['budget', '--budget'],
  ['maxEpochs', '--max-epochs'],
  ['plannedSteps', '--planned-steps'],
] as const;

/** ADO's options and the flags that set them. */
export const ADO_FLAGS = [
  ['preset', '--preset'],
  ['startStep', '--start-step'],
  ['refitInterval', '--refit-interval'],
  ['ignoreSteps', '--ignore-steps'],
  ['countMode', '--count-mode'],
] as const;

/** Refuses ADO's flags with another policy (a fresh replay; a resumed one checks them in checkResumed). */
export function checkPolicyFlags(o: ReplayPolicyOptions): void {
  if (o.policy === 'ado' || o.policy === undefined) return;
  for (const [key, flag] of [...ADO_FLAGS, ...BUDGET_FLAGS]) if (o[key] !== undefined) throw new Error(`${flag} applies to --policy ado only (got --policy ${o.policy})`);
}

/**
 * ADO's budget options from the header's `budget`, `maxEpochs`, `plannedSteps` and the flags
 * (a flag wins; --budget names domains, each replacing the header's entry), or {} when none.
 */
export function replayBudget(header: StepLogHeader, o: ReplayPolicyOptions): Pick<AdoPolicyOptions, 'budget' | 'maxEpochs' | 'plannedSteps'> {
  const { domains } = header;
  const out: Pick<AdoPolicyOptions, 'budget' | 'maxEpochs' | 'plannedSteps'> = {};
  if (header.budget !== undefined || o.budget !== undefined) {
    const b = header.budget !== undefined ? header.budget.map((x) => x ?? Infinity) : domains.map(() => Infinity);
    for (const [name, n] of Object.entries(o.budget ?? {})) {
      const k = domains.indexOf(name);
      if (k < 0) throw new Error(`--budget: unknown domain "${name}": the log's domains are ${domains.join(', ')}`);
      b[k] = n;
    }
    out.budget = b;
  }
  const maxEpochs = o.maxEpochs ?? header.maxEpochs;
  if (maxEpochs !== undefined) out.maxEpochs = maxEpochs;
  const plannedSteps = o.plannedSteps ?? header.plannedSteps;
  if (plannedSteps !== undefined) out.plannedSteps = plannedSteps;
  return out;
}

/**
 * Does the record hold no examples at all? A logger's row where none of the chosen columns has
 * a value imports as such a step (its examples carried to the next measurement). There is
 * nothing for a policy to observe: the replays pass over it, the mixture unchanged.
 */
export function isEmptyStep(r: StepRecord): boolean {
  for (const c of r.count) if (c > 0) return false;
  return true;
}

/** What log record `r` tells a policy at its step `step` (null losses as NaN). */
export function observation(r: StepRecord, step: number): StepObservation {
  const loss = r.loss.map((x) => (x === null ? NaN : x));
  const evalLoss = r.evalLoss?.map((x) => (x === null ? NaN : x));
  return evalLoss === undefined ? { step, loss, count: r.count } : { step, loss, count: r.count, evalLoss };
}

/** One pass over the log: each domain's count total, and the number of records. */
async function logTotals(path: string, header: StepLogHeader, options: ReadLogOptions): Promise<{ totals: number[]; records: number }> {
  const totals = new Array<number>(header.domains.length).fill(0);
  let records = 0;
  const { stream } = await openLog(path, options);
  for await (const r of stream) {
    for (let k = 0; k < totals.length; k++) totals[k] += r.count[k];
    records++;
  }
  return { totals, records };
}

/** Count shares of the whole log: the natural mixture when the header has no prior. */
function countShares(path: string, totals: readonly number[]): number[] {
  const sum = totals.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) throw new Error(`${path}: no prior in the header and no counts in the log: cannot form the natural mixture`);
  return totals.map((c) => c / sum);
}

/**
 * ADO's schedule for a sparse log of `evaluations` records, in policy steps (one per
 * evaluation, numbered from 0): fits need at least min(20, max(5, ⌊E/2⌋)) points, the first
 * refit comes once that many evaluations are in, refits follow every max(1, round(E/50))
 * evaluations (about 50 in all) and are applied at once; nothing is ignored, every point is
 * kept, and the smoothing window is in points (sparseWindow).
 */
export function sparseAdoSchedule(evaluations: number): Pick<AdoPolicyOptions, 'startStep' | 'refitInterval' | 'ignoreSteps' | 'lag' | 'minPoints' | 'fit'> {
  const minPoints = Math.min(20, Math.max(5, Math.floor(evaluations / 2)));
  return {
    minPoints,
    startStep: minPoints - 1,
    refitInterval: Math.max(1, Math.round(evaluations / 50)),
    ignoreSteps: 0,
    lag: 0,
    fit: { subsample: 1, window: sparseWindow(evaluations) },
  };
}

/** `ADO refits from evaluation 11, every 1, …`: what a sparse replay's ADO does. */
export function describeSparseAdo(policy: AdoPolicy): string {
  const s = policy.settings;
  return (
    `ADO refits from evaluation ${s.startStep}, every ${s.refitInterval}, applied after ${s.lag}, ignoring ${s.ignoreSteps}; ` +
    `subsample ${s.fit.subsample ?? 10}, smoothing window ${s.fit.window ?? 101} points, at least ${s.minPoints} points`
  );
}

/**
 * The policy a fresh replay feeds. `read` reads the log again where that is needed (the
 * natural mixture of a log without a prior; a sparse log's length, for ADO's schedule).
 */
export async function buildPolicy(path: string, header: StepLogHeader, o: ReplayPolicyOptions, read: ReadLogOptions): Promise<MixturePolicy> {
  const { domains } = header;
  const name = o.policy ?? 'ado';
  if (name === 'balanced') return StaticPolicy.balanced(domains);
  if (name === 'odm') return new OdmPolicy({ domains });
  const sparse = header.sparse === true && name === 'ado';
  const pass = header.prior === undefined || sparse ? await logTotals(path, header, read) : undefined;
  const prior = header.prior ?? countShares(path, pass!.totals);
  if (name === 'natural') return StaticPolicy.natural(domains, prior);
  const ado: AdoPolicyOptions = { domains, prior, preset: o.preset ?? 'default', ...(sparse ? sparseAdoSchedule(pass!.records) : {}), ...replayBudget(header, o) };
  if (o.startStep !== undefined) ado.startStep = o.startStep;
  if (o.refitInterval !== undefined) ado.refitInterval = o.refitInterval;
  if (o.ignoreSteps !== undefined) ado.ignoreSteps = o.ignoreSteps;
  if (o.countMode !== undefined) ado.countMode = o.countMode;
  return new AdoPolicy(ado);
}

/** A restored policy must be the one asked for (if any), over the log's domains, with the settings given (if any). */
export function checkResumed(policy: MixturePolicy, header: StepLogHeader, o: ReplayPolicyOptions, source: string): void {
  const kind = policy.kind === 'static' ? 'natural' : policy.kind;
  if (o.policy !== undefined && kind !== o.policy) {
    throw new Error(`${source}: the checkpoint holds a "${policy.kind}" policy, but --policy is ${o.policy}`);
  }
  const same = policy.domains.length === header.domains.length && policy.domains.every((d, k) => d === header.domains[k]);
  if (!same) {
    throw new Error(`${source}: the checkpoint's domains (${policy.domains.join(', ')}) differ from the log's (${header.domains.join(', ')})`);
  }
  for (const [key, flag] of BUDGET_FLAGS) {
    if (o[key] !== undefined) throw new Error(`${flag} cannot be given with --resume: a resumed policy keeps the checkpoint's data budget`);
  }
  if (policy instanceof AdoPolicy) {
    const s = policy.settings;
    for (const [key, flag] of ADO_FLAGS) {
      const given = o[key];
      if (given !== undefined && given !== s[key]) {
        throw new Error(`${flag} ${given} conflicts with the checkpoint's ${key} ${String(s[key])}; a resumed policy keeps its settings`);
      }
    }
  } else {
    for (const [key, flag] of ADO_FLAGS) {
      if (o[key] !== undefined) throw new Error(`${flag} applies to --policy ado only (${source} holds a "${policy.kind}" policy)`);
    }
  }
}
