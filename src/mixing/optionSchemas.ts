/**
 * The options each policy's constructor and `createPolicy` accept, as strict zod objects:
 * an unknown key (a typo such as `refitIntreval`) throws naming it and the closest known
 * one, instead of being silently ignored. Values are checked here where the check is
 * local; domain names and prior/weight vectors keep their own checks in shares.ts (they
 * name the domain).
 */
import { z } from 'zod';
import { adoSettingsShape } from './adoSettings.js';
import { closestKey, describeValue, integer, mustBe, parseOptions, strictObject } from './schemaText.js';
import type { OdmSettings } from './snapshotTypes.js';

/** A key checked elsewhere (domains, prior and weight vectors: shares.ts names the domain). */
const elsewhere = () => z.unknown().optional();

const RUNNER_METHODS = ['submit', 'collect', 'discard', 'close'] as const;
/** Anything with the RefitRunner methods. */
const refitRunner = z.custom<unknown>(
  (r) => r !== null && typeof r === 'object' && RUNNER_METHODS.every((m) => typeof (r as Record<string, unknown>)[m] === 'function'),
  { error: mustBe('a RefitRunner (an object with submit, collect, discard and close)') },
);

export const adoOptionsSchema = strictObject({
  ...adoSettingsShape,
  domains: elsewhere(),
  prior: elsewhere(),
  refitRunner: refitRunner.optional(),
  // Data budgets, checked (naming the domain) in budgets.ts.
  budget: elsewhere(),
  maxEpochs: elsewhere(),
  plannedSteps: elsewhere(),
});

/** ODM's knobs, each optional (defaults in resolveOdmSettings). */
export const odmSettingsShape = {
  variant: z.enum(['exp3', 'smoothed'], { error: mustBe('"exp3" or "smoothed"') }).optional(),
  rewardScale: z
    .number({ error: mustBe('a positive number') })
    .refine((x) => x > 0, { error: mustBe('a positive number') })
    .optional(),
  smoothing: z
    .number({ error: mustBe('in [0, 1)') })
    .refine((x) => x >= 0 && x < 1, { error: mustBe('in [0, 1)') })
    .optional(),
  importanceWeighted: z.boolean({ error: mustBe('true or false') }).optional(),
};

const odmSettingsSchema = strictObject(odmSettingsShape);
export const ODM_SETTING_KEYS = Object.keys(odmSettingsShape);
export const odmOptionsSchema = strictObject({ ...odmSettingsShape, domains: elsewhere() });

/** Checks ODM's knobs (throws naming them) and fills in the defaults. */
export function resolveOdmSettings(o: Partial<OdmSettings>): OdmSettings {
  if (o === null || typeof o !== 'object') throw new Error('OdmPolicy: options must be an object');
  const given = parseOptions(odmSettingsSchema, o, 'OdmPolicy');
  const variant = given.variant ?? 'exp3';
  const s: OdmSettings = {
    variant,
    rewardScale: given.rewardScale ?? 0.1,
    smoothing: given.smoothing ?? 0.9,
    importanceWeighted: given.importanceWeighted ?? variant === 'exp3',
  };
  if (variant === 'exp3' && !s.importanceWeighted) {
    throw new Error('OdmPolicy: the exp3 variant is always importance-weighted (importanceWeighted: false needs variant "smoothed")');
  }
  return s;
}

export const staticOptionsSchema = strictObject({ domains: elsewhere(), kind: elsewhere(), weights: elsewhere() });

/** createPolicy's specs other than ado and odm (those are their constructors' options plus `kind`). */
const FIXED_SPECS = {
  natural: strictObject({ kind: elsewhere(), domains: elsewhere(), prior: elsewhere() }),
  balanced: strictObject({ kind: elsewhere(), domains: elsewhere() }),
  static: strictObject({ kind: elsewhere(), domains: elsewhere(), weights: elsewhere() }),
};

/** Checks the keys of a natural / balanced / static spec (`createPolicy (natural): unknown option "x"`). */
export function checkFixedSpec(kind: keyof typeof FIXED_SPECS, spec: unknown): void {
  parseOptions(FIXED_SPECS[kind], spec, `createPolicy (${kind})`);
}

/** `createPolicy: kind must be one of …, got "adoo" (did you mean "ado"?)`. */
export function unknownKindError(kinds: readonly string[], kind: unknown): Error {
  const near = typeof kind === 'string' ? closestKey(kind, kinds) : undefined;
  return new Error(
    `createPolicy: kind must be one of ${kinds.join(', ')}, got ${describeValue(kind)}${near !== undefined ? ` (did you mean "${near}"?)` : ''}`,
  );
}
