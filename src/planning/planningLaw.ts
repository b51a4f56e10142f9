/**
 * A joint law L(N, D) that the planning tools take: the Chinchilla form or Kaplan's, with
 * what its N counts. Chinchilla (Hoffmann et al. 2022) counts all parameters; Kaplan et
 * al. (2020) non-embedding ones, which at small scale bends the compute-optimal exponent
 * (Pearce & Song 2024). Compute is C = 6·N·D with the law's own N.
 */
import { chinchillaLoss, validateChinchillaLaw, type ChinchillaLaw } from './chinchillaLaw.js';
import { kaplanLoss, validateKaplanLaw, type KaplanLaw } from './kaplanLaw.js';

/** What N counts: all parameters, or all but the embedding (and unembedding) matrices. */
export type ParamCounting = 'total' | 'non-embedding';

export type PlanningLaw =
  | ({ form: 'chinchilla'; params?: ParamCounting } & ChinchillaLaw)
  | ({ form: 'kaplan'; params?: ParamCounting } & KaplanLaw);

export function planningLawLoss(law: PlanningLaw, N: number, D: number): number {
  return law.form === 'chinchilla' ? chinchillaLoss(law, N, D) : kaplanLoss(law, N, D);
}

/** The counting a law uses when it does not say: Chinchilla total, Kaplan non-embedding. */
export function lawCounting(law: PlanningLaw): ParamCounting {
  return law.params ?? (law.form === 'chinchilla' ? 'total' : 'non-embedding');
}

/**
 * Validates a law read from JSON: a bare law (`{"form":"chinchilla","E":…}`) or an object
 * holding one under `law` (what `adomix laws fit --json` prints).
 */
export function parsePlanningLaw(value: unknown, where = 'law'): PlanningLaw {
  const inner = value !== null && typeof value === 'object' ? (value as { law?: unknown }).law : undefined;
  if (inner !== null && typeof inner === 'object') return parsePlanningLaw(inner, `${where}: law`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where}: expected an object with "form": "chinchilla" or "kaplan"`);
  }
  const o = value as Record<string, unknown>;
  const params = o.params;
  if (params !== undefined && params !== 'total' && params !== 'non-embedding') {
    throw new Error(`${where}: params must be "total" or "non-embedding", got ${JSON.stringify(params)}`);
  }
  if (o.form === 'chinchilla') {
    const law = { form: 'chinchilla' as const, E: o.E, A: o.A, B: o.B, alpha: o.alpha, beta: o.beta } as PlanningLaw & ChinchillaLaw;
    validateChinchillaLaw(law, where);
    return params === undefined ? law : { ...law, params };
  }
  if (o.form === 'kaplan') {
    const law = { form: 'kaplan' as const, Nc: o.Nc, Dc: o.Dc, alphaN: o.alphaN, alphaD: o.alphaD } as PlanningLaw & KaplanLaw;
    validateKaplanLaw(law, where);
    return params === undefined ? law : { ...law, params };
  }
  throw new Error(`${where}: form must be "chinchilla" or "kaplan", got ${JSON.stringify(o.form)}`);
}
