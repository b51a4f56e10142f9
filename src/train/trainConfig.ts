/**
 * The configuration of a built-in training run (`adomix train`), validated with zod. Every
 * field has a default, so `{}` is a complete config: pretrain the character-level LM on
 * the built-in four-domain corpus for 1,500 steps with ADO choosing the mixture.
 *
 * The ADO defaults are the library's (`default` preset) with its schedule scaled to the
 * run (adoScheduleFor): the first fit comes after 10 % of the run, the first 3 % of the
 * history is ignored and laws are refitted every 5 %.

 * Everything else is the library's default preset (see AdoPolicy): ρ weights domains by
 * their fitted slope alone (uniform importance, s = 0), whose fixed point is the mixture
 * that minimises the mean loss over domains.
 */
import { z } from 'zod';
import { BUILTIN_DOMAINS } from '../data/index.js';
import { MAX_SEED } from '../random/index.js';

const positiveInt = z.number().int().positive();
/** Seeds are 32-bit: 0 … 2^32 − 1, the same range everywhere in adomix. */
const seedSchema = z.number().int().min(0).max(MAX_SEED);
const nonNegativeInt = z.number().int().nonnegative();

const mlpSchema = z.strictObject({
  kind: z.literal('mlp'),
  context: positiveInt.default(16).describe('tokens of context C'),
  embedding: positiveInt.default(24).describe('embedding width d'),
  hidden: positiveInt.default(256).describe('hidden layer width'),
  layers: positiveInt.default(2).describe('hidden layers'),
});

const gptSchema = z.strictObject({
  kind: z.literal('gpt'),
  context: positiveInt.default(64).describe('tokens of context T (each example predicts all T)'),
  layers: positiveInt.default(2).describe('transformer blocks'),
  heads: positiveInt.default(4).describe('attention heads per block'),
  width: positiveInt.default(128).describe('model width d (a multiple of heads)'),
});

/** The model: the character MLP (`mlp`, the default, so configs without `kind` keep meaning it) or a GPT. */
const modelSchema = z.preprocess(
  (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) && !('kind' in v) ? { ...v, kind: 'mlp' } : v),
  z
    .discriminatedUnion('kind', [mlpSchema, gptSchema])
    .refine((m) => m.kind !== 'gpt' || m.width % m.heads === 0, { message: 'width must be a multiple of heads', path: ['width'] }),
);

const builtinDataSchema = z.strictObject({
  seed: seedSchema.default(1234).describe('corpus generator seed'),
  domains: z
    .array(z.enum(BUILTIN_DOMAINS))
    .min(1)
    .refine((d) => new Set(d).size === d.length, 'domains must not repeat')
    .default([...BUILTIN_DOMAINS]),
  trainChars: z.partialRecord(z.enum(BUILTIN_DOMAINS), positiveInt).default({}).describe('training-split characters per domain'),
  heldOutChars: positiveInt.default(16_384),
});

const diskDataSchema = z.strictObject({
  path: z.string().min(1).describe('a corpus on disk: a directory of domain folders, or a manifest (JSON)'),
  tokenizer: z.enum(['byte', 'gpt2']).default('byte').describe('byte-level UTF-8 (256 symbols) or GPT-2 BPE'),
  heldOut: z.number().gt(0).lt(1).default(0.01).describe('held-out fraction from the end of each domain (unless the manifest names held-out files)'),
  // Optional, not defaulted: a run from before it existed keeps its identity.
  heldOutFiles: z.number().gt(0).lt(1).optional().describe("hold out this share of each domain's files, drawn by path, instead of the tail (domains of two or more files)"),
  textField: z.string().min(1).default('text').describe('the text field of .jsonl lines and .parquet rows'),
  skipBadLines: z.boolean().default(false).describe('skip .jsonl lines without the text field, and count them'),
});

type BuiltinData = z.output<typeof builtinDataSchema>;
type DiskData = z.output<typeof diskDataSchema>;

/**
 * The corpus: one on disk when `path` is given (`adomix train --data`), else the built-in
 * generated one; each form is strict, so a field of the other form is named as unknown.
 */
const dataSchema = z.unknown().transform((v, ctx): BuiltinData | DiskData => {
  const onDisk = v !== null && typeof v === 'object' && 'path' in v;
  const r = (onDisk ? diskDataSchema : builtinDataSchema).safeParse(v);
  if (r.success) return r.data;
  for (const issue of r.error.issues) {
    const message = issue.code === 'unrecognized_keys' ? `${issue.message} (${onDisk ? 'with data.path, a corpus on disk' : 'the built-in corpus; give data.path for one on disk'})` : issue.message;
    ctx.addIssue({ code: 'custom', message, path: issue.path });
  }
  return z.NEVER;
});

/** True when a config's corpus is on disk (`data.path`). */
export function isDiskData(data: BuiltinData | DiskData): data is DiskData {
  return 'path' in data;
}

const adoSchema = z.strictObject({
  preset: z.enum(['default', 'reference']).optional(),
  target: z.enum(['uniform', 'prior']).optional().describe('domain importance inside ρ: uniform (mean loss) or the prior (the reference)'),
  initialMixture: z.enum(['target', 'prior']).optional().describe('the mixture before the first fit: the target normalised (balanced by default) or the prior (the reference)'),
  startStep: nonNegativeInt.optional(),
  refitInterval: positiveInt.optional(),
  ignoreSteps: nonNegativeInt.optional(),
  lag: nonNegativeInt.optional(),
  minPoints: positiveInt.optional(),
  countMode: z.enum(['same-step', 'per-domain']).optional(),
  s: z.number().nonnegative().optional(),
  creditExponent: z.number().gt(0).max(1).optional().describe('γ in ρ ∝ credit^γ: below 1 tempers how far the mixture moves'),
  capacity: z.number().nonnegative().optional().describe('σ added to each credit α(L − ε) (default 0.2; at most what the domain has learned): the loss per e-fold of a domain\'s share that its curve cannot show'),
  minShare: z.number().min(0).max(1).optional(),
  subsample: positiveInt.optional().describe('keep every n-th history point in a fit'),
  window: positiveInt.optional().describe('Savitzky–Golay window of a fit'),
});

const odmSchema = z.strictObject({
  variant: z.enum(['exp3', 'smoothed']).default('smoothed'),
  rewardScale: z.number().positive().optional(),
  smoothing: z.number().min(0).max(1).optional(),
});

export const trainConfigSchema = z.strictObject({
  runId: z.string().min(1).optional().describe("the run's id: set by adomix train in the run directory's config.json"),
  policy: z.enum(['ado', 'natural', 'balanced', 'odm']).default('ado'),
  steps: positiveInt.default(1500),
  batchSize: positiveInt.default(32).describe('examples per step'),
  targetsPerExample: positiveInt.default(16).describe('mlp: tokens predicted per example (a GPT predicts its whole context)'),
  seed: seedSchema.default(0).describe('model initialisation, sampler and shuffling seed'),
  backend: z.string().default('auto'),
  learningRate: z.number().positive().default(2e-3).describe('peak learning rate'),
  lrSchedule: z.enum(['cosine', 'constant']).default('cosine').describe('cosine: warm-up over 2 % of the steps, then decay to 10 % at the end'),
  /** null: unlimited passes over each domain. */
  epochs: positiveInt.nullable().default(null),
  /**
   * ADO's data budget (budgets.ts): each domain's training examples as its budget and at most
   * this many passes over it by the run's last step (`steps`): ADO caps each share so that it
   * lasts, and redistributes the rest. null (default): no budget. Independent of `epochs`, the
   * sampler's hard limit (a domain past it is exhausted).
   */
  maxEpochs: z.number().positive().nullable().default(null).describe("ADO: most passes over each domain's training examples by the last step (null: no budget)"),
  evalEvery: nonNegativeInt.default(100),
  evalExamples: positiveInt.default(128).describe('held-out examples per domain'),
  checkpointEvery: nonNegativeInt.default(500),
  refit: z.enum(['worker', 'inline']).default('worker').describe('where ADO refits run'),
  model: modelSchema.prefault({ kind: 'mlp' }),
  data: dataSchema.default(() => builtinDataSchema.parse({})),
  ado: adoSchema.prefault({}),
  odm: odmSchema.prefault({}),
});

export type TrainConfig = z.output<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/** Validates and completes a config; errors name the field and the source. */
export function parseTrainConfig(input: unknown, source = 'config'): TrainConfig {
  const r = trainConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${source}: ${issues}`);
  }
  return r.data;
}

// The ADO schedule of a run of `steps` steps (explicit config values win): src/mixing/adoSchedule.ts.
export { adoScheduleFor, adoScheduleSettings } from '../mixing/adoSchedule.js';
