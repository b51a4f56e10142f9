/**
 * Megatron-LM: one `--data-path` blend per stage, as bash arrays.
 *
 * Megatron reads a blend as `--data-path weight1 prefix1 weight2 prefix2 …`
 * (NVIDIA/Megatron-LM, megatron/training/arguments.py, `--data-path`; split into
 * (prefixes, weights) by `get_blend_from_list` in megatron/core/datasets/utils.py, each
 * weight parsed with float() and the weights normalised by `normalize`). A prefix is a
 * dataset's path without its `.bin`/`.idx` extension. Megatron mixes statically, so each
 * stage is one job resuming the one before, trained to the iteration its stage ends at
 * (`--train-iters`, the total over all runs). Megatron-LM since 2026 can instead stop at
 * each stage end itself: `--phase-transition-iterations i1,i2,…` (megatron/training/
 * training.py) with sample-based training (`--train-samples`, the whole run) and a fixed
 * `--global-batch-size`.
 */
import type { PlannedStage, SchedulePlan } from '../plan.js';
import { comments, missingPaths, runLines, stageWords } from './common.js';

/** A word as bash reads it back unchanged: bare when safe, else single-quoted. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A stage's `--data-path` words: weight, prefix, … for every domain with a non-zero weight. */
export function dataPathWords(plan: SchedulePlan, s: PlannedStage): string[] {
  return plan.domains.flatMap((d, k) => (s.decimals[k] === '0' ? [] : [s.decimals[k], plan.paths[k] ?? d]));
}

function stageArgs(plan: SchedulePlan, s: PlannedStage): string[] {
  return ['--train-iters', String(s.endIteration), '--data-path', ...dataPathWords(plan, s)];
}

function notes(plan: SchedulePlan): string[] {
  const missing = missingPaths(plan);
  const transitions = plan.stages.slice(0, -1).map((s) => s.endIteration);
  const samples = plan.unit === 'examples' && plan.batch !== null ? String(plan.amount) : '<iterations × your --global-batch-size>';
  const lines = [
    'Megatron-LM reads a blend as --data-path weight1 prefix1 weight2 prefix2 … (NVIDIA/Megatron-LM,',
    'megatron/training/arguments.py; get_blend_from_list in megatron/core/datasets/utils.py normalises the weights).',
    'It mixes statically: train one job per stage, each resuming the checkpoint of the one before (--load, --save):',
    '  python pretrain_gpt.py <your arguments> "${STAGE_1[@]}"',
    `--train-iters is the iteration the stage ends at, in this run's steps${plan.batch !== null && plan.unit === 'examples' ? ` (${plan.batch} examples each)` : ''}: scale it to your run.`,
  ];
  if (transitions.length > 0) {
    lines.push(
      'Megatron-LM with --phase-transition-iterations (2026 on) stops at each stage end by itself: in every stage\'s job',
      `use --train-samples ${samples} --phase-transition-iterations ${transitions.join(',')} instead of --train-iters,`,
      'with a fixed --global-batch-size, and that stage\'s --data-path.',
    );
  }
  if (missing.length > 0) {
    lines.push(
      `Fill in: the prefixes of ${missing.join(', ')} are their domain names; replace each with its dataset prefix`,
      '(the path of its .bin/.idx files without the extension), or export again with --paths NAME=PREFIX,….',
    );
  }
  return lines;
}

function zeroWeights(plan: SchedulePlan, s: PlannedStage): string {
  const zero = plan.domains.filter((_, k) => s.decimals[k] === '0');
  return zero.length === 0 ? '' : comments([`weight 0 at ${plan.decimals} decimals, left out of the blend: ${zero.join(', ')}`]);
}

/** The Megatron-LM file: comments, then `STAGE_<n>=(…)` per stage. */
export function formatMegatron(plan: SchedulePlan): string {
  let out = '#!/usr/bin/env bash\n' + comments([...runLines(plan, 'Megatron-LM (--data-path blends)'), '', ...notes(plan)]);
  for (const s of plan.stages) {
    out += `\n${comments([stageWords(plan, s)])}${zeroWeights(plan, s)}STAGE_${s.stage}=(${stageArgs(plan, s).map(shellWord).join(' ')})\n`;
  }
  return out;
}
