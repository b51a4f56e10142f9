/**
 * What the routes ask of the runs, whatever keeps them: `LocalBackend` (this process, files
 * under --state) or `RedisBackend` (Redis, shared by replicas; src/serve/redis).
 */
import { readFile } from 'node:fs/promises';
import { readStepLog } from '../runlog/index.js';
import { join } from 'node:path';
import { AdoPolicy } from '../mixing/index.js';
import { ServeError } from './errors.js';
import { livePage, reportHtml } from './page.js';
import type { RunRegistry } from './RunRegistry.js';
import { RUN_FILES } from './runStore.js';
import type { ReportInput, RunEvent, ServedRun } from './ServedRun.js';
import type { WorkerRefitRunner } from '../refit/index.js';
import { runGuardrails, type GuardrailWarning } from './guardrails.js';

export interface StepWeightsBody {
  step: number;
  basedOn: number;
  domains: readonly string[];
  weights: number[];
}

export type WeightsResult = { ready: true; body: StepWeightsBody; waitedMs: number } | { ready: false; body: Record<string, unknown>; waitedMs: number };

/** What /metrics reads of a run. */
export interface RunMetrics {
  id: string;
  counts: { stepsApplied: number; reports: number; duplicates: number; waits: number; staleWeights: number };
  refits: number;
  lastRefitMs: number | undefined;
  stalled: number;
  domains: readonly string[];
  weights: ArrayLike<number>;
  laws: ([number, number, number] | null)[];
  /** ADO: H(π)/ln K_live of the newest mixture, and the collapse alerts raised so far. */
  entropy?: number;
  alerts?: number;
}

export interface RunBackend {
  create(body: unknown): Promise<{ created: boolean; status: Record<string, unknown> }>;
  list(): Promise<Record<string, unknown>[]>;
  status(id: string): Promise<Record<string, unknown>>;
  report(id: string, body: ReportInput): Promise<{ status: 'accepted' | 'duplicate'; applied: number }>;
  weights(id: string, step: number, waitMs: number): Promise<WeightsResult>;
  addDomain(id: string, name: string, prior: number, afterStep?: number): Promise<RunEvent | Record<string, unknown>>;
  markExhausted(id: string, domain: string, afterStep?: number): Promise<RunEvent | Record<string, unknown>>;
  /** The run's step log as JSONL text. */
  steplog(id: string): Promise<string>;
  page(id: string, refreshSeconds: number): Promise<string>;
  metricRuns(): RunMetrics[];
  /** The warnings (refused fits, collapse alerts) of a run's refits applied since the last call, for the log. */
  takeWarnings?(id: string): GuardrailWarning[];
  /** Extra fields of /healthz (which replica, whether it leads). */
  health?(): Record<string, unknown>;
  close(): Promise<void>;
}

/** What /metrics reads of a run this process applies (and its refit worker). */
export function runMetrics(run: ServedRun, runner: WorkerRefitRunner | undefined, now: number): RunMetrics {
  return {
    id: run.id,
    counts: run.counts,
    refits: runner?.stats.refits ?? 0,
    lastRefitMs: runner?.stats.computeMs.at(-1),
    stalled: (run.status(now).stalled as unknown[]).length,
    domains: run.domains,
    weights: run.policy.weights(),
    laws: run.policy instanceof AdoPolicy ? run.policy.laws() : [],
    ...(run.policy instanceof AdoPolicy ? { entropy: runGuardrails(run.policy)!.entropy, alerts: run.policy.alertCount } : {}),
  };
}

/** The 503 body of weights that are not ready: what the step waits for, and the newest weights to go on with. */
export function notReadyBody(step: number, lag: number, applied: number, status: Record<string, unknown>, latest: StepWeightsBody): Record<string, unknown> {
  return {
    error: `the weights of step ${step} are not ready: step ${Math.max(step - 1 - lag, -1)} is not applied yet (applied: ${applied})`,
    code: 'not_ready',
    waitingFor: status.waitingFor ?? null,
    stalled: status.stalled ?? [],
    latest,
  };
}

/** Runs in this process (RunRegistry), with their files under --state. */
export class LocalBackend implements RunBackend {
  constructor(readonly runs: RunRegistry) {}

  async create(body: unknown) {
    const { entry, created } = this.runs.create(body);
    return { created, status: entry.run.status(Date.now()) };
  }

  async list() {
    return this.runs.list().map((e) => e.run.status(Date.now()));
  }

  async status(id: string) {
    return this.runs.get(id).run.status(Date.now());
  }

  async report(id: string, body: ReportInput) {
    return this.runs.get(id).run.report(body, Date.now());
  }

  takeWarnings(id: string): GuardrailWarning[] {
    return this.runs.get(id).run.takeWarnings();
  }

  async weights(id: string, step: number, waitMs: number): Promise<WeightsResult> {
    const { run } = this.runs.get(id);
    let answer = run.weightsFor(step);
    let waitedMs = 0;
    if (answer === undefined) {
      const started = performance.now();
      await run.waitForWeights(step, waitMs);
      waitedMs = performance.now() - started;
      answer = run.weightsFor(step);
    }
    if (answer !== undefined) return { ready: true, body: { step, basedOn: answer.basedOn, domains: run.domains, weights: Array.from(answer.weights) }, waitedMs };
    const latest = run.weightsFor(run.applied + 1 + run.spec.lag)!;
    return {
      ready: false,
      body: notReadyBody(step, run.spec.lag, run.applied, run.status(Date.now()), { step: latest.step, basedOn: latest.basedOn, domains: run.domains, weights: Array.from(latest.weights) }),
      waitedMs,
    };
  }

  async addDomain(id: string, name: string, prior: number, afterStep?: number) {
    return this.runs.get(id).run.addDomain(name, prior, afterStep);
  }

  async markExhausted(id: string, domain: string, afterStep?: number) {
    return this.runs.get(id).run.markExhausted(domain, afterStep);
  }

  async steplog(id: string) {
    const { store } = this.runs.get(id);
    if (store === undefined) throw new ServeError(404, `run ${id} keeps no step log (the server was started without a state directory)`);
    return readFile(join(store.dir, RUN_FILES.steplog), 'utf8');
  }

  private readonly pages = new Map<string, { applied: number; html: string }>();

  async page(id: string, refreshSeconds: number) {
    const { run, store } = this.runs.get(id);
    let cached = this.pages.get(id);
    if (cached?.applied !== run.applied) {
      const applied = run.applied;
      const path = store === undefined ? undefined : join(store.dir, RUN_FILES.steplog);
      const log = path === undefined ? undefined : await readStepLog(path, { skipBad: true });
      cached = { applied, html: await reportHtml(log, path ?? '', id) };
      this.pages.set(id, cached);
    }
    return livePage(cached.html, run.status(Date.now()), refreshSeconds);
  }

  metricRuns(): RunMetrics[] {
    const now = Date.now();
    return this.runs.list().map(({ run, runner }) => runMetrics(run, runner, now));
  }

  async close() {
    this.runs.checkpointAll();
    await this.runs.close();
  }
}
