/**
 * A fixed mixture: the baseline every adaptive policy is compared against.
 *
 * - `natural`: the prior μ (each domain's share of the available data);
 * - `balanced`: uniform over the live domains;
 * - `static`: any fixed vector you give.
 *
 * An exhausted domain gets weight 0 and its share is redistributed proportionally over
 * the live domains (uniformly if none of them has positive weight). A domain added mid-run
 * with prior share p gets exactly p and the other shares are scaled by (1 − p)
 * (for `balanced` the mixture simply stays uniform over the live domains).
 */
import type { MixturePolicy, StepObservation } from './policy.js';
import { validateObservation } from './validateObservation.js';
import { CopyPool } from './copyPool.js';
import {
  appendShare,
  checkDomains,
  checkNewDomain,
  normalizeLive,
  normalizedVector,
  resolveDomain,
} from './shares.js';
import { staticOptionsSchema } from './optionSchemas.js';
import { describeValue, parseOptions } from './schemaText.js';
import { parseStaticSnapshot } from './snapshotSchemas.js';
import type { StaticKind, StaticPolicySnapshot } from './snapshotTypes.js';

export type { StaticKind, StaticPolicySnapshot } from './snapshotTypes.js';

export interface StaticPolicyOptions {
  domains: readonly string[];
  /** `natural` and `static` need `weights`, `balanced` refuses them. Default: `static` when weights are given, else `balanced`. */
  kind?: StaticKind;
  /** The fixed mixture (normalised for you): the prior μ for `natural`, any vector for `static`. */
  weights?: ArrayLike<number>;
}

export class StaticPolicy implements MixturePolicy {
  readonly kind: StaticKind;
  private names: string[];
  private base: Float64Array;
  private live: boolean[];
  private current: Float64Array;
  private readonly copies = new CopyPool();
  private lastStep = -1;

  constructor(options: StaticPolicyOptions) {
    if (options === null || typeof options !== 'object') throw new Error('StaticPolicy: options must be an object');
    parseOptions(staticOptionsSchema, options, 'StaticPolicy');
    const kind = options.kind ?? (options.weights !== undefined ? 'static' : 'balanced');
    if (kind !== 'natural' && kind !== 'balanced' && kind !== 'static') {
      throw new Error(`StaticPolicy: kind must be natural, balanced or static, got ${describeValue(kind)}`);
    }
    checkDomains(options.domains, `StaticPolicy (${kind})`);
    if (kind === 'balanced' && options.weights !== undefined) {
      throw new Error(`StaticPolicy (balanced): weights must not be given (balanced is uniform), got ${describeValue(options.weights)}`);
    }
    this.kind = kind;
    this.names = [...options.domains];
    const K = this.names.length;
    if (kind === 'balanced') {
      this.base = new Float64Array(K).fill(1 / K);
    } else {
      if (options.weights === undefined) {
        throw new Error(`StaticPolicy (${kind}): weights are required (the ${kind === 'natural' ? 'prior μ' : 'fixed mixture'})`);
      }
      this.base = normalizedVector(options.weights, this.names, `StaticPolicy (${kind}) weights`);
    }
    this.live = new Array<boolean>(K).fill(true);
    this.current = new Float64Array(K);
    this.recompute();
  }

  /** The natural mixture: each domain's share of the available data (the prior μ). */
  static natural(domains: readonly string[], prior: ArrayLike<number>): StaticPolicy {
    return new StaticPolicy({ domains, kind: 'natural', weights: prior });
  }

  /** Uniform over the domains. */
  static balanced(domains: readonly string[]): StaticPolicy {
    return new StaticPolicy({ domains, kind: 'balanced' });
  }

  /** Restores a policy from `snapshot()`, checking every field (snapshotSchemas.ts). */
  static restore(snapshot: unknown): StaticPolicy {
    const s = parseStaticSnapshot(snapshot);
    const base = Float64Array.from(s.base);
    const p = new StaticPolicy({ domains: s.domains, kind: s.kind, weights: s.kind === 'balanced' ? undefined : base });
    p.base = base;
    p.live = s.exhausted.map((x) => !x);
    p.lastStep = s.step;
    p.recompute();
    return p;
  }

  get domains(): readonly string[] {
    return this.names;
  }

  weights(): Float64Array {
    return this.copies.copy(this.current); // a fresh copy, from a pool (copyPool.ts)
  }

  observe(obs: StepObservation): Float64Array {
    validateObservation(obs, this.names, this.lastStep);
    this.lastStep = obs.step;
    return this.weights();
  }

  addDomain(name: string, prior: number): void {
    checkNewDomain(this.names, name, prior);
    this.names.push(name);
    this.live.push(true);
    const K = this.names.length;
    this.base = this.kind === 'balanced' ? new Float64Array(K).fill(1 / K) : appendShare(this.base, prior);
    this.current = new Float64Array(K);
    this.recompute();
  }

  markExhausted(domain: string | number): void {
    const k = resolveDomain(this.names, domain);
    if (!this.live[k]) return;
    if (this.live.filter((x) => x).length === 1) {
      throw new Error(`markExhausted("${this.names[k]}"): it is the last live domain; a mixture needs at least one`);
    }
    this.live[k] = false;
    this.recompute();
  }

  snapshot(): StaticPolicySnapshot {
    return {
      kind: this.kind,
      version: 1,
      step: this.lastStep,
      domains: [...this.names],
      base: Array.from(this.base),
      exhausted: this.live.map((x) => !x),
    };
  }

  async close(): Promise<void> {}

  private recompute(): void {
    normalizeLive(this.base, this.live, this.current);
  }
}
