/**
 * The mixtures a replay gives, step by step, as the mixture each step would have been drawn
 * with: the policy's initial mixture for the log's first step, then for step t the mixture
 * it chose after observing step t−1 (the `weights` of `adomix replay`'s line t−1). That is
 * what a step log's own `weights` field holds, so a log from another framework gets the
 * trajectory an adomix run with that policy would have logged.
 *
 * The policy is built, fed and numbered exactly as `runReplay` does (same options, same
 * defaults, a log with skipped bad lines replayed as if those steps never happened).
 */
import { AdoPolicy } from '../mixing/index.js';
import { openLog, type ImportOptions } from '../import/index.js';
import type { StepLogHeader, StepLogParams, StepRecord } from '../runlog/index.js';
import { buildPolicy, checkPolicyFlags, isEmptyStep, observation, type ReplayPolicyOptions } from './policy.js';

export interface ReplayWeightsOptions extends ReplayPolicyOptions {
  /** Skip bad step lines, and steps the policy rejects (default: the first is an error). */
  skipBad?: boolean;
  /** The longest step-log line accepted, in bytes (default 64 MiB). */
  maxLineBytes?: number;
  /** Stops reading early when aborted. */
  signal?: AbortSignal;
  /** How to read a log from another logger (a W&B CSV, TensorBoard files), as `adomix import` does. */
  import?: ImportOptions;
}

/** What a weights replay did. */
export interface ReplayedWeights {
  header: StepLogHeader;
  /** The policy's kind (`ado`, `static`, `odm`). */
  policy: string;
  /** Steps replayed (visited). */
  steps: number;
  /** Bad lines, and steps the policy rejected, skipped. */
  skipped: number;
  /** The first skipped line's message, or null. */
  firstSkipped: string | null;
  /** Times ADO's fitted laws changed. */
  lawUpdates: number;
}

/**
 * Replays the log at `path` (a step log, or any log `adomix import` reads) and calls
 * `visit(record, drawn, laws)` for each step: `drawn` is the mixture the policy would have
 * drawn that step with (a fresh array), `laws` ADO's laws where observing the step changed
 * them (`[a, e, α]` or null per domain, as a step log's `params`), else undefined.
 */
export async function replayWeights(
  path: string,
  o: ReplayWeightsOptions,
  visit: (record: StepRecord, drawn: Float64Array, laws?: (StepLogParams | null)[]) => void,
): Promise<ReplayedWeights> {
  checkPolicyFlags(o);
  const skipBad = o.skipBad === true;
  const read = { ...o.import, skipBad, maxLineBytes: o.maxLineBytes };
  const { stream } = await openLog(path, { ...read, signal: o.signal });
  const policy = await buildPolicy(path, stream.header, o, read);
  const ado = policy instanceof AdoPolicy ? policy : undefined;
  let lawsVersion = ado?.lawsVersion ?? 0;
  const done: ReplayedWeights = { header: stream.header, policy: policy.kind, steps: 0, skipped: 0, firstSkipped: null, lawUpdates: 0 };
  let rejected = 0;
  let firstRejected: string | undefined;
  try {
    let drawn = policy.weights();
    let policyStep = -1;
    for await (const r of stream) {
      // As runReplay numbers them: from the log's first step, or from 0 in a sparse log (one policy step per evaluation).
      const step = policyStep < 0 ? (stream.header.sparse === true ? 0 : r.step) : policyStep + 1;
      if (isEmptyStep(r)) {
        visit(r, drawn.slice()); // nothing drawn, nothing observed: the mixture carries on
        done.steps++;
        continue;
      }
      let next: Float64Array;
      try {
        next = policy.observe(observation(r, step));
      } catch (err) {
        const msg = `${path}: log step ${r.step}: ${(err as Error).message}`;
        if (!skipBad) throw new Error(msg);
        rejected++;
        firstRejected ??= msg;
        continue;
      }
      policyStep = step;
      done.steps++;
      let laws: (StepLogParams | null)[] | undefined;
      if (ado !== undefined && ado.lawsVersion !== lawsVersion) {
        lawsVersion = ado.lawsVersion;
        done.lawUpdates++;
        laws = ado.laws();
      }
      visit(r, drawn, laws);
      drawn = next;
    }
  } finally {
    await policy.close();
  }
  done.skipped = stream.skipped + rejected;
  done.firstSkipped = stream.skippedLines[0]?.message ?? firstRejected ?? null;
  return done;
}
