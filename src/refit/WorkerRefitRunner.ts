/**
 * Refits in a worker thread over shared history (src/mixing's RefitRunner).
 *
 * submit() posts the job (the history's SharedArrayBuffers travel by reference, nothing is
 * copied) and returns at once; collect() reads the outcome from a shared result slot and,
 * only if the worker is not done yet, blocks on it with Atomics.wait. The policy collects
 * a refit `lag` steps after it started, so the training thread waits only when a refit
 * takes longer than `lag` steps of training.
 *
 * It lives at the edge (not in src/mixing) because it needs node:worker_threads and the
 * file system to locate its entry; the policies stay pure.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { RefitHistorySource, RefitOutcome, RefitRequest, RefitRunner } from '../mixing/index.js';
import { RESULT_HEADER_BYTES, STATE_PENDING, resultBytes, type RefitJobMessage } from './protocol.js';

export interface WorkerRefitRunnerOptions {
  /** Give up (throw) when a refit is still not done after this long, in ms. Default 10 minutes. */
  timeoutMs?: number;
}

/** Timings a benchmark or a log wants. */
export interface RefitRunnerStats {
  /** Refits collected. */
  refits: number;
  /** Worker compute time of each collected refit, ms. */
  computeMs: number[];
  /** Collects that had to block, and the longest block, ms. */
  waits: number;
  maxWaitMs: number;
}

interface Slot {
  result: SharedArrayBuffer;
  header: Int32Array;
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
  private worker: Worker | undefined;
  private readonly slots = new Map<number, Slot>();
  private failure: Error | undefined;
  private readonly timeoutMs: number;

  constructor(options: WorkerRefitRunnerOptions = {}) {
    if (typeof SharedArrayBuffer !== 'function') {
      throw new Error('WorkerRefitRunner needs SharedArrayBuffer, which this runtime lacks; use the inline runner');
    }
    this.timeoutMs = options.timeoutMs ?? 600_000;
    // Started now, so it has loaded its modules long before the first refit.
    this.worker = new Worker(refitWorkerPath());
    this.worker.unref(); // a forgotten close() must not keep the process alive
    this.worker.on('error', (err) => {
      this.failure = err;
    });
    this.worker.on('exit', (code) => {
      if (this.worker !== undefined && this.failure === undefined) {
        this.failure = new Error(`refit worker exited unexpectedly (code ${code})`);
      }
    });
    // Warm the paths submit() and collect() take (first-use initialisation of message
    // serialisation with shared buffers and of TextDecoder costs milliseconds), so that the
    // first refit does not pause the training thread.
    this.worker.postMessage({ type: 'ping', buffers: [new SharedArrayBuffer(8)] });
    JSON.parse(new TextDecoder().decode(new Uint8Array([123, 125])));
  }

  submit(request: RefitRequest, history: RefitHistorySource): void {
    if (this.worker === undefined) throw new Error('WorkerRefitRunner: submit() after close()');
    if (this.failure) throw new Error(`refit worker failed: ${this.failure.message}`);
    if (!history.shared) throw new Error('WorkerRefitRunner: the history is not in shared memory');
    if (this.slots.has(request.id)) throw new Error(`refit ${request.id} was already submitted`);
    const result = new SharedArrayBuffer(resultBytes(history.domains));
    this.slots.set(request.id, { result, header: new Int32Array(result, 0, 2) });
    const msg: RefitJobMessage = {
      type: 'refit',
      id: request.id,
      rows: request.rows,
      fit: request.fit,
      domains: request.domains,
      history: history.buffer as SharedArrayBuffer,
      historyDomains: history.domains,
      firstRow: [...history.firstRow],
      result,
    };
    this.worker.postMessage(msg);
  }

  collect(id: number): RefitOutcome {
    const slot = this.slots.get(id);
    if (slot === undefined) throw new Error(`refit ${id} was never submitted`);
    if (Atomics.load(slot.header, 0) === STATE_PENDING) {
      const t0 = performance.now();
      // Block in slices so a dead worker turns into an error instead of a hang.
      while (Atomics.load(slot.header, 0) === STATE_PENDING) {
        if (this.failure) throw new Error(`refit worker failed: ${this.failure.message}`);
        const waited = performance.now() - t0;
        if (waited > this.timeoutMs) {
          throw new Error(`refit started after step ${id} still not done after ${Math.round(waited)} ms`);
        }
        Atomics.wait(slot.header, 0, STATE_PENDING, 1000);
      }
      const ms = performance.now() - t0;
      this.stats.waits++;
      if (ms > this.stats.maxWaitMs) this.stats.maxWaitMs = ms;
    }
    this.slots.delete(id);
    const length = slot.header[1];
    // Copy out of shared memory first: TextDecoder does not accept shared views.
    const bytes = new Uint8Array(length);
    bytes.set(new Uint8Array(slot.result, RESULT_HEADER_BYTES, length));
    this.stats.refits++;
    this.stats.computeMs.push(new Float64Array(slot.result, 8, 1)[0]);
    return JSON.parse(new TextDecoder().decode(bytes)) as RefitOutcome;
  }

  discard(id: number): void {
    this.slots.delete(id);
  }

  async close(): Promise<void> {
    const w = this.worker;
    if (w === undefined) return;
    this.worker = undefined;
    this.slots.clear();
    await w.terminate();
  }
}
