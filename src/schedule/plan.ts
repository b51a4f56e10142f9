/**
 * A staged schedule: a run's mixture trajectory cut into its closest stages (src/stages),
 * in the terms an engine needs: each stage's log steps, iterations and examples (or
 * tokens), and its mixture with d decimals summing to exactly 1. Every writer
 * (formats/*.ts) renders one of these.
 */
import { mixtureDecimals, segmentTrajectory, type Segmentation } from '../stages/index.js';
import type { WeightTrajectory } from './trajectory.js';

export interface PlannedStage {
  /** 1-based. */
  stage: number;
  /**
   * Its first and last log step (inclusive). The stages tile the run: each starts the step
   * after the one before ends, so steps a log skipped (or a sparse log's gaps) are covered.
   */
  startStep: number;
  endStep: number;
  /** The steps it spans, endStep − startStep + 1. */
  steps: number;
  /** The log's records in it. */
  records: number;
  /** The iteration it ends at, counted from the run's first step: endStep − (first stage's startStep) + 1. */
  endIteration: number;
  /** The examples (or tokens, per `unit`) the run drew in it. */
  amount: number;
  /** The mean mixture of its steps, in domain order. */
  weights: number[];
  /** The same, written with `decimals` places, summing to exactly 1. */
  decimals: string[];
  /** Its RMS distance to the trajectory, √(Σ_t ‖w(t) − w_stage‖² / steps). */
  rms: number;
}

export interface SchedulePlan {
  steplog: string;
  domains: string[];
  unit: 'examples' | 'tokens';
  /** Where the weights came from, and the policy replayed (null for the log's own). */
  source: 'log' | 'replay';
  policy: string | null;
  /** The first stage's startStep and the last stage's endStep. */
  firstStep: number;
  lastStep: number;
  /** The steps the run spans (lastStep − firstStep + 1), and the log's records in them. */
  steps: number;
  records: number;
  /** The examples (tokens) of every step when all drew the same (a dense log), else null. */
  batch: number | null;
  /** Σ amount: the examples (tokens) of the whole run. */
  amount: number;
  stages: PlannedStage[];
  /** √(Σ_t ‖w(t) − w_stage(t)‖² / T): the stages' RMS distance to the run's trajectory. */
  rms: number;
  /** The blocks the stage search ran on (candidate boundaries), and the records of the longest. */
  blocks: number;
  blockSize: number;
  /** Places of the written weights. */
  decimals: number;
  /** Each domain's dataset path (--paths), or null where the writer puts a placeholder. */
  paths: (string | null)[];
  /** The seed a writer passes on (datasets.interleave_datasets). */
  seed: number;
}

export interface PlanOptions {
  /** N (default 1). */
  stages?: number;
  /** The shortest stage, in steps (default 1). */
  minSteps?: number;
  /** At most this many blocks for the stage search (default 2,000). */
  maxBlocks?: number;
  /** Places of the written weights (default 6). */
  decimals?: number;
  /** Dataset paths by domain name. */
  paths?: Record<string, string>;
  /** Default 0. */
  seed?: number;
}

/** Each domain's path from `paths` (by name), null where none is given; unknown names are errors. */
export function domainPaths(domains: readonly string[], paths: Record<string, string> = {}): (string | null)[] {
  for (const name of Object.keys(paths)) {
    if (!domains.includes(name)) throw new Error(`--paths: the log has no domain "${name}" (its domains: ${domains.join(', ')})`);
  }
  return domains.map((d) => (Object.hasOwn(paths, d) ? paths[d] : null));
}

/** Σ a[from … to−1]. */
function sumRange(a: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s;
}

/** The same value in every entry, or null. */
function constant(a: Float64Array): number | null {
  for (let i = 1; i < a.length; i++) if (a[i] !== a[0]) return null;
  return a[0];
}

/**
 * m_t, the steps record t stands for: 1 in a dense log (one record per step); in a sparse
 * log (one record per evaluation) the steps since the record before, the first record
 * taking its successor's gap (at most its own step + 1).
 */
export function recordSteps(t: WeightTrajectory): Float64Array | undefined {
  if (t.header.sparse !== true) return undefined;
  const m = new Float64Array(t.length);
  for (let i = 1; i < t.length; i++) m[i] = t.steps[i] - t.steps[i - 1];
  m[0] = t.length > 1 ? Math.max(1, Math.min(m[1], t.steps[0] + 1)) : 1;
  return m;
}

/** The stages of a segmentation, in log steps and engine terms. */
function plannedStages(t: WeightTrajectory, seg: Segmentation, decimals: number, mass: Float64Array | undefined): PlannedStage[] {
  const first = t.steps[0] - (mass === undefined ? 1 : mass[0]) + 1;
  const out: PlannedStage[] = [];
  for (const s of seg.stages) {
    const startStep = out.length === 0 ? first : out[out.length - 1].endStep + 1;
    const endStep = t.steps[s.end - 1];
    out.push({
      stage: out.length + 1,
      startStep,
      endStep,
      steps: endStep - startStep + 1,
      records: s.end - s.start,
      endIteration: endStep - first + 1,
      amount: sumRange(t.amount, s.start, s.end),
      weights: Array.from(s.weights),
      decimals: mixtureDecimals(s.weights, decimals),
      rms: s.rms,
    });
  }
  return out;
}

/** The closest `stages` stages to a trajectory, planned for the writers. */
export function planSchedule(t: WeightTrajectory, o: PlanOptions = {}): SchedulePlan {
  const domains = t.header.domains;
  const paths = domainPaths(domains, o.paths);
  const mass = recordSteps(t);
  const seg = segmentTrajectory(t.weights, domains.length, { stages: o.stages ?? 1, minSteps: o.minSteps, maxBlocks: o.maxBlocks, mass });
  const decimals = o.decimals ?? 6;
  const stages = plannedStages(t, seg, decimals, mass);
  return {
    steplog: t.steplog,
    domains: [...domains],
    unit: t.header.unit,
    source: t.source,
    policy: t.policy,
    firstStep: stages[0].startStep,
    lastStep: stages[stages.length - 1].endStep,
    steps: stages[stages.length - 1].endStep - stages[0].startStep + 1,
    records: t.length,
    batch: mass === undefined ? constant(t.amount) : null,
    amount: sumRange(t.amount, 0, t.length),
    stages,
    rms: seg.rms,
    blocks: seg.blocks,
    blockSize: seg.blockSize,
    decimals,
    paths,
    seed: o.seed ?? 0,
  };
}
