/**
 * The refit worker's entry: fits the points a job names (in the shared point arenas) and
 * writes the outcome into the job's shared result slot, then wakes the policy's thread.
 */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { computeRefit, type RefitOutcome } from '../mixing/index.js';
import { RESULT_HEADER_BYTES, STATE_DONE, type RefitJobMessage } from './protocol.js';
import { encodedLength, encodeOutcome } from './resultCodec.js';
import { decodeJobs } from './jobCodec.js';

if (parentPort === null) throw new Error('refitWorker.js must run as a worker thread');
const port = parentPort;
/** The point arenas received so far, one view each. */
const views: Float64Array[] = [];

port.on('message', (msg: RefitJobMessage | { type: 'close' } | { type: 'ping' }) => {
  if (msg.type === 'ping') return; // sent once to warm the message path
  if (msg.type === 'close') {
    port.close();
    return;
  }
  const t0 = performance.now();
  if (msg.reset) views.length = 0;
  for (const b of msg.arenas) views.push(new Float64Array(b));
  const outcome = computeRefit(decodeJobs(msg.jobs), msg.fit, views);
  const ms = performance.now() - t0;
  writeResult(msg.result, outcome, ms);
});

function writeResult(buffer: SharedArrayBuffer, outcome: RefitOutcome, ms: number): void {
  const room = buffer.byteLength - RESULT_HEADER_BYTES;
  let doubles = encodedLength(outcome);
  // The numbers go straight into the slot, the text after them.
  const fits = 8 * doubles <= room;
  let text = new TextEncoder().encode(fits ? encodeOutcome(outcome, new Float64Array(buffer, RESULT_HEADER_BYTES, doubles)) : '');
  if (8 * doubles + text.length > room) {
    const fallback: RefitOutcome = { results: [], error: `refit outcome too large (${8 * doubles + text.length} bytes) for its slot` };
    doubles = 0;
    text = new TextEncoder().encode(encodeOutcome(fallback, new Float64Array(0)));
  }
  new Uint8Array(buffer, RESULT_HEADER_BYTES + 8 * doubles, text.length).set(text);
  new Float64Array(buffer, 8, 1)[0] = ms;
  const header = new Int32Array(buffer, 0, RESULT_HEADER_BYTES / 4);
  header[1] = doubles === 0 ? 0 : outcome.results.length;
  header[4] = doubles;
  header[5] = text.length;
  Atomics.store(header, 0, STATE_DONE);
  Atomics.notify(header, 0);
}
