/**
 * The policy a replay feeds: built from the command's options over the log's domains, or
 * restored from a checkpoint and checked against the log and the options given.
 */
import { AdoPolicy, OdmPolicy, StaticPolicy, type AdoPolicyOptions, type MixturePolicy } from '../mixing/index.js';
import { openStepLog, type ReadStepLogOptions, type StepLogHeader } from '../runlog/index.js';

export type ReplayPolicyName = 'ado' | 'natural' | 'balanced' | 'odm';

export interface ReplayPolicyOptions {
  /** Default `ado`; when resuming, the checkpoint's (a policy given must match it). */
  policy?: ReplayPolicyName;
  preset?: 'reference' | 'default';
  startStep?: number;
  refitInterval?: number;
  ignoreSteps?: number;
  countMode?: 'same-step' | 'per-domain';
}

/** ADO's options and the flags that set them. */
export const ADO_FLAGS = [
  ['preset', '--preset'],
  ['startStep', '--start-step'],
  ['refitInterval', '--refit-interval'],
  ['ignoreSteps', '--ignore-steps'],
  ['countMode', '--count-mode'],
] as const;

/** Count shares of the whole log: the natural mixture when the header has no prior. */
async function countShares(path: string, header: StepLogHeader, options: ReadStepLogOptions): Promise<number[]> {
  const totals = new Array<number>(header.domains.length).fill(0);
  const stream = await openStepLog(path, options);
  for await (const r of stream) for (let k = 0; k < totals.length; k++) totals[k] += r.count[k];
  const sum = totals.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) throw new Error(`${path}: no prior in the header and no counts in the log: cannot form the natural mixture`);
  return totals.map((c) => c / sum);
}

export async function buildPolicy(path: string, header: StepLogHeader, o: ReplayPolicyOptions, read: ReadStepLogOptions): Promise<MixturePolicy> {
  const { domains } = header;
  const name = o.policy ?? 'ado';
  if (name === 'balanced') return StaticPolicy.balanced(domains);
  if (name === 'odm') return new OdmPolicy({ domains });
  const prior = header.prior ?? (await countShares(path, header, read));
  if (name === 'natural') return StaticPolicy.natural(domains, prior);
  const ado: AdoPolicyOptions = { domains, prior, preset: o.preset ?? 'default' };
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
