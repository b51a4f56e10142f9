/**
 * One entry point for every policy: build one from a spec, or restore one from its snapshot
 * (`snapshot.kind` picks the class).
 */
import type { MixturePolicy } from './policy.js';
import { AdoPolicy, type AdoPolicyOptions } from './AdoPolicy.js';
import { OdmPolicy, type OdmPolicyOptions } from './OdmPolicy.js';
import { StaticPolicy } from './StaticPolicy.js';
import type { RefitRunner } from './refitTypes.js';
import { checkFixedSpec, unknownKindError } from './optionSchemas.js';

export type PolicySpec =
  | ({ kind: 'ado' } & AdoPolicyOptions)
  | { kind: 'natural'; domains: readonly string[]; prior: ArrayLike<number> }
  | { kind: 'balanced'; domains: readonly string[] }
  | { kind: 'static'; domains: readonly string[]; weights: ArrayLike<number> }
  | ({ kind: 'odm' } & OdmPolicyOptions);

export type PolicyKind = PolicySpec['kind'];

export const POLICY_KINDS: readonly PolicyKind[] = ['ado', 'natural', 'balanced', 'static', 'odm'];

/** Builds the policy a spec names; every key of the spec is checked (an unknown one throws naming it). */
export function createPolicy(spec: PolicySpec): MixturePolicy {
  switch (spec?.kind) {
    case 'ado': {
      const { kind: _k, ...options } = spec;
      return new AdoPolicy(options);
    }
    case 'odm': {
      const { kind: _k, ...options } = spec;
      return new OdmPolicy(options);
    }
    case 'natural':
      checkFixedSpec('natural', spec);
      return StaticPolicy.natural(spec.domains, spec.prior);
    case 'balanced':
      checkFixedSpec('balanced', spec);
      return StaticPolicy.balanced(spec.domains);
    case 'static':
      checkFixedSpec('static', spec);
      return new StaticPolicy({ domains: spec.domains, kind: 'static', weights: spec.weights });
    default:
      throw unknownKindError(POLICY_KINDS, (spec as { kind?: unknown } | null | undefined)?.kind);
  }
}

/** Restores any policy from `snapshot()` (checked field by field; errors name the field). */
export function restorePolicy(snapshot: unknown, env: { refitRunner?: RefitRunner } = {}): MixturePolicy {
  const kind = snapshot !== null && typeof snapshot === 'object' ? (snapshot as { kind?: unknown }).kind : undefined;
  switch (kind) {
    case 'ado':
      return AdoPolicy.restore(snapshot, env);
    case 'odm':
      return OdmPolicy.restore(snapshot);
    case 'natural':
    case 'balanced':
    case 'static':
      return StaticPolicy.restore(snapshot);
    default:
      throw new Error(
        `policy snapshot: field "kind" must be one of ado, odm, natural, balanced, static, got ${JSON.stringify(kind)}`,
      );
  }
}
