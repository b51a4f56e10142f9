/**
 * Refits in a pool of worker threads over shared fit points (src/mixing's RefitRunner).
 * A refit's domains are split into one contiguous group per worker (about equal numbers
 * of points); each domain's fit depends on its own points alone, so inline, single-worker
 * and pooled refits give identical laws.
 *
 * submit() posts the job (the point arenas' SharedArrayBuffers travel by reference, once
 * each, nothing is copied) and returns at once; collect() reads the outcome from a shared result slot and,
 * only if the worker is not done yet, blocks on it with Atomics.wait. The policy collects
 * a refit `lag` steps after it started, so the training thread waits only when a refit
 * takes longer than `lag` steps of training.
 *
 * It lives at the edge (not in src/mixing) because it needs node:worker_threads and the
 * file system to locate its entry; the policies stay pure.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { RefitPointSource, RefitOutcome, RefitRequest, RefitRunner } from '../mixing/index.js';
import { RESULT_HEADER_BYTES, STATE_PENDING, resultBytes, type RefitJobMessage } from './protocol.js';
import { decodeOutcome } from './resultCodec.js';
import { encodeJobs } from './jobCodec.js';

export interface WorkerRefitRunnerOptions {
  /** Give up (throw) when a refit is still not done after this long, in ms. Default 10 minutes. */
  timeoutMs?: number;
  /** Worker threads a refit's domains are spread over. Default: cores − 1, at least 1. */
  workers?: number;
}

/** Timings a benchmark or a log wants. */
export interface RefitRunnerStats {
  /** Refits collected. */
  refits: number;
  /** Worker compute time of each collected refit (its slowest worker), ms. */
  computeMs: number[];
  /** Collects that had to block, and the longest block, ms. */
  waits: number;
  maxWaitMs: number;
}

/** One worker's share of a refit: its answer slot and the job indices it fits. */
interface Slot {
  result: SharedArrayBuffer;
  header: Int32Array;
}

/** A worker thread and the point arenas it holds. */
interface PoolWorker {
  thread: Worker;
  /** The point arena whose first `sent` buffers this worker holds. */
  arena: object | undefined;
  sent: number;
}

/** The default pool size: every core but the training thread's, at least one. */
export function defaultRefitWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * Splits jobs (their point counts `cost`) into at most `parts` contiguous groups of about
 * equal total cost, so each worker fits a similar number of points.
 */
export function splitJobs(cost: readonly number[], parts: number): number[][] {
  const total = cost.reduce((a, b) => a + b, 0);
  const groups: number[][] = [];
  let group: number[] = [];
  let acc = 0;
  for (let i = 0; i < cost.length; i++) {
    group.push(i);
    acc += cost[i];
    const left = parts - groups.length - 1;
    if (left > 0 && i < cost.length - 1 && acc >= (total * (groups.length + 1)) / parts) {
      groups.push(group);
      group = [];
    }
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * The compiled worker entry. From dist/ it is the sibling .js file; under vitest (which runs
 * the .ts sources) the sibling does not exist and the built copy in dist/ is used.
 */
export function refitWorkerPath(): string {
  const sibling = fileURLToPath(new URL('./refitWorker.js', import.meta.url));
  if (existsSync(sibling)) return sibling;
  const built = fileURLToPath(new URL('../../dist/src/refit/refitWorker.js', import.meta.url));
  if (existsSync(built)) return built;
  throw new Error(`refit worker entry not found (looked for ${sibling} and ${built}); run \`npm run build\` first`);
}

export class WorkerRefitRunner implements RefitRunner {
  readonly mode = 'worker' as const;
  readonly stats: RefitRunnerStats = { refits: 0, computeMs: [], waits: 0, maxWaitMs: 0 };
  /** Number of worker threads. */
  readonly workers: number;
  private pool: PoolWorker[] | undefined;
  private readonly slots = new Map<number, Slot[]>();
  private failure: Error | undefined;
  private readonly timeoutMs: number;

  constructor(options: WorkerRefitRunnerOptions = {}) {
    if (typeof SharedArrayBuffer !== 'function') {
      throw new Error('WorkerRefitRunner needs SharedArrayBuffer, which this runtime lacks; use the inline runner');
    }
    const workers = options.workers ?? defaultRefitWorkers();
    if (!Number.isInteger(workers) || workers < 1) throw new Error(`WorkerRefitRunner: workers must be an integer ≥ 1, got ${workers}`);
    this.workers = workers;
    this.timeoutMs = options.timeoutMs ?? 600_000;
    // Started now, so they have loaded their modules long before the first refit.
    const path = refitWorkerPath();
    this.pool = Array.from({ length: workers }, () => {
      const thread = new Worker(path);
      thread.unref(); // a forgotten close() must not keep the process alive
      thread.on('error', (err) => {
        this.failure = err;
      });
      thread.on('exit', (code) => {
        if (this.pool !== undefined && this.failure === undefined) {
          this.failure = new Error(`refit worker exited unexpectedly (code ${code})`);
        }
      });
      // Warm the paths submit() and collect() take (first-use initialisation of message
      // serialisation with shared buffers costs milliseconds), so that the first refit does
      // not pause the training thread.
      thread.postMessage({ type: 'ping', buffers: [new SharedArrayBuffer(8)] });
      return { thread, arena: undefined, sent: 0 };
    });
    JSON.parse(new TextDecoder().decode(new Uint8Array([123, 125])));
  }

  submit(request: RefitRequest, points: RefitPointSource): void {
    if (this.pool === undefined) throw new Error('WorkerRefitRunner: submit() after close()');
    if (this.failure) throw new Error(`refit worker failed: ${this.failure.message}`);
    if (!points.shared) throw new Error('WorkerRefitRunner: the fit points are not in shared memory');
    if (this.slots.has(request.id)) throw new Error(`refit ${request.id} was already submitted`);
    const groups = splitJobs(request.jobs.map((j) => j.frozen + j.tailN.length + 1), this.pool.length);
    const slots: Slot[] = [];
    groups.forEach((group, w) => {
      const worker = this.pool![w];
      const result = new SharedArrayBuffer(resultBytes(group.length));
      slots.push({ result, header: new Int32Array(result, 0, RESULT_HEADER_BYTES / 4) });
      // A runner may serve several policies: a different arena replaces the worker's list.
      const reset = points.arena !== worker.arena;
      if (reset) [worker.arena, worker.sent] = [points.arena, 0];
      const buffers = points.arena.buffers;
      const msg: RefitJobMessage = {
        type: 'refit',
        id: request.id,
        fit: request.fit,
        jobs: encodeJobs(group.map((i) => request.jobs[i])),
        reset,
        arenas: buffers.slice(worker.sent) as SharedArrayBuffer[],
        result,
      };
      worker.sent = buffers.length;
      worker.thread.postMessage(msg, [msg.jobs.values.buffer as ArrayBuffer]); // the jobs move, not copied
    });
    this.slots.set(request.id, slots);
  }

  /** Whether refit `id`'s workers have all finished (collect() would not wait). */
  done(id: number): boolean {
    const slots = this.slots.get(id);
    if (slots === undefined) throw new Error(`refit ${id} was never submitted`);
    return slots.every((slot) => Atomics.load(slot.header, 0) !== STATE_PENDING);
  }

  collect(id: number): RefitOutcome {
    const slots = this.slots.get(id);
    if (slots === undefined) throw new Error(`refit ${id} was never submitted`);
    let waited = false;
    const t0 = performance.now();
    for (const slot of slots) {
      // Block in slices so a dead worker turns into an error instead of a hang.
      while (Atomics.load(slot.header, 0) === STATE_PENDING) {
        waited = true;
        if (this.failure) throw new Error(`refit worker failed: ${this.failure.message}`);
        const ms = performance.now() - t0;
        if (ms > this.timeoutMs) throw new Error(`refit started after step ${id} still not done after ${Math.round(ms)} ms`);
        Atomics.wait(slot.header, 0, STATE_PENDING, 1000);
      }
    }
    if (waited) {
      const ms = performance.now() - t0;
      this.stats.waits++;
      if (ms > this.stats.maxWaitMs) this.stats.maxWaitMs = ms;
    }
    this.slots.delete(id);
    const outcome: RefitOutcome = { results: [] };
    let computeMs = 0;
    for (const slot of slots) {
      const { header } = slot;
      const doubles = header[4];
      // Copy the text out of shared memory first: TextDecoder does not accept shared views.
      const bytes = new Uint8Array(header[5]);
      bytes.set(new Uint8Array(slot.result, RESULT_HEADER_BYTES + 8 * doubles, bytes.length));
      computeMs = Math.max(computeMs, new Float64Array(slot.result, 8, 1)[0]);
      const text = bytes.length === 0 ? '' : new TextDecoder().decode(bytes);
      const part = decodeOutcome(new Float64Array(slot.result, RESULT_HEADER_BYTES, doubles), header[1], text);
      for (const r of part.results) outcome.results.push(r);
      if (part.error !== undefined && outcome.error === undefined) outcome.error = part.error;
    }
    // A refit that threw changes no law: as inline, where one error voids the whole outcome.
    if (outcome.error !== undefined) outcome.results = [];
    this.stats.refits++;
    this.stats.computeMs.push(computeMs);
    return outcome;
  }

  discard(id: number): void {
    this.slots.delete(id);
  }

  async close(): Promise<void> {
    const pool = this.pool;
    if (pool === undefined) return;
    this.pool = undefined;
    this.slots.clear();
    await Promise.all(pool.map((w) => w.thread.terminate()));
  }
}
