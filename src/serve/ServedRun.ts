/**
 * One served run: a policy fed by data-parallel ranks.
 *
 * Ranks report their part of each step (`report`); once all R ranks have reported step
 * t = applied + 1, the step is applied: the policy observes the sum over ranks, then the
 * domain events due after t (add a domain, mark one exhausted) are applied, and the policy's
 * mixture becomes out[t]. The weights for step t are out[t − 1 − lag] (the initial mixture
 * while t ≤ lag), so with lag ≥ 1 a rank that has reported step t − 1 never waits for them.
 *
 * Everything that changes the policy happens at a step boundary named by a step number,
 * never "when a request arrived", so the policy's outputs equal a single-process policy
 * fed the same summed steps and events, bit for bit, however the requests interleave; and a
 * restart that replays the journal (reports and events since the last checkpoint) gives the
 * same outputs again. Synchronous: persistence goes through the `RunPersistence` it is given.
 */
import { AdoPolicy, type MixturePolicy } from '../mixing/index.js';
import type { StepRecordInput } from '../runlog/index.js';
import { refitWarnings, runGuardrails, type GuardrailWarning } from './guardrails.js';
import { ServeError } from './errors.js';
import type { RunSpec } from './runSpec.js';
import { budgetStatus } from './budgetStatus.js';
import { StepAssembler, type RankReport } from './stepAssembler.js';
import { checkReport, type ReportInput } from './checkReport.js';

/** A change of the domains, applied right after step `afterStep`. */
export type RunEvent =
  | { seq: number; afterStep: number; type: 'add'; name: string; prior: number }
  | { seq: number; afterStep: number; type: 'exhaust'; domain: string };

/** Where a run's durable state goes (files under --state; nothing for an in-memory run). */
export interface RunPersistence {
  /** An accepted report, before it is acknowledged. */
  report(r: RankReport): void;
  /** An accepted domain event, before it is acknowledged. */
  event(e: RunEvent): void;
  /** An applied step, in step order, and the policy's mixture after it (out[t]). */
  step(record: StepRecordInput, domains: readonly string[], prior: number[] | undefined, output: Float64Array): void;
  /** Called every `checkpointEvery` applied steps, after a domain was added, and at shutdown. */
  checkpoint(run: ServedRun): void;
}

/** What a checkpoint keeps besides the policy snapshot. */
export interface RunCheckpointMeta {
  applied: number;
  initial: number[];
  /** out[s] for the steps whose mixture may still be asked for (s ≥ applied − lag). */
  outputs: [number, number[]][];
  eventSeq: number;
  events: RunEvent[];
  /** Domain count after each boundary where it changed: [afterStep, K]. */
  domainCounts: [number, number][];
  lawsVersion: number;
  /** The run's counters (absent in checkpoints written before they were kept). */
  counts?: ServedRun['counts'];
}

export type { ReportInput } from './checkReport.js';

export interface WeightsAnswer {
  step: number;
  /** The step whose mixture this is (−1: the initial one). */
  basedOn: number;
  weights: Float64Array;
}

const OUTPUTS_KEPT = 64;
const MAX_AHEAD = 4096;

export class ServedRun {
  readonly assembler: StepAssembler;
  applied = -1;
  failed: string | undefined;
  /** Counters for status and /metrics. */
  readonly counts = { reports: 0, duplicates: 0, waits: 0, stepsApplied: 0, staleWeights: 0 };
  private initial: Float64Array;
  private readonly outputs = new Map<number, Float64Array>();
  private events: RunEvent[] = [];
  private eventSeq = 0;
  private domainCounts: [number, number][];
  private lawsVersion = -1;
  private readonly waiters = new Map<number, Array<() => void>>();
  /** True while a restart replays the journal: nothing is journaled again. */
  private replaying = false;
  /** Refused fits and collapse alerts of applied refits, until the server logs them (takeWarnings). */
  private warnings: GuardrailWarning[] = [];

  constructor(
    readonly spec: RunSpec,
    readonly policy: MixturePolicy,
    private readonly persistence: RunPersistence | undefined,
    restored?: RunCheckpointMeta,
  ) {
    this.assembler = new StepAssembler(spec.ranks);
    if (restored === undefined) {
      this.initial = policy.weights();
      this.domainCounts = [[-1, policy.domains.length]];
      return;
    }
    this.applied = restored.applied;
    this.initial = Float64Array.from(restored.initial);
    for (const [s, w] of restored.outputs) this.outputs.set(s, Float64Array.from(w));
    this.eventSeq = restored.eventSeq;
    this.events = restored.events.map((e) => ({ ...e }));
    this.domainCounts = restored.domainCounts.map(([a, k]) => [a, k]);
    this.lawsVersion = restored.lawsVersion;
    if (restored.counts !== undefined) Object.assign(this.counts, restored.counts);
  }

  get id(): string {
    return this.spec.id;
  }

  get domains(): readonly string[] {
    return this.policy.domains;
  }

  /** Replays journal entries (after a restart) without journaling them again. */
  replay(entries: Iterable<{ report?: RankReport; event?: RunEvent }>, now: number): void {
    this.replaying = true;
    try {
      for (const e of entries) {
        if (e.event !== undefined) {
          if (e.event.seq > this.eventSeq) this.enqueue(e.event);
        } else if (e.report !== undefined && e.report.step > this.applied) {
          if (this.assembler.add(e.report, now) === 'accepted') this.counts.reports++;
          this.applyReady();
        }
      }
    } finally {
      this.replaying = false;
    }
  }

  /** Takes one rank's report; applies every step it completes. */
  report(input: ReportInput, now: number): { status: 'accepted' | 'duplicate'; applied: number } {
    this.checkUsable();
    const r = this.checkReport(input);
    if (r.step <= this.applied) {
      this.assembler.resent(r);
      this.counts.duplicates++;
      return { status: 'duplicate', applied: this.applied };
    }
    if (r.step > this.applied + MAX_AHEAD)
      throw new ServeError(409, `step ${r.step} is more than ${MAX_AHEAD} steps ahead of the last applied step ${this.applied}`);
    const status = this.assembler.add(r, now);
    if (status === 'duplicate') this.counts.duplicates++;
    else {
      this.counts.reports++;
      this.persistence?.report(r);
      this.applyReady();
    }
    return { status, applied: this.applied };
  }

  /** The weights for `step`, or undefined while the step they come from is not applied. */
  weightsFor(step: number): WeightsAnswer | undefined {
    const basedOn = Math.max(step - 1 - this.spec.lag, -1);
    if (basedOn > this.applied) return undefined;
    const w = basedOn === -1 ? this.initial : this.outputs.get(basedOn);
    if (w === undefined)
      throw new ServeError(410, `the weights of step ${step} are no longer kept (the run is at step ${this.applied}; the step log has the weights every step used)`);
    return { step, basedOn, weights: w };
  }

  /** Resolves when the weights for `step` exist, or after `timeoutMs` (then false). */
  waitForWeights(step: number, timeoutMs: number): Promise<boolean> {
    const needed = Math.max(step - 1 - this.spec.lag, -1);
    if (needed <= this.applied) return Promise.resolve(true);
    if (!(timeoutMs > 0)) return Promise.resolve(false);
    this.counts.waits++;
    return new Promise((resolve) => {
      const list = this.waiters.get(needed) ?? [];
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(true);
      };
      list.push(done);
      this.waiters.set(needed, list);
      timer = setTimeout(() => {
        const l = this.waiters.get(needed);
        const i = l?.indexOf(done) ?? -1;
        if (l !== undefined && i >= 0) l.splice(i, 1);
        resolve(false);
      }, timeoutMs);
    });
  }

  /** Queues `add` or `exhaust` for the boundary after `afterStep` (default: after the next step). */
  addDomain(name: unknown, prior: unknown, afterStep?: number): RunEvent {
    if (typeof name !== 'string' || name.length === 0) throw new ServeError(400, 'body/name must be a non-empty string');
    if (this.willHave(name)) throw new ServeError(409, `domain "${name}" already exists in run ${this.id}`);
    if (typeof prior !== 'number' || !(prior > 0 && prior < 1)) throw new ServeError(400, `body/prior must be a number in (0, 1), got ${JSON.stringify(prior)}`);
    return this.accept({ seq: 0, afterStep: this.boundary(afterStep), type: 'add', name, prior });
  }

  markExhausted(domain: unknown, afterStep?: number): RunEvent {
    const at = this.boundary(afterStep);
    if (typeof domain !== 'string' || !this.willHave(domain, at))
      throw new ServeError(404, `run ${this.id} has no domain ${JSON.stringify(domain)} after step ${at}`);
    return this.accept({ seq: 0, afterStep: at, type: 'exhaust', domain });
  }

  /** Status: where the run is, which ranks it waits for, and since when. */
  status(now: number): Record<string, unknown> {
    const next = this.applied + 1;
    const { ranks: missing, firstAt } = this.assembler.missing(next);
    const waitingMs = firstAt === undefined ? 0 : now - firstAt;
    const stalled = firstAt !== undefined && waitingMs > this.spec.rankTimeoutMs;
    const current = this.weightsFor(next + this.spec.lag) ?? this.weightsFor(next);
    return {
      id: this.id,
      policy: this.policy.kind,
      domains: [...this.domains],
      ranks: this.spec.ranks,
      lag: this.spec.lag,
      applied: this.applied,
      pendingSteps: this.assembler.pendingSteps().length,
      waitingFor:
        firstAt === undefined
          ? null
          : { step: next, ranks: missing, sinceMs: waitingMs, lastReported: missing.map((r) => this.assembler.lastReported[r]) },
      stalled: stalled
        ? missing.map((r) => ({ rank: r, lastReported: this.assembler.lastReported[r], missingSinceStep: this.assembler.lastReported[r] + 1, waitingMs }))
        : [],
      weights: current === undefined ? null : Array.from(current.weights),
      laws: this.policy instanceof AdoPolicy ? this.policy.laws() : null,
      budget: budgetStatus(this.policy),
      guardrails: runGuardrails(this.policy),
      events: this.events.map((e) => ({ ...e })),
      counts: { ...this.counts },
      failed: this.failed ?? null,
    };
  }

  /** The warnings of the refits applied since the last call (refused fits, collapse alerts), for the server's log. */
  takeWarnings(): GuardrailWarning[] {
    const out = this.warnings;
    this.warnings = [];
    return out;
  }

  /** The state a checkpoint keeps besides the policy snapshot. */
  checkpointMeta(): RunCheckpointMeta {
    const outputs: [number, number[]][] = [];
    for (const [s, w] of this.outputs) if (s >= this.applied - this.spec.lag) outputs.push([s, Array.from(w)]);
    return {
      applied: this.applied,
      initial: Array.from(this.initial),
      outputs,
      eventSeq: this.eventSeq,
      events: this.events.map((e) => ({ ...e })),
      domainCounts: this.domainCounts.map(([a, k]) => [a, k]),
      lawsVersion: this.lawsVersion,
      // Reports still pending are counted again when a restart takes them back.
      counts: { ...this.counts, reports: this.counts.reports - [...this.assembler.reports()].length },
    };
  }

  async close(): Promise<void> {
    for (const list of this.waiters.values()) for (const done of list) done();
    this.waiters.clear();
    await this.policy.close();
  }

  private checkUsable(): void {
    if (this.failed !== undefined) throw new ServeError(409, `run ${this.id} has failed: ${this.failed}`);
  }

  /** Domain count of the weights served for `step` (a report may not have fewer entries). */
  private domainsAt(step: number): number {
    const basedOn = step - 1 - this.spec.lag;
    for (let i = this.domainCounts.length - 1; i >= 0; i--) if (this.domainCounts[i][0] <= basedOn) return this.domainCounts[i][1];
    return this.domainCounts[0][1];
  }

  private checkReport(input: ReportInput): RankReport {
    return checkReport(input, { id: this.id, ranks: this.spec.ranks, domains: this.domains, least: Number.isInteger(input?.step) ? this.domainsAt(input.step) : this.domains.length });
  }

  private applyReady(): void {
    while (this.assembler.isComplete(this.applied + 1)) this.applyStep(this.applied + 1);
  }

  private applyStep(t: number): void {
    const K = this.domains.length;
    const { loss, count, reports } = this.assembler.take(t, K);
    const used = this.weightsUsed(t, reports);
    try {
      this.policy.observe({ step: t, loss, count });
    } catch (err) {
      this.failed = `step ${t}: ${(err as Error).message}`;
      throw new ServeError(500, `run ${this.id} failed at step ${t}: ${(err as Error).message}`);
    }
    this.applied = t;
    for (const w of refitWarnings(this.policy, t)) if (this.warnings.length < 1000) this.warnings.push(w);
    const added = this.applyEvents(t);
    const out = this.policy.weights();
    this.outputs.set(t, out);
    this.outputs.delete(t - Math.max(OUTPUTS_KEPT, this.spec.lag + 2));
    this.counts.stepsApplied++;
    const record: StepRecordInput = { step: t, loss, count, weights: padded(used, this.domains.length) };
    if (this.policy instanceof AdoPolicy && this.policy.lawsVersion !== this.lawsVersion) {
      this.lawsVersion = this.policy.lawsVersion;
      record.params = this.policy.laws();
    }
    // A domain added after t belongs in the header; step t itself had the old ones (padded).
    if (added) record.loss = padded(loss, this.domains.length, NaN);
    if (added) record.count = padded(count, this.domains.length);
    this.persistence?.step(record, this.domains, this.prior(), out);
    const list = this.waiters.get(t);
    if (list !== undefined) {
      this.waiters.delete(t);
      for (const done of list) done();
    }
    if (!this.replaying && (added || (t + 1) % this.spec.checkpointEvery === 0)) this.persistence?.checkpoint(this);
  }

  /**
   * The mixture step t was really drawn with: the weights served for it, unless ranks say
   * they went on with older ones (`basedOn`); then the ranks' weights, weighted by their
   * examples. (A replay does not need it: the policy reads counts, never weights.)
   */
  private weightsUsed(t: number, reports: RankReport[]): Float64Array {
    const served = this.weightsFor(t)!;
    if (reports.every((r) => r.basedOn === undefined || r.basedOn === served.basedOn)) return served.weights;
    const mix = new Float64Array(this.domains.length);
    let total = 0;
    for (const r of reports) {
      const stale = r.basedOn !== undefined && r.basedOn < served.basedOn;
      if (stale) this.counts.staleWeights++;
      const w = (stale ? (r.basedOn === -1 ? this.initial : this.outputs.get(r.basedOn!)) : undefined) ?? served.weights;
      let n = 0;
      for (let k = 0; k < r.count.length; k++) n += r.count[k];
      for (let k = 0; k < w.length; k++) mix[k] += n * w[k];
      total += n;
    }
    for (let k = 0; k < mix.length; k++) mix[k] /= total;
    return mix;
  }

  /** Applies the events due after step t; true when a domain was added. */
  private applyEvents(t: number): boolean {
    let added = false;
    while (this.events.length > 0 && this.events[0].afterStep === t) {
      const e = this.events.shift()!;
      if (e.type === 'add') {
        this.policy.addDomain(e.name, e.prior);
        this.domainCounts.push([t, this.domains.length]);
        added = true;
      } else this.policy.markExhausted(e.domain);
    }
    return added;
  }

  /** The prior over the current domains, where the policy has one. */
  prior(): number[] | undefined {
    return runPrior(this.spec, this.policy);
  }

  private boundary(afterStep: number | undefined): number {
    const next = this.applied + 1;
    if (afterStep === undefined) return next;
    if (!Number.isInteger(afterStep) || afterStep < next)
      throw new ServeError(409, `body/afterStep must be an integer ≥ ${next} (step ${this.applied} is already applied), got ${JSON.stringify(afterStep)}`);
    return afterStep;
  }

  /** Is `name` a domain after step `at` (now, or added by then)? Without `at`: ever. */
  private willHave(name: string, at = Infinity): boolean {
    return this.domains.includes(name) || this.events.some((e) => e.type === 'add' && e.name === name && e.afterStep <= at);
  }

  private accept(e: RunEvent): RunEvent {
    this.checkUsable();
    const event = { ...e, seq: this.eventSeq + 1 } as RunEvent;
    this.persistence?.event(event);
    this.enqueue(event);
    return event;
  }

  private enqueue(e: RunEvent): void {
    this.eventSeq = Math.max(this.eventSeq, e.seq);
    this.events.push(e);
    this.events.sort((a, b) => a.afterStep - b.afterStep || a.seq - b.seq);
  }
}

function padded(v: ArrayLike<number>, K: number, fill = 0): Float64Array {
  const out = new Float64Array(K).fill(fill);
  for (let k = 0; k < v.length; k++) out[k] = v[k];
  return out;
}

/** The prior over a run's current domains: ADO's μ, else the spec's (normalised), while the domains are the spec's. */
export function runPrior(spec: RunSpec, policy: MixturePolicy): number[] | undefined {
  if (policy instanceof AdoPolicy) return Array.from(policy.prior());
  if (spec.prior === undefined || spec.prior.length !== policy.domains.length) return undefined;
  const total = spec.prior.reduce((a, b) => a + b, 0);
  return spec.prior.map((x) => x / total);
}
