/**
 * OLMo-core: a `SourceMixtureList` per stage, in YAML.
 *
 * allenai/OLMo-core, src/olmo_core/data/source_mixture.py: `SourceMixtureList` holds
 * `sources`, a list of `SourceMixtureConfig` with `source_name`, `target_ratio` (in (0, 1];
 * the ratios must sum to 1, np.allclose), `paths` (token `.npy` files, globs allowed, not
 * empty), `max_repetition_ratio` (≥ 1, default 1.0) and `max_source_fraction` (in [0, 1],
 * default 1.0). `SourceMixtureList.from_yaml(path)` (olmo_core/config.py, yaml.safe_load)
 * reads one; the training scripts pass it to `SourceMixtureDatasetConfig(source_list=…,
 * requested_tokens=…, global_batch_size=…)`.
 */
import { Document } from 'yaml';
import type { PlannedStage, SchedulePlan } from '../plan.js';
import { missingPaths, runLines } from './common.js';
import { fillIn, yamlStages } from './yamlStages.js';

function stageDocument(plan: SchedulePlan, s: PlannedStage): Document {
  const doc = new Document({
    sources: plan.domains.map((d, k) => ({
      source_name: d,
      target_ratio: Number(s.decimals[k]),
      paths: [plan.paths[k] ?? d],
      max_repetition_ratio: 1,
      max_source_fraction: 1,
    })),
  });
  plan.domains.forEach((d, k) => {
    if (plan.paths[k] === null) fillIn(doc, ['sources', k, 'paths', 0], `fill in: the token .npy files of "${d}" (globs allowed)`);
  });
  return doc;
}

function header(plan: SchedulePlan): string[] {
  const missing = missingPaths(plan);
  const lines = [
    ...runLines(plan, 'OLMo-core (SourceMixtureList)'),
    '',
    'Each YAML document below is one stage\'s SourceMixtureList (allenai/OLMo-core, src/olmo_core/data/source_mixture.py).',
    plan.stages.length === 1
      ? 'Read it with SourceMixtureList.from_yaml(path), and pass it to SourceMixtureDatasetConfig(source_list=…).'
      : 'Read stage i with SourceMixtureList.from_dict(list(yaml.safe_load_all(open(path)))[i - 1]), and pass it to SourceMixtureDatasetConfig(source_list=…).',
    `requested_tokens: each stage's share of your run's tokens${plan.unit === 'tokens' ? ' (this run\'s are given per stage)' : ''}.`,
  ];
  if (missing.length > 0) lines.push(`Fill in: the paths of ${missing.join(', ')} (their domain names stand in), or export again with --paths NAME=PATH,….`);
  return lines;
}

/** The OLMo-core file: one SourceMixtureList document per stage. */
export function formatOlmoCore(plan: SchedulePlan): string {
  return yamlStages(plan, header(plan), (s) => stageDocument(plan, s));
}
