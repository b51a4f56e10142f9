/**
 * `adomix cost`: inference cost in eFLOPs (Kinetics; Sadhukhan et al. 2025) of one or more
 * configurations, and what each could afford at an equal budget. Every option takes a
 * comma-separated list; lists of length 1 apply to every configuration, the others are
 * zipped. Thin: the formulas are in src/planning/kinetics.ts.
 */
import { Command, Option } from 'commander';
import { B200_INTENSITY, compareAtEqualCost, kineticsCost, type KineticsConfig } from '../planning/index.js';
import { count, listOf, num, positiveInteger, positiveQuantity, table } from './planningFormat.js';

interface CostCliOptions {
  params: number[];
  layers: number[];
  heads: number[];
  kvHeads: number[];
  headDim: number[];
  prompt: number[];
  gen: number[];
  trials: number[];
  intensity: number;
  budget?: number;
  json?: boolean;
}

const FIELDS = [
  ['params', 'params', '--params'],
  ['layers', 'layers', '--layers'],
  ['heads', 'heads', '--heads'],
  ['kvHeads', 'kvHeads', '--kv-heads'],
  ['headDim', 'headDim', '--head-dim'],
  ['prompt', 'promptLength', '--prompt'],
  ['gen', 'genLength', '--gen'],
  ['trials', 'trials', '--trials'],
] as const;

export function register(program: Command): void {
  program
    .command('cost')
    .summary('inference cost in eFLOPs (Kinetics): compute plus memory traffic')
    .description(
      [
        'Cost of answering one query with N sampled trials, in eFLOPs = compute FLOPs + I · memory bytes ' +
          '(Sadhukhan et al. 2025, "Kinetics"). Dense attention, 2-byte KV cache, the prompt\'s KV cache shared ' +
          'by the trials, weight reads left out:',
        '  compute = 2·P·L_out·N + 2·(2·L_in + L_out)·L_out·heads·head_dim·layers·N\n' +
          '  memory  = 2·(2·L_in + N·L_out)·L_out·kv_heads·head_dim·layers',
        'Every option takes a comma-separated list to compare configurations (lists of length 1 apply to all). ' +
          'At the budget (--budget, default the first configuration\'s cost) each configuration is shown with the ' +
          'most trials at its generation length and the longest generation at its trials that fit.',
        'With --json, prints one JSON object: {"command":"cost","intensity","budget","configs":[{"config":{…},' +
          '"cost":{"paramFlops","attentionFlops","computeFlops","memoryBytes","memoryEFlops","eFlops","memoryShare",' +
          '"intensity"},"maxTrials","maxGen"}]}.',
      ].join('\n\n'),
    )
    .requiredOption('--params <P>', 'model parameters, e.g. 8e9 or 8B', listOf(positiveQuantity))
    .requiredOption('--layers <L>', 'transformer layers', listOf(positiveInteger))
    .requiredOption('--heads <H>', 'query heads', listOf(positiveInteger))
    .requiredOption('--kv-heads <G>', 'key/value heads (GQA)', listOf(positiveInteger))
    .requiredOption('--head-dim <d>', 'head size', listOf(positiveInteger))
    .requiredOption('--prompt <tokens>', 'prompt length L_in', listOf(positiveInteger))
    .requiredOption('--gen <tokens>', 'generation length L_out per trial', listOf(positiveInteger))
    .requiredOption('--trials <N>', 'sampled trials per query', listOf(positiveInteger))
    .addOption(new Option('--intensity <I>', 'arithmetic intensity, FLOP per byte (562.5: B200)').argParser(positiveQuantity).default(B200_INTENSITY))
    .addOption(new Option('--budget <eFLOPs>', 'budget for the equal-cost comparison (default: the first configuration\'s cost)').argParser(positiveQuantity))
    .option('--json', 'print one JSON object instead of tables')
    .action((options: CostCliOptions) => {
      runCost(options);
    });
}

function configsOf(o: CostCliOptions): KineticsConfig[] {
  const n = Math.max(...FIELDS.map(([k]) => o[k].length));
  for (const [k, , flag] of FIELDS) {
    const len = o[k].length;
    if (len !== 1 && len !== n) throw new Error(`${flag} has ${len} values; give 1 or ${n} (one per configuration)`);
  }
  return Array.from({ length: n }, (_, i) => {
    const c: Record<string, number> = { intensity: o.intensity };
    for (const [k, field] of FIELDS) c[field] = o[k].length === 1 ? o[k][0] : o[k][i];
    return c as unknown as KineticsConfig;
  });
}

function runCost(o: CostCliOptions): void {
  const configs = configsOf(o);
  const budget = o.budget ?? kineticsCost(configs[0]).eFlops;
  const rows = compareAtEqualCost(budget, configs);
  if (o.json) {
    process.stdout.write(JSON.stringify({ command: 'cost', intensity: o.intensity, budget, configs: rows }) + '\n');
    return;
  }
  const id = (i: number): string => (rows.length === 1 ? 'config' : `#${i + 1}`);
  let out = `Kinetics inference cost, I = ${num(o.intensity)} FLOP/byte (dense attention, prompt KV shared by the trials)\n\n`;
  out += table(
    ['', 'params', 'layers', 'heads', 'kv heads', 'head dim', 'prompt', 'gen', 'trials'],
    rows.map((r, i) => [
      id(i),
      count(r.config.params),
      String(r.config.layers),
      String(r.config.heads),
      String(r.config.kvHeads),
      String(r.config.headDim),
      String(r.config.promptLength),
      String(r.config.genLength),
      String(r.config.trials),
    ]),
  );
  out += '\n';
  out += table(
    ['', 'param FLOPs', 'attention FLOPs', 'KV bytes', 'I·bytes', 'eFLOPs', 'memory share'],
    rows.map((r, i) => [
      id(i),
      num(r.cost.paramFlops),
      num(r.cost.attentionFlops),
      num(r.cost.memoryBytes),
      num(r.cost.memoryEFlops),
      num(r.cost.eFlops),
      `${(100 * r.cost.memoryShare).toFixed(1)}%`,
    ]),
  );
  out += `\nat a budget of ${num(budget)} eFLOPs${o.budget === undefined ? (rows.length === 1 ? ' (its own cost)' : ' (the cost of #1)') : ''}:\n`;
  out += table(
    ['', 'max trials at its gen', 'max gen at its trials'],
    rows.map((r, i) => [id(i), String(r.maxTrials), String(r.maxGen)]),
  );
  process.stdout.write(out);
}
