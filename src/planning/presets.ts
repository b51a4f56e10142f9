/**
 * Published joint laws, ready for planning (values from ../shared/LAWS.md).
 *
 * - chinchilla: Hoffmann et al. 2022 Approach 3, unrounded (a = 6.0073404, b = 6.0179186,
 *   e = 0.5267228, α = 0.33917084, β = 0.2849083, from the paper's source).
 * - chinchilla-rounded: the values printed in the paper, E = 1.69, A = 406.4, B = 410.7,
 *   α = 0.34, β = 0.28. The rounding alone moves N_opt at 5.76e23 FLOP from ≈40.4e9 to ≈32.2e9.
 * - epoch: Besiroglu et al. 2024's refit of the same form, E = 1.82, A = 482.0, B = 2085.4,
 *   α = 0.348, β = 0.366.
 * - kaplan: Kaplan et al. 2020's joint fit, α_N = 0.076, α_D = 0.103, N_c = 6.4e13,
 *   D_c = 1.8e13 (N non-embedding).
 */
import type { PlanningLaw } from './planningLaw.js';

export type LawPresetName = 'chinchilla' | 'chinchilla-rounded' | 'epoch' | 'kaplan';

export interface LawPreset {
  law: PlanningLaw;
  /** Where the numbers come from. */
  source: string;
}

export const LAW_PRESETS: Readonly<Record<LawPresetName, LawPreset>> = Object.freeze({
  chinchilla: {
    law: {
      form: 'chinchilla',
      params: 'total',
      E: Math.exp(0.5267228),
      A: Math.exp(6.0073404),
      B: Math.exp(6.0179186),
      alpha: 0.33917084,
      beta: 0.2849083,
    },
    source: 'Hoffmann et al. 2022, Approach 3, unrounded values from the paper source',
  },
  'chinchilla-rounded': {
    law: { form: 'chinchilla', params: 'total', E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 },
    source: 'Hoffmann et al. 2022, Approach 3, values as printed',
  },
  epoch: {
    law: { form: 'chinchilla', params: 'total', E: 1.82, A: 482.0, B: 2085.4, alpha: 0.348, beta: 0.366 },
    source: 'Besiroglu et al. 2024 (Epoch AI), Chinchilla replication',
  },
  kaplan: {
    law: { form: 'kaplan', params: 'non-embedding', Nc: 6.4e13, Dc: 1.8e13, alphaN: 0.076, alphaD: 0.103 },
    source: 'Kaplan et al. 2020, joint L(N, D) fit',
  },
});

export const LAW_PRESET_NAMES = Object.keys(LAW_PRESETS) as LawPresetName[];

export function lawPreset(name: string): LawPreset {
  if (!Object.hasOwn(LAW_PRESETS, name)) {
    throw new Error(`unknown law preset "${name}" (known: ${LAW_PRESET_NAMES.join(', ')})`);
  }
  return LAW_PRESETS[name as LawPresetName];
}
