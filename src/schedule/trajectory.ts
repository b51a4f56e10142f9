/**
 * The mixture trajectory of a run: the weights each step of its step log was drawn with.
 * Logs from other loggers (W&B CSV, TensorBoard) are read as `adomix import` reads them.
 *
 * An adomix log records them (each step's `weights`); a log from another framework has
 * none, and then they are replayed: the log goes through a mixture policy exactly as
 * `adomix replay` feeds it (src/replay), and step t gets the mixture the policy would have
 * drawn it with. `source: 'auto'` takes the log's own weights when its first step has
 * them, and replays otherwise.
 */
import { openLog } from '../import/index.js';
import { GrowableRows } from '../numerics/index.js';
import type { StepLogHeader, StepRecord } from '../runlog/index.js';
import { replayWeights, type ReplayPolicyOptions, type ReplayWeightsOptions } from '../replay/index.js';

/** Where the weights come from: the log's `weights`, a replay, or (auto) the log's when it has them. */
export type WeightSource = 'auto' | 'log' | 'replay';

export interface TrajectoryOptions extends ReplayWeightsOptions {
  /** Default `auto`. */
  weights?: WeightSource;
}

export interface WeightTrajectory {
  steplog: string;
  header: StepLogHeader;
  /** Where the weights came from. */
  source: 'log' | 'replay';
  /** The replayed policy (`ado`, `natural`, `balanced`, `odm`); null for the log's own weights. */
  policy: string | null;
  /** Times a replayed ADO policy refitted its laws; null for the log's own weights. */
  lawUpdates: number | null;
  /** T, the steps of the trajectory. */
  length: number;
  /** The log step of each trajectory step. */
  steps: Float64Array;
  /** The mixture of each step, T·K row-major. */
  weights: Float64Array;
  /** Σ_k count[k] of each step: the examples (or tokens, per the header's unit) it drew. */
  amount: Float64Array;
  /** Bad lines (and, replaying, steps the policy rejected) skipped with skipBad. */
  skipped: number;
  firstSkipped: string | null;
}

const POLICY_FLAGS: [keyof ReplayPolicyOptions, string][] = [
  ['policy', '--policy'],
  ['preset', '--preset'],
  ['startStep', '--start-step'],
  ['refitInterval', '--refit-interval'],
  ['ignoreSteps', '--ignore-steps'],
  ['countMode', '--count-mode'],
];

/** `log` or `replay` for `auto`: does the log's first step carry weights? */
async function chooseSource(path: string, o: TrajectoryOptions): Promise<'log' | 'replay'> {
  const { stream } = await openLog(path, { ...o.import, skipBad: o.skipBad, maxLineBytes: o.maxLineBytes, signal: o.signal });
  for await (const r of stream) return r.weights !== undefined ? 'log' : 'replay';
  throw new Error(`${path}: the step log has a header but no steps: there is no mixture to export`);
}

/** The log's own weights, step by step; every step must have them. */
async function logTrajectory(path: string, o: TrajectoryOptions): Promise<WeightTrajectory> {
  const given = POLICY_FLAGS.filter(([key]) => o[key] !== undefined).map(([, flag]) => flag);
  if (given.length > 0) {
    throw new Error(
      `${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} to replayed weights only, and the export reads the weights ${path} records; ` +
        'add --weights replay to replay it through a policy instead',
    );
  }
  const { stream } = await openLog(path, { ...o.import, skipBad: o.skipBad, maxLineBytes: o.maxLineBytes, signal: o.signal });
  const K = stream.header.domains.length;
  const steps = new GrowableRows(1);
  const weights = new GrowableRows(K);
  const amount = new GrowableRows(1);
  for await (const r of stream) {
    if (r.weights === undefined) {
      throw new Error(
        `${path}: step ${r.step} has no "weights", though ${steps.rows > 0 ? 'the steps before it have' : 'the log was read for its own weights'}; ` +
          'add --weights replay to compute every step\'s mixture by replaying the log',
      );
    }
    append(r, r.weights, steps, weights, amount);
  }
  return finish(path, stream.header, 'log', null, null, steps, weights, amount, stream.skipped, stream.skippedLines[0]?.message ?? null);
}

/** The mixtures a replay through the policy of `o` gives each step. */
async function replayedTrajectory(path: string, o: TrajectoryOptions): Promise<WeightTrajectory> {
  let buffers: { steps: GrowableRows; weights: GrowableRows; amount: GrowableRows } | undefined;
  const done = await replayWeights(path, o, (r, drawn) => {
    buffers ??= { steps: new GrowableRows(1), weights: new GrowableRows(drawn.length), amount: new GrowableRows(1) };
    append(r, drawn, buffers.steps, buffers.weights, buffers.amount);
  });
  const K = done.header.domains.length;
  const b = buffers ?? { steps: new GrowableRows(1), weights: new GrowableRows(K), amount: new GrowableRows(1) };
  return finish(path, done.header, 'replay', o.policy ?? 'ado', done.lawUpdates, b.steps, b.weights, b.amount, done.skipped, done.firstSkipped);
}

function append(r: StepRecord, w: ArrayLike<number>, steps: GrowableRows, weights: GrowableRows, amount: GrowableRows): void {
  steps.pushValue(r.step);
  weights.push(w);
  amount.pushValue(r.count.reduce((a, b) => a + b, 0));
}

function finish(
  path: string,
  header: StepLogHeader,
  source: 'log' | 'replay',
  policy: string | null,
  lawUpdates: number | null,
  steps: GrowableRows,
  weights: GrowableRows,
  amount: GrowableRows,
  skipped: number,
  firstSkipped: string | null,
): WeightTrajectory {
  if (steps.rows === 0) throw new Error(`${path}: no steps left to export${skipped > 0 ? ` (${skipped} bad lines skipped)` : ''}`);
  return {
    steplog: path,
    header,
    source,
    policy,
    lawUpdates,
    length: steps.rows,
    steps: steps.values(),
    weights: weights.values(),
    amount: amount.values(),
    skipped,
    firstSkipped,
  };
}

/** The weights each step of the step log at `path` was (or, replayed, would have been) drawn with. */
export async function readWeightTrajectory(path: string, o: TrajectoryOptions = {}): Promise<WeightTrajectory> {
  const source = o.weights === undefined || o.weights === 'auto' ? await chooseSource(path, o) : o.weights;
  return source === 'log' ? logTrajectory(path, o) : replayedTrajectory(path, o);
}
