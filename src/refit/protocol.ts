/**
 * Messages between the policy's thread and the refit worker, and the layout of the shared
 * result slot the worker answers in.
 *
 * The answer travels through shared memory, not a message, so the training thread can
 * pick it up (or block on it with Atomics.wait) without ever turning its event loop.
 * Result slot: Int32 [0] state (0 pending, 1 done), Int32 [1] results, Float64 at byte 8
 * the worker's compute time in ms, Int32 [4] doubles and Int32 [5] trailer bytes; from
 * byte 24 the doubles of resultCodec.ts, then the UTF-8 JSON trailer.
 */
import type { RefitFitOptions } from '../mixing/index.js';
import type { EncodedJobs } from './jobCodec.js';

export interface RefitJobMessage {
  type: 'refit';
  id: number;
  fit: RefitFitOptions;
  /** The jobs, encoded (jobCodec.ts). */
  jobs: EncodedJobs;
  /** The arenas are another policy's: forget the ones held before. */
  reset: boolean;
  /**
   * Point arenas the worker has not been sent yet, in order (arenas only ever grow in
   * number, and their contents are shared, never copied): appended to the worker's list.
   */
  arenas: SharedArrayBuffer[];
  result: SharedArrayBuffer;
}

export const STATE_PENDING = 0;
export const STATE_DONE = 1;
export const RESULT_HEADER_BYTES = 24;

/** Bytes reserved for one outcome: generous, as failure reasons are free text. */
export function resultBytes(domains: number): number {
  return RESULT_HEADER_BYTES + 16384 + domains * 1024;
}
