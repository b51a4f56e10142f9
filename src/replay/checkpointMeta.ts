/**
 * What a replay keeps in a checkpoint's `meta`, beside the policy snapshot: the log it was
 * replaying, how far (the last log step read), the SHA-256 of every record read up to there
 * (StepLogDigest), and how much of the --out file those steps produced. A resume checks all
 * of it before it writes anything.
 */
import { z } from 'zod';
import type { OutputPosition } from './output.js';

export const REPLAY_META_FORMAT = 'adomix-replay/1';

export interface ReplayCheckpointMeta {
  format: typeof REPLAY_META_FORMAT;
  /** The step log replayed (as given on the command line). */
  steplog: string;
  /** Last log step read (fed to the policy, or rejected by it with --skip-bad). */
  logStep: number;
  /** Records read through logStep and their digest. */
  records: number;
  sha256: string;
  /** The --out file so far (null: the lines went to stdout). */
  out: OutputPosition | null;
}

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex');
const count = z.number().int().nonnegative();

const metaSchema = z.strictObject({
  format: z.literal(REPLAY_META_FORMAT),
  steplog: z.string(),
  logStep: z.number().int().min(-1),
  records: count,
  sha256,
  out: z.strictObject({ path: z.string(), target: z.string(), bytes: count, sha256 }).nullable(),
});

/** Checks a checkpoint's meta; errors name the file and the field. */
export function parseReplayMeta(meta: unknown, source: string): ReplayCheckpointMeta {
  if (meta === undefined || (typeof meta === 'object' && meta !== null && (meta as { format?: unknown }).format !== REPLAY_META_FORMAT)) {
    const format = (meta as { format?: unknown } | undefined)?.format;
    throw new Error(
      `${source}: not a replay checkpoint (its meta.format is ${JSON.stringify(format ?? null)}, expected "${REPLAY_META_FORMAT}"): ` +
        'it was written by adomix train, another tool, or an older adomix replay that did not record its log',
    );
  }
  const r = metaSchema.safeParse(meta);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${source}: field "meta.${i.path.join('.')}": ${i.message}`);
  }
  return r.data;
}
