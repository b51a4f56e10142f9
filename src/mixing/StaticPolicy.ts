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
import type { MixturePolicy, PolicySnapshot, StepObservation } from './policy.js';
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
import { booleanArray, checkSnapshotHeader, numberArray } from './snapshotFields.js';

export type StaticKind = 'natural' | 'balanced' | 'static';

export interface StaticPolicyOptions {
  domains: readonly string[];
  /** `balanced` ignores `weights`; `natural` and `static` need them. Default: `static` when weights are given, else `balanced`. */
  kind?: StaticKind;
  /** The fixed mixture (normalised for you): the prior μ for `natural`, any vector for `static`. */
  weights?: ArrayLike<number>;
}

export interface StaticPolicySnapshot extends PolicySnapshot {
  kind: StaticKind;
  version: 1;
  base: number[];
  exhausted: boolean[];
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
    const kind = options.kind ?? (options.weights !== undefined ? 'static' : 'balanced');
    if (kind !== 'natural' && kind !== 'balanced' && kind !== 'static') {
      throw new Error(`StaticPolicy: kind must be natural, balanced or static, got ${JSON.stringify(kind)}`);
    }
    checkDomains(options.domains, `StaticPolicy (${kind})`);
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

  static restore(snapshot: unknown): StaticPolicy {
    const s = checkSnapshotHeader(snapshot, ['natural', 'balanced', 'static'], 1);
    const K = s.domains.length;
    const base = numberArray(s, 'base', K, { min: 0 });
    const exhausted = booleanArray(s, 'exhausted', K);
    if (exhausted.every((x) => x)) throw new Error(`${s.kind} snapshot: every domain is exhausted`);
    const p = new StaticPolicy({ domains: s.domains, kind: s.kind as StaticKind, weights: s.kind === 'balanced' ? undefined : base });
    p.base = base;
    p.live = exhausted.map((x) => !x);
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
