/**
 * A running SHA-256 over a step log's header and records, for checkpoints: a resume hashes
 * the records up to the checkpoint again and compares, so a checkpoint is never continued
 * on another log that merely has the same domain names.
 *
 * It hashes what the records mean, not their bytes: step, then per domain loss (NaN for
 * null), count, the weights and evalLoss when present, as little-endian doubles. The same
 * run logged as JSONL or CSV, or reformatted, has the same digest.
 */
import { createHash, type Hash } from 'node:crypto';
import type { StepLogHeader, StepRecord } from './types.js';

export class StepLogDigest {
  /** Records hashed so far. */
  records = 0;
  private readonly hash: Hash = createHash('sha256');
  private readonly row: Float64Array;
  private readonly bytes: Uint8Array;

  constructor(header: StepLogHeader) {
    const K = header.domains.length;
    // `sparse` only when set, so the digests of dense logs stay what they were.
    this.hash.update(JSON.stringify({ domains: header.domains, prior: header.prior ?? null, unit: header.unit, ...(header.sparse === true ? { sparse: true } : {}) }));
    // step, flags, then loss, count, weights, evalLoss: 4K + 2 doubles.
    this.row = new Float64Array(4 * K + 2);
    this.bytes = new Uint8Array(this.row.buffer);
  }

  /** Adds one record (no allocation). */
  update(r: StepRecord): void {
    const K = r.count.length;
    const row = this.row;
    row[0] = r.step;
    row[1] = (r.weights !== undefined ? 1 : 0) + (r.evalLoss !== undefined ? 2 : 0);
    for (let k = 0; k < K; k++) {
      const l = r.loss[k];
      row[2 + k] = l === null ? NaN : l;
      row[2 + K + k] = r.count[k];
      row[2 + 2 * K + k] = r.weights !== undefined ? r.weights[k] : 0;
      const e = r.evalLoss?.[k];
      row[2 + 3 * K + k] = e === undefined || e === null ? NaN : e;
    }
    this.hash.update(this.bytes);
    this.records++;
  }

  /** The digest so far (hex); hashing can go on. */
  digest(): string {
    return this.hash.copy().digest('hex');
  }
}
