/**
 * Hugging Face `datasets`: a Python snippet with one `interleave_datasets` call per stage.
 *
 * huggingface/datasets, src/datasets/combine.py: `interleave_datasets(datasets,
 * probabilities=None, seed=None, info=None, split=None, stopping_strategy=…)` samples each
 * example's source by `probabilities` (numpy's `choice(p=…)`, which wants them summing to 1
 * within about 1.5e-8: the written decimals sum to 1 exactly); `"all_exhausted"` oversamples
 * until every source has been seen whole, so no domain is cut short. Each domain is one
 * `load_dataset(…, streaming=True)`; a data file path gets its builder (`json`, `parquet`,
 * `csv`, `text`, `arrow`) with `data_files=`, anything else is a Hub id or a directory.
 */
import type { PlannedStage, SchedulePlan } from '../plan.js';
import { missingPaths, runLines, stageWords } from './common.js';

/** A Python string literal (JSON's escapes are Python's too). */
export function pythonString(s: string): string {
  return JSON.stringify(s);
}

const BUILDERS: [RegExp, string][] = [
  [/\.jsonl?(\.(gz|bz2|xz|zst))?$/i, 'json'],
  [/\.parquet$/i, 'parquet'],
  [/\.csv(\.(gz|bz2|xz|zst))?$/i, 'csv'],
  [/\.txt(\.(gz|bz2|xz|zst))?$/i, 'text'],
  [/\.arrow$/i, 'arrow'],
];

/** The `load_dataset(…)` arguments of one domain. */
export function loadArguments(path: string): string {
  const builder = BUILDERS.find(([re]) => re.test(path))?.[1];
  return builder === undefined ? pythonString(path) : `${pythonString(builder)}, data_files=${pythonString(path)}`;
}

function sourcesBlock(plan: SchedulePlan): string {
  const entries = plan.domains.map((d, k) => {
    const path = plan.paths[k];
    const call = `    ${pythonString(d)}: load_dataset(${loadArguments(path ?? d)}, split="train", streaming=True),`;
    return path === null ? `${call}  # fill in: the Hub id or data files of ${pythonString(d)}` : call;
  });
  return `sources = {\n${entries.join('\n')}\n}\n`;
}

function stageBlock(plan: SchedulePlan, s: PlannedStage): string {
  const datasets = plan.domains.map((d) => `sources[${pythonString(d)}]`).join(', ');
  return (
    `# ${stageWords(plan, s)}\n` +
    `stage_${s.stage} = interleave_datasets(\n` +
    `    [${datasets}],\n` +
    `    probabilities=[${s.decimals.join(', ')}],\n` +
    `    seed=${plan.seed},\n` +
    `    stopping_strategy="all_exhausted",\n` +
    ')\n'
  );
}

function header(plan: SchedulePlan): string[] {
  const missing = missingPaths(plan);
  const lines = [
    ...runLines(plan, 'Hugging Face datasets (interleave_datasets)'),
    '',
    'interleave_datasets(datasets, probabilities, seed, stopping_strategy): huggingface/datasets, src/datasets/combine.py.',
    'probabilities follow the order of the datasets list; "all_exhausted" oversamples, so no domain runs dry.',
  ];
  if (missing.length > 0) lines.push(`Fill in: the datasets of ${missing.join(', ')} (their domain names stand in), or export again with --paths NAME=PATH,….`);
  return lines.map((l) => (l === '' ? '#' : `# ${l}`));
}

/** The Python snippet. */
export function formatHf(plan: SchedulePlan): string {
  const stages = plan.stages.map((s) => stageBlock(plan, s)).join('\n');
  const list = plan.stages.map((s) => `(stage_${s.stage}, ${s.amount})`).join(', ');
  return (
    `${header(plan).join('\n')}\n` +
    'from datasets import interleave_datasets, load_dataset\n\n' +
    sourcesBlock(plan) +
    '\n' +
    stages +
    '\n' +
    (plan.unit === 'examples'
      ? '# Each stage and the examples it draws: train on stage.take(n) for each (stage, n), in order.\n'
      : '# Each stage and the tokens it draws: train on each stage until it has given n tokens, in order.\n') +
    `STAGES = [${list}]\n`
  );
}
