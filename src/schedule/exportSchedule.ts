/**
 * `adomix schedule export`: a run's mixture, compressed into its closest stages, written in
 * the format a training engine reads (Megatron-LM, OLMo-core, MosaicML, Hugging Face
 * datasets, CSV).
 *
 * The input is a run directory (its step log found as `adomix report` finds it: `steps.jsonl`
 * of `adomix train`, `steplog.jsonl` of `adomix simulate`, …), a step-log file, or a log
 * `adomix import` reads (a W&B CSV/TSV, TensorBoard event files or their directory). The
 * output is published atomically (temporary file, fsync, rename) and is checked before
 * anything is read: never the step log or the run's files, never a directory, FIFO or
 * device. The seed a writer passes on is `--seed`, else the run's own (`config.json` of a
 * train run, `sim.json` of a simulated one), else 0.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { inputFilesOf } from '../import/index.js';
import { findRunLog, SIM_INFO_FORMAT } from '../report/index.js';
import { assertNotAnInput, writeFileAtomic, type NamedPath } from '../runlog/index.js';
import { formatSchedule, SCHEDULE_FORMATS, type ScheduleFormat } from './formats/index.js';
import { planSchedule, type PlanOptions, type SchedulePlan } from './plan.js';
import { readWeightTrajectory, type TrajectoryOptions, type WeightTrajectory } from './trajectory.js';

export interface ExportOptions extends TrajectoryOptions, PlanOptions {
  format: ScheduleFormat;
  /** Write here (atomically); without it the text is only returned. */
  out?: string;
}

export interface ExportResult {
  /** The input as given, and the step log read. */
  input: string;
  steplog: string;
  format: ScheduleFormat;
  out: string | null;
  text: string;
  plan: SchedulePlan;
  /** Where the seed came from: --seed, the run's config.json or sim.json, or the default 0. */
  seedFrom: 'option' | 'config.json' | 'sim.json' | 'default';
  trajectory: Pick<WeightTrajectory, 'source' | 'policy' | 'lawUpdates' | 'skipped' | 'firstSkipped'>;
}

/** The files of the run beside a step log that a writer may read. */
const RUN_FILES = ['config.json', 'sim.json'] as const;

/** The log of `input`: a run directory's step log, or the input itself (a log file, or a TensorBoard directory). */
async function stepLogOf(input: string, o: ExportOptions): Promise<string> {
  let info;
  try {
    info = await stat(input);
  } catch {
    throw new Error(`${input}: no such file or directory (give a run directory, a step log, or a log adomix import reads)`);
  }
  // A run directory's step log, else a TensorBoard log directory: the rule adomix report follows.
  return info.isDirectory() ? findRunLog(input, o.import) : input;
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined; // missing, or not a file of a run: no seed from it
  }
}

/** The run's seed: `seed` of an `adomix train` config.json (it has a runId), or of an `adomix simulate` sim.json. */
async function runSeed(dir: string): Promise<{ seed: number; from: 'config.json' | 'sim.json' } | undefined> {
  const config = (await readJson(join(dir, 'config.json'))) as { runId?: unknown; seed?: unknown } | undefined;
  if (typeof config?.runId === 'string' && Number.isSafeInteger(config.seed)) return { seed: config.seed as number, from: 'config.json' };
  const sim = (await readJson(join(dir, 'sim.json'))) as { adomix?: unknown; seed?: unknown } | undefined;
  if (sim?.adomix === SIM_INFO_FORMAT && Number.isSafeInteger(sim.seed)) return { seed: sim.seed as number, from: 'sim.json' };
  return undefined;
}

/** Refuses an --out that is the log (or a file of it), one of the run's files, or not a regular file. */
async function checkOut(out: string, steplog: string, o: ExportOptions): Promise<void> {
  const inputs: NamedPath[] = (await inputFilesOf(steplog, o.import)).map((f) => ({ path: f, what: f === steplog ? 'the step log' : 'an input file' }));
  for (const f of RUN_FILES) inputs.push({ path: join(dirname(steplog), f), what: `the run's ${f}` });
  assertNotAnInput([{ path: out, what: '--out' }], inputs);
}

/** Reads the run, compresses its mixture into stages, renders them, and writes `out` if given. */
export async function exportSchedule(input: string, o: ExportOptions): Promise<ExportResult> {
  if (!SCHEDULE_FORMATS.includes(o.format)) throw new Error(`unknown schedule format "${String(o.format)}" (formats: ${SCHEDULE_FORMATS.join(', ')})`);
  const steplog = await stepLogOf(input, o);
  if (o.out !== undefined) await checkOut(o.out, steplog, o);
  const own = o.seed === undefined ? await runSeed(dirname(steplog)) : undefined;
  const seed = o.seed ?? own?.seed ?? 0;
  const t = await readWeightTrajectory(steplog, o);
  const plan = planSchedule(t, { ...o, seed });
  const text = formatSchedule(plan, o.format);
  if (o.out !== undefined) await writeFileAtomic(o.out, text);
  return {
    input,
    steplog,
    format: o.format,
    out: o.out ?? null,
    text,
    plan,
    seedFrom: o.seed !== undefined ? 'option' : (own?.from ?? 'default'),
    trajectory: { source: t.source, policy: t.policy, lawUpdates: t.lawUpdates, skipped: t.skipped, firstSkipped: t.firstSkipped },
  };
}

/** The machine-readable summary of an export (`--json`). */
export function exportSummary(r: ExportResult): Record<string, unknown> {
  const p = r.plan;
  return {
    command: 'schedule export',
    input: r.input,
    steplog: r.steplog,
    format: r.format,
    out: r.out,
    weights: { source: r.trajectory.source, policy: r.trajectory.policy, lawUpdates: r.trajectory.lawUpdates },
    domains: p.domains,
    unit: p.unit,
    steps: p.steps,
    records: p.records,
    firstStep: p.firstStep,
    lastStep: p.lastStep,
    skipped: r.trajectory.skipped,
    stages: p.stages.map((s) => ({
      stage: s.stage,
      startStep: s.startStep,
      endStep: s.endStep,
      steps: s.steps,
      records: s.records,
      endIteration: s.endIteration,
      amount: s.amount,
      weights: s.weights,
      written: s.decimals,
      rms: s.rms,
    })),
    boundaries: p.stages.slice(1).map((s) => s.startStep),
    rms: p.rms,
    blocks: p.blocks,
    blockSize: p.blockSize,
    decimals: p.decimals,
    seed: p.seed,
    seedFrom: r.seedFrom,
  };
}
