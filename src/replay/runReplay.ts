/**
 * The replay itself: feed a logged run's steps, in order, to a mixture policy and write the
 * mixture it would have chosen after each step (and, for ADO, the laws it fitted).
 *
 * Output, one JSON line per step t: {"step":t,"weights":[…]} — the mixture for step t+1 —
 * plus "params":[[a,e,alpha]|null,…] on the lines where the fitted laws changed.
 *
 * The policy sees consecutive steps: it numbers them from the log's first step, so a log
 * with bad lines skipped (skipBad) is replayed as if the skipped steps never happened;
 * output lines keep the log's own step numbers.
 *
 * Checkpoints hold the policy and what identifies the replay (checkpointMeta.ts). A resume
 * refuses a checkpoint made from another log (the records' digest differs), rebuilds --out
 * whole from the prefix the checkpoint covers, and continues with the first log step after
 * the one it reached, so the final output equals an uninterrupted run's byte for byte.
 * An abort (`signal`) stops after the current step with a checkpoint and a published,
 * resumable output.
 */
import type pino from 'pino';
import { AdoPolicy, type MixturePolicy } from '../mixing/index.js';
import { refitFields, warnAlerts } from './guardrails.js';
import { inputFilesOf, openLog, type ImportOptions, type LogInput } from '../import/index.js';
import { assertNotAnInput, isSameFile, loadCheckpoint, removeStaleTemps, StepLogDigest, writeCheckpoint, type NamedPath } from '../runlog/index.js';
import { parseReplayMeta, REPLAY_META_FORMAT, type ReplayCheckpointMeta } from './checkpointMeta.js';
import { ReplayOutput } from './output.js';
import { buildPolicy, checkPolicyFlags, checkResumed, describeSparseAdo, isEmptyStep, observation, type ReplayPolicyOptions } from './policy.js';

export interface ReplayOptions extends ReplayPolicyOptions {
  out?: string;
  checkpoint?: string;
  checkpointEvery?: number;
  resume?: string;
  skipBad?: boolean;
  /** The longest step-log line accepted, in bytes (default 64 MiB). */
  maxLineBytes?: number;
  /** Stop after the current step (with a checkpoint when one is configured). */
  signal?: AbortSignal;
  /** Where progress and warnings go (pino); default: nowhere. */
  logger?: pino.Logger;
  /** How to read a log from another logger (a W&B CSV, TensorBoard files); see src/import. */
  import?: ImportOptions;
  /** Told what the input was detected as (and, for a conversion, what was done), once it is read. */
  onInput?: (input: LogInput) => void;
}

/** What a replay did. */
export interface ReplaySummary {
  steplog: string;
  policy: string;
  domains: string[];
  /** Steps fed to the policy in this invocation. */
  steps: number;
  /** First and last log step fed (null when none). */
  firstStep: number | null;
  lastStep: number | null;
  /** Bad lines (and, with skipBad, steps the policy rejected) skipped. */
  skipped: number;
  /** Lines whose laws changed (ADO). */
  lawUpdates: number;
  /** ADO: fits refused by the fit checks, and collapse alerts raised, in this invocation. */
  refusedFits?: number;
  alerts?: number;
  out: string | null;
  checkpoint: string | null;
  checkpointsWritten: number;
  resumedFrom: string | null;
  /** Log step the resumed checkpoint had reached (null when not resuming). */
  resumedAfter: number | null;
  /** The first skipped line's message (null when none was skipped). */
  firstSkipped: string | null;
  /** `done`: the whole log; `aborted`: stopped by the signal (resumable). */
  stopped: 'done' | 'aborted';
  /** Sparse logs only: how the policy saw them (one step per evaluation, and ADO's schedule). */
  sparse?: string;
}

/** Refuses outputs that would destroy an input (or each other) before anything is read. */
function checkFiles(path: string, o: ReplayOptions, files: readonly string[]): void {
  const outputs: NamedPath[] = [];
  if (o.out !== undefined) outputs.push({ path: o.out, what: '--out' });
  if (o.checkpoint !== undefined) outputs.push({ path: o.checkpoint, what: '--checkpoint' });
  const inputs: NamedPath[] = files.map((f) => ({ path: f, what: f === path ? 'the step log' : `the input file` }));
  // --resume K --checkpoint K updates the checkpoint in place: it is read whole first.
  const inPlace = o.resume !== undefined && o.checkpoint !== undefined && (o.resume === o.checkpoint || isSameFile(o.resume, o.checkpoint));
  if (o.resume !== undefined && !inPlace) inputs.push({ path: o.resume, what: '--resume' });
  assertNotAnInput(outputs, inputs);
}

export async function runReplay(path: string, o: ReplayOptions): Promise<ReplaySummary> {
  const log = o.logger;
  if (o.resume === undefined) checkPolicyFlags(o);
  if (o.checkpointEvery !== undefined && o.checkpoint === undefined) throw new Error('--checkpoint-every needs --checkpoint <file> to write to');
  checkFiles(path, o, await inputFilesOf(path, o.import));
  const skipBad = o.skipBad === true;
  const readOptions = { ...o.import, skipBad, maxLineBytes: o.maxLineBytes };
  const input = await openLog(path, { ...readOptions, signal: o.signal });
  const { stream } = input;
  o.onInput?.(input);
  const { header } = stream;

  let policy: MixturePolicy;
  let resumed: ReplayCheckpointMeta | undefined;
  if (o.resume !== undefined) {
    const loaded = await loadCheckpoint(o.resume);
    resumed = parseReplayMeta(loaded.checkpoint.meta, o.resume);
    policy = loaded.policy;
    try {
      checkResumed(policy, header, o, o.resume);
      if (o.out !== undefined && resumed.out === null) {
        throw new Error(
          `${o.resume}: the replay it checkpoints wrote its first ${resumed.records} steps to stdout, so --out cannot hold the whole run; resume without --out, or replay from the start`,
        );
      }
    } catch (err) {
      await policy.close();
      throw err;
    }
    log?.info({ checkpoint: o.resume, logStep: resumed.logStep, policy: policy.kind }, 'resumed from checkpoint');
  } else {
    policy = await buildPolicy(path, header, o, readOptions);
  }

  const summary: ReplaySummary = {
    steplog: path,
    policy: policy.kind,
    domains: [...header.domains],
    steps: 0,
    firstStep: null,
    lastStep: null,
    skipped: 0,
    lawUpdates: 0,
    out: o.out ?? null,
    checkpoint: o.checkpoint ?? null,
    checkpointsWritten: 0,
    resumedFrom: o.resume ?? null,
    resumedAfter: resumed?.logStep ?? null,
    firstSkipped: null,
    stopped: 'done',
  };
  if (policy instanceof AdoPolicy) {
    summary.refusedFits = 0;
    summary.alerts = 0;
  }
  if (header.sparse === true)
    summary.sparse = `sparse curve: each evaluation is one policy step, numbered from 0${policy instanceof AdoPolicy ? `; ${describeSparseAdo(policy)}` : ''}`;
  let sink: ReplayOutput | undefined;
  const ado = policy instanceof AdoPolicy ? policy : undefined;
  let lawsVersion = ado?.lawsVersion ?? 0;
  // The policy's own step counter (equal to the log's steps unless bad lines were skipped).
  let policyStep = policy.snapshot().step;
  const digest = new StepLogDigest(header);
  let lastLogStep = resumed?.logStep ?? -1;
  let verified = resumed === undefined;
  let rejected = 0;
  let firstRejected: string | undefined;
  let lastProgress = Date.now();
  const progress = process.stderr.isTTY === true && log !== undefined;

  /** A resume may go on only once the records up to its checkpoint are the ones it saw. */
  const verify = (): void => {
    verified = true;
    const r = resumed!;
    if (digest.records === r.records && digest.digest() === r.sha256) return;
    throw new Error(
      digest.records < r.records
        ? `${path} is not the log ${o.resume} was made from: it has ${digest.records} steps up to step ${r.logStep}, the checkpoint covers ${r.records} (of ${r.steplog})`
        : `${path} is not the log ${o.resume} was made from: its steps up to step ${r.logStep} differ from those the checkpoint saw (of ${r.steplog}; sha256 ${digest.digest().slice(0, 12)}… against ${r.sha256.slice(0, 12)}…)`,
    );
  };
  const saveCheckpoint = async (reason: string): Promise<void> => {
    if (o.checkpoint === undefined) return;
    const meta: ReplayCheckpointMeta = {
      format: REPLAY_META_FORMAT,
      steplog: path,
      logStep: lastLogStep,
      records: digest.records,
      sha256: digest.digest(),
      out: (await sink!.position()) ?? null,
    };
    await writeCheckpoint(o.checkpoint, policy, meta as unknown as Record<string, unknown>);
    summary.checkpointsWritten++;
    log?.info({ checkpoint: o.checkpoint, logStep: lastLogStep, reason }, 'checkpoint written');
  };

  try {
    sink = new ReplayOutput(o.out);
    if (resumed?.out && sink.isFile) sink.resumeFrom(resumed.out);
    if (o.checkpoint !== undefined) removeStaleTemps(o.checkpoint);
    if (resumed?.out && !sink.isFile) log?.warn({ out: resumed.out.path }, 'resumed without --out: stdout gets only the steps after the checkpoint');
    for await (const r of stream) {
      if (!verified) {
        if (r.step <= resumed!.logStep) {
          digest.update(r);
          continue;
        }
        verify();
      }
      digest.update(r);
      lastLogStep = r.step;
      // A sparse log's policy steps are its evaluations, 0, 1, 2, …: ADO's schedule counts them.
      const step = policyStep < 0 ? (header.sparse === true ? 0 : r.step) : policyStep + 1;
      if (isEmptyStep(r)) {
        // Nothing drawn: nothing to observe, the mixture carries on (the policy's steps do not advance).
        summary.steps++;
        summary.firstStep ??= r.step;
        summary.lastStep = r.step;
        await sink.write(`{"step":${r.step},"weights":${JSON.stringify(Array.from(policy.weights()))}}\n`);
        continue;
      }
      let w: Float64Array;
      try {
        w = policy.observe(observation(r, step));
      } catch (err) {
        const msg = `${path}: log step ${r.step}: ${(err as Error).message}`;
        if (!skipBad) throw new Error(msg);
        rejected++;
        firstRejected ??= msg;
        log?.warn({ step: r.step }, msg);
        continue;
      }
      policyStep = step;
      summary.steps++;
      summary.firstStep ??= r.step;
      summary.lastStep = r.step;
      let line = `{"step":${r.step},"weights":${JSON.stringify(Array.from(w))}`;
      if (ado !== undefined && ado.lawsVersion !== lawsVersion) {
        lawsVersion = ado.lawsVersion;
        summary.lawUpdates++;
        line += `,"params":${JSON.stringify(ado.laws())}`;
        const rep = ado.lastRefit;
        if (rep !== undefined) log?.info({ step: r.step, startedAfter: rep.startedAfter, changed: rep.changed.map((k) => header.domains[k]) }, 'laws updated');
      }
      if (ado !== undefined) line += refitFields(ado, step, header.domains, summary);
      if (ado !== undefined && log !== undefined) {
        warnRefit(ado, step, r.step, header.domains, log);
        warnAlerts(ado, step, r.step, log);
      }
      await sink.write(`${line}}\n`);
      if (o.signal?.aborted) {
        summary.stopped = 'aborted';
        break;
      }
      if (o.checkpointEvery !== undefined && (r.step + 1) % o.checkpointEvery === 0) await saveCheckpoint('every');
      if (progress && Date.now() - lastProgress > 1000) {
        lastProgress = Date.now();
        process.stderr.write(`adomix replay: step ${r.step} (${summary.steps} replayed)\r`);
      }
    }
    if (o.signal?.aborted) summary.stopped = 'aborted';
    if (!verified && summary.stopped === 'done') verify();
    // The checkpoint first (it records the output's bytes), then the output is published.
    await saveCheckpoint(summary.stopped === 'aborted' ? 'stopped' : 'end of log');
    await sink.close();
  } catch (err) {
    sink?.abort();
    await policy.close();
    throw err;
  }
  summary.skipped = stream.skipped + rejected;
  summary.firstSkipped = stream.skippedLines[0]?.message ?? firstRejected ?? null;
  await policy.close();
  return summary;
}

/** Logs the domains whose refit (applied at this step) kept the previous law, and why. */
function warnRefit(ado: AdoPolicy, step: number, logStep: number, domains: readonly string[], log: pino.Logger): void {
  const rep = ado.lastRefit;
  if (rep === undefined || rep.appliedAfter !== step) return;
  for (const x of rep.results) {
    if (!x.ok) log.warn({ step: logStep, domain: domains[x.domain], points: x.points }, `refit kept the previous law: ${x.reason}`);
  }
  if (rep.error !== undefined) log.warn({ step: logStep }, `refit failed, laws kept: ${rep.error}`);
}
