/**
 * The refit worker's entry: fits over the shared history rows a job names and writes the
 * outcome into the job's shared result slot, then wakes the policy's thread.
 */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { computeRefit, readColumns, type RefitOutcome } from '../mixing/index.js';
import { RESULT_HEADER_BYTES, STATE_DONE, type RefitJobMessage } from './protocol.js';

if (parentPort === null) throw new Error('refitWorker.js must run as a worker thread');
const port = parentPort;

port.on('message', (msg: RefitJobMessage | { type: 'close' } | { type: 'ping' }) => {
  if (msg.type === 'ping') return; // sent once to warm the message path
  if (msg.type === 'close') {
    port.close();
    return;
  }
  const t0 = performance.now();
  // A fixed-length view of the rows the job reads (length-tracking views are much slower),
  // turned into the columns the fit reads, here in the worker, off the training thread.
  const K = msg.historyDomains;
  const rows = new Float64Array(msg.history, 0, msg.rows * 2 * K);
  const outcome = computeRefit(readColumns(rows, K, msg.rows, msg.firstRow), msg.rows, msg.fit, msg.domains);
  const ms = performance.now() - t0;
  writeResult(msg.result, outcome, ms);
});

function writeResult(buffer: SharedArrayBuffer, outcome: RefitOutcome, ms: number): void {
  const room = buffer.byteLength - RESULT_HEADER_BYTES;
  let bytes = new TextEncoder().encode(JSON.stringify(outcome));
  if (bytes.length > room) {
    const fallback: RefitOutcome = { results: [], error: `refit outcome too large (${bytes.length} bytes) for its slot` };
    bytes = new TextEncoder().encode(JSON.stringify(fallback));
  }
  new Uint8Array(buffer, RESULT_HEADER_BYTES, bytes.length).set(bytes);
  new Float64Array(buffer, 8, 1)[0] = ms;
  const header = new Int32Array(buffer, 0, 2);
  header[1] = bytes.length;
  Atomics.store(header, 0, STATE_DONE);
  Atomics.notify(header, 0);
}
