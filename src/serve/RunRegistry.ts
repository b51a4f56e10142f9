/**
 * The server's runs: created idempotently by id, each with its policy (ADO refits in a
 * worker thread of its own) and, with a state directory, its files. `open` restores every
 * run found under the state directory exactly where it stopped.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerRefitRunner } from '../refit/index.js';
import { ServeError } from './errors.js';
import { FileRunStore, RUN_FILES, readStoredRun } from './runStore.js';
import { resolveRunSpec, runPolicy, sameSpec, type RunSpec } from './runSpec.js';
import { ServedRun, runPrior } from './ServedRun.js';

export interface RegisteredRun {
  run: ServedRun;
  store: FileRunStore | undefined;
  runner: WorkerRefitRunner | undefined;
}

export class RunRegistry {
  private readonly runs = new Map<string, RegisteredRun>();

  private constructor(readonly stateDir: string | undefined) {}

  /** Opens a registry; with a state directory, every run stored there is restored. */
  static open(stateDir?: string): RunRegistry {
    const reg = new RunRegistry(stateDir);
    if (stateDir === undefined || !existsSync(stateDir)) return reg;
    for (const name of readdirSync(stateDir).sort()) {
      const dir = join(stateDir, name);
      if (!statSync(dir).isDirectory() || !existsSync(join(dir, RUN_FILES.spec))) continue;
      reg.restore(dir);
    }
    return reg;
  }

  /** Creates a run, or finds the same one (same id and spec); another spec under the id is a 409. */
  create(body: unknown): { entry: RegisteredRun; created: boolean } {
    const spec = resolveRunSpec(body);
    const existing = this.runs.get(spec.id);
    if (existing !== undefined) {
      if (!sameSpec(existing.run.spec, spec)) throw new ServeError(409, `run ${spec.id} exists with a different spec (a run id is created once; pick a new id)`);
      return { entry: existing, created: false };
    }
    const { policy, runner } = runPolicy(spec);
    const store = this.stateDir === undefined ? undefined : FileRunStore.create(join(this.stateDir, spec.id), spec, policy.domains, runPrior(spec, policy));
    const run = new ServedRun(spec, policy, store);
    const entry = { run, store, runner };
    this.runs.set(spec.id, entry);
    return { entry, created: true };
  }

  get(id: string): RegisteredRun {
    const e = this.runs.get(id);
    if (e === undefined) throw new ServeError(404, `no run ${JSON.stringify(id)} (create it with POST /v1/runs)`);
    return e;
  }

  list(): RegisteredRun[] {
    return [...this.runs.values()];
  }

  /** Checkpoints every run (at shutdown). */
  checkpointAll(): void {
    for (const { run, store } of this.runs.values()) store?.checkpoint(run);
  }

  async close(): Promise<void> {
    for (const { run, store, runner } of this.runs.values()) {
      store?.close();
      await run.close();
      await runner?.close();
    }
    this.runs.clear();
  }

  private restore(dir: string): void {
    const stored = readStoredRun(dir);
    const spec: RunSpec = stored.spec;
    let made: ReturnType<typeof runPolicy>;
    try {
      made = runPolicy(spec, stored.checkpoint?.policy);
    } catch (err) {
      throw new Error(`${join(dir, RUN_FILES.checkpoint)}: ${(err as Error).message}`);
    }
    const { policy, runner } = made;
    const store = FileRunStore.reopen(stored, policy.domains, runPrior(spec, policy));
    const run = new ServedRun(spec, policy, store, stored.checkpoint?.meta.run);
    run.replay(stored.journal, Date.now());
    this.runs.set(spec.id, { run, store, runner });
  }
}
