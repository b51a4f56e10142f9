/**
 * `adomix laws fit|plan|skills`: joint scaling laws L(N, D) from a table of runs,
 * compute-optimal planning, and skill-wise optima. Thin: the math is in src/planning, the
 * table reader in src/runlog.
 */
import { Command, Option } from 'commander';
import { LAW_PRESET_NAMES } from '../../planning/index.js';
import { listOf, nonNegativeInteger, positiveQuantity } from '../planningFormat.js';
import { seedOption } from '../options.js';
import { runFit, type FitCliOptions } from './fit.js';
import { runPlan, type PlanCliOptions } from './plan.js';
import { runSkills, type SkillsCliOptions } from './skills.js';

export function register(program: Command): void {
  const laws = program
    .command('laws')
    .summary('fit joint scaling laws L(N, D) to runs, plan compute-optimal training, compare skills')
    .description(
      'Scaling-law planning: fit the Chinchilla or Kaplan joint law to a table of runs (CSV with columns ' +
        'N, D, loss and optionally skill), allocate a compute budget C = 6·N·D between parameters and tokens, ' +
        'and compare the compute-optimal allocations of skills.',
    );

  laws
    .command('fit')
    .summary('fit a joint law L(N, D) to a table of runs')
    .description(
      [
        'Fit L(N, D) to the runs in a CSV table (columns N, D, loss and optionally skill, in any order).',
        'chinchilla (default): E + A/N^α + B/D^β by Hoffmann et al.\'s Approach 3, minimising the summed Huber ' +
          '(δ = 1e-3) loss of log-space residuals from their 4,500-point start grid, to a tight gradient tolerance; ' +
          'the output says whether it converged. kaplan: [(N_c/N)^(α_N/α_D) + D_c/D]^α_D, same objective.',
        'With a skill column, the main law is fitted to the mean loss over skills of each (N, D), and every ' +
          'skill gets its own law; --skill fits one skill only.',
        'With --json, prints one JSON object: {"command":"laws fit","file","runs","form","params","law":{…},' +
          '"fit":{"objective","converged","reason","gradNorm","iterations","starts","refined","minima","runs",' +
          '"identifiable","unidentifiable"?,"condition"},' +
          '"exponents":{"N","D"},"optima":[…],"bootstrap":{…}|null,"skills":[{"skill","law","fit"}]}. ' +
          'Its "law" is what `adomix laws plan --law` reads.',
        '"converged" is the optimiser\'s verdict; "identifiable" says whether the runs determine the law (enough ' +
          'distinct N and D, a non-singular Hessian at the optimum, no equally good optima with other parameters). ' +
          'A law that is not identifiable is printed flagged, with the reason, but never planned with: --compute and ' +
          '--bootstrap then exit with an error, and `laws plan --law` refuses its JSON.',
      ].join('\n\n'),
    )
    .argument('<runs.csv>', 'table of runs: N, D, loss[, skill]')
    .addOption(new Option('--form <form>', 'law form').choices(['chinchilla', 'kaplan']).default('chinchilla'))
    .addOption(
      new Option('--params <counting>', 'what N counts (default: total for chinchilla, non-embedding for kaplan)').choices([
        'total',
        'non-embedding',
      ]),
    )
    .addOption(new Option('--bootstrap <n>', 'bootstrap resamples for 95% intervals (0: none)').argParser(nonNegativeInteger).default(0))
    .addOption(new Option('--seed <n>', 'bootstrap seed (0 … 4294967295)').argParser(seedOption).default(0))
    .option('--skill <name>', 'fit only the runs of this skill')
    .addOption(new Option('--compute <C,...>', 'also report the compute-optimal N, D at these budgets (FLOP)').argParser(listOf(positiveQuantity)))
    .option('--json', 'print one JSON object instead of tables')
    .action(async (path: string, options: FitCliOptions) => {
      await runFit(path, options);
    });

  laws
    .command('plan')
    .summary('compute-optimal N and D for a training budget')
    .description(
      [
        'Allocate training compute C = 6·N·D between parameters N and tokens D to minimise a law\'s loss, and ' +
          'print N_opt, D_opt, tokens per parameter and the predicted loss.',
        `Presets: ${LAW_PRESET_NAMES.join(', ')} (chinchilla: Hoffmann et al.'s unrounded values; ` +
          'chinchilla-rounded: as printed; epoch: Besiroglu et al.\'s refit; kaplan: Kaplan et al.\'s joint fit, ' +
          'shown with their published allocation N ≈ 1.3e9·C^0.73 too). --law reads the JSON of `adomix laws fit --json` ' +
          'or a bare law object ({"form":"chinchilla","E","A","B","alpha","beta"} or {"form":"kaplan","Nc","Dc","alphaN","alphaD"}).',
        'With --json, prints one JSON object: {"command":"laws plan","law":{…},"source","exponents":{"N","D"},' +
          '"optima":[{"compute","N","D","tokensPerParam","loss","method"}],"published":[…]|null}.',
      ].join('\n\n'),
    )
    .requiredOption('--compute <C,...>', 'training budget(s) in FLOP, e.g. 5.76e23 or 1e21,1e23', listOf(positiveQuantity))
    .option('--law <file>', 'law JSON (from `adomix laws fit --json`)')
    .addOption(new Option('--preset <name>', 'published law (default chinchilla)').choices(LAW_PRESET_NAMES))
    .option('--json', 'print one JSON object instead of a table')
    .action(async (options: PlanCliOptions) => {
      await runPlan(options);
    });

  laws
    .command('skills')
    .summary('skill-wise compute-optimal allocation (knowledge vs code, …)')
    .description(
      [
        'Fit the Chinchilla law to each skill of a runs table (a skill column is required) and to the aggregate ' +
          '(the mean loss over skills of each (N, D), or --aggregate SKILL), then compare each skill\'s ' +
          'compute-optimal N with the aggregate\'s at every budget: N_skill/N_agg above 1 + tolerance is ' +
          'capacity-hungry, below 1 − tolerance data-hungry (Roberts et al. 2025). When the runs come in IsoFLOP ' +
          'groups (equal 6·N·D), each skill also gets the IsoFLOP estimate: a parabola in log N per budget and a ' +
          'power law across budgets.',
        'Budgets default to the largest run\'s compute ×1, ×100 and ×10,000.',
        'With --json, prints one JSON object: {"command":"laws skills","file","budgets","aggregate":{"name","runs",' +
          '"law","fit","optima","isoFlop"},"skills":[{"skill","runs","law","fit","optima":[{…,"ratioN","ratioD","label"}],' +
          '"label","isoFlop"}]}.',
      ].join('\n\n'),
    )
    .argument('<runs.csv>', 'table of runs: N, D, loss, skill')
    .addOption(new Option('--compute <C,...>', 'budgets in FLOP').argParser(listOf(positiveQuantity)))
    .option('--aggregate <skill>', 'use this skill as the aggregate instead of the mean over skills')
    .addOption(new Option('--tolerance <x>', 'band around N_skill/N_agg = 1 labelled balanced').argParser(positiveQuantity).default(0.05))
    .option('--json', 'print one JSON object instead of tables')
    .action(async (path: string, options: SkillsCliOptions) => {
      await runSkills(path, options);
    });
}
