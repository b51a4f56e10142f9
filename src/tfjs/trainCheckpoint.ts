/**
 * The training loop's part of a checkpoint (meta.training): where the loop stands (step,
 * sampler and source states, the weights file and its tensors) and what ties it to its run
 * (runIdentity.ts). Checked field by field before a resume uses any of it.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { RunIdentity } from './runIdentity.js';
import { sha256Hex } from './runIdentity.js';
import type { SourceState } from './sources.js';
import type { TensorRecord } from './tensorFile.js';

export const TRAINING_STATE_FORMAT = 'adomix-train/2';

/** What the loop keeps in checkpoint meta.training. */
export interface TrainingState extends RunIdentity {
  format: typeof TRAINING_STATE_FORMAT;
  /** Last completed step. */
  step: number;
  sampler: number[];
  sources: SourceState[];
  exhausted: boolean[];
  weightsFile: string;
  weightsBytes: number;
  tensors: TensorRecord[];
  lastEval: (number | null)[] | null;
  lawsVersion: number;
  domains: string[];
}

const count = z.number().int().nonnegative();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex');

const stateSchema = z.strictObject({
  format: z.literal(TRAINING_STATE_FORMAT),
  step: z.number().int().min(0),
  runId: z.string().min(1),
  identity: z.unknown(),
  identitySha256: sha256,
  stepLog: z.strictObject({ steps: count, bytes: count, sha256 }),
  weightsSha256: sha256,
  sampler: z.array(z.number().int()).length(4),
  sources: z.array(z.strictObject({ epoch: count, position: count })),
  exhausted: z.array(z.boolean()),
  weightsFile: z.string().regex(/^weights-\d+\.bin$/, 'must be a weights-<step>.bin file name in the run directory'),
  weightsBytes: count,
  tensors: z.array(
    z.strictObject({ name: z.string(), shape: z.array(count), dtype: z.enum(['float32', 'int32']), offset: count, length: count }),
  ),
  lastEval: z.array(z.number().nonnegative().nullable()).nullable(),
  lawsVersion: count,
  domains: z.array(z.string()),
});

/** Checks meta.training of a checkpoint; errors name the file and the field. */
export function checkTrainingState(value: unknown, source: string): TrainingState {
  const format = (value as { format?: unknown } | undefined)?.format;
  if (format !== TRAINING_STATE_FORMAT) {
    throw new Error(
      format === 'adomix-train/1'
        ? `${source}: written by an older adomix (training checkpoint format adomix-train/1), which recorded no run identity or weights checksum; it cannot be verified, so it is not resumed`
        : `${source}: not a training checkpoint (meta.training.format is ${JSON.stringify(format ?? null)}, expected "${TRAINING_STATE_FORMAT}")`,
    );
  }
  const r = stateSchema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${source}: field "meta.training.${i.path.join('.')}": ${i.message}`);
  }
  const st = r.data as TrainingState;
  const K = st.domains.length;
  for (const [field, n] of [['sources', st.sources.length], ['exhausted', st.exhausted.length], ['lastEval', st.lastEval?.length ?? K]] as const) {
    if (n !== K) throw new Error(`${source}: field "meta.training.${field}" has ${n} entries for ${K} domains`);
  }
  if (st.stepLog.steps !== st.step + 1) throw new Error(`${source}: field "meta.training.stepLog.steps" is ${st.stepLog.steps}, but the checkpoint is at step ${st.step}`);
  return st;
}

/**
 * The lines of the step log as the checkpoint published it (header first): the file may hold
 * more (lines written just before a crash, dropped here) but never less or other. Verified
 * against the checkpoint's length and SHA-256; a line that is not a step line names file and line.
 */
export async function stepLogAsOf(path: string, st: TrainingState): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch((err: Error) => {
    throw new Error(`cannot resume: ${err.message}`);
  });
  const all = text.split('\n');
  const lines = [all[0]];
  for (let i = 1; i < all.length && lines.length - 1 < st.stepLog.steps; i++) {
    if (all[i] === '' && i === all.length - 1) break;
    let step: unknown;
    try {
      step = (JSON.parse(all[i]) as { step?: unknown }).step;
    } catch (err) {
      throw new Error(`${path}:${i + 1}: not a complete step line (truncated or edited?): ${(err as Error).message}`);
    }
    if (step !== lines.length - 1) throw new Error(`${path}:${i + 1}: step ${JSON.stringify(step)} where step ${lines.length - 1} belongs`);
    lines.push(all[i]);
  }
  if (lines.length - 1 < st.stepLog.steps) {
    throw new Error(`${path}: holds ${lines.length - 1} steps, but the checkpoint was written after step ${st.step}: the step log was truncated or replaced`);
  }
  const kept = lines.join('\n') + '\n';
  if (sha256Hex(kept) !== st.stepLog.sha256) {
    throw new Error(`${path}: its first ${st.stepLog.steps} steps are not those the checkpoint recorded (SHA-256 differs): the step log is from another run or was edited`);
  }
  return lines;
}
