/**
 * `adomix laws fit|plan|skills`: joint scaling laws L(N, D) from a table of runs,
 * compute-optimal planning, and skill-wise optima. Thin: the math is in src/laws, the
 * table reader in src/runlog.
 */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { LAW_PRESET_NAMES, analyzeSkills, bootstrapChinchilla, bootstrapKaplan, computeOptimal, fitChinchilla, fitKaplan, kaplanPublishedAllocation, lawCounting, lawPreset, meanOverSkills, parsePlanningLaw, type BootstrapResult, type ChinchillaFit, type KaplanFit, type ComputeOptimum, type IsoFlopAnalysis, type ParamCounting, type PlanningLaw, type ScalingRun, type SkillAnalysis, UnidentifiableLawError } from '../planning/index.js';
import { readRunsTable } from '../runlog/index.js';
import { count, listOf, nonNegativeInteger, num, positiveQuantity, table } from './planningFormat.js';
import { seedOption } from './options.js';

type Form = 'chinchilla' | 'kaplan';

interface FitCliOptions {
  form: Form;
  params?: ParamCounting;
  bootstrap: number;
  seed: number;
  skill?: string;
  compute?: number[];
  json?: boolean;
}

interface PlanCliOptions {
  compute: number[];
  law?: string;
  preset?: string;
  json?: boolean;
}

interface SkillsCliOptions {
  compute?: number[];
  aggregate?: string;
  tolerance: number;
  json?: boolean;
}

/** The fit statistics printed with a law. */
interface FitSummary {
  objective: number;
  converged: boolean;
  reason: string;
  gradNorm: number;
  iterations: number;
  starts: number;
  refined: number;
  minima: number;
  runs: number;
  /** Whether the runs determine the law (see src/planning/identifiability.ts); `converged` is the optimiser's verdict only. */
  identifiable: boolean;
  unidentifiable?: string;
  /** Condition number of the scaled Hessian at the optimum (null in JSON when singular). */
  condition: number;
}

interface FittedLaw {
  law: PlanningLaw;
  fit: FitSummary;
  /** Chinchilla only: the fit's log parameters. */
  log?: { a: number; b: number; e: number; alpha: number; beta: number };
  /** The fitter's own result (the bootstrap starts from it). */
  raw: { form: 'chinchilla'; fit: ChinchillaFit } | { form: 'kaplan'; fit: KaplanFit };
}

const FORMS: Record<Form, string> = {
  chinchilla: 'L(N, D) = E + A/N^α + B/D^β',
  kaplan: 'L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D',
};

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

function fitLaw(runs: readonly ScalingRun[], form: Form, params: ParamCounting): FittedLaw {
  if (form === 'chinchilla') {
    const f = fitChinchilla(runs);
    return { law: { form, params, ...f.law }, fit: summary(f), log: f.log, raw: { form, fit: f } };
  }
  const f = fitKaplan(runs);
  return { law: { form, params, ...f.law }, fit: summary(f), raw: { form, fit: f } };
}

function summary(f: FitSummary): FitSummary {
  const { objective, converged, reason, gradNorm, iterations, starts, refined, minima, runs, identifiable, unidentifiable, condition } = f;
  const out: FitSummary = { objective, converged, reason, gradNorm, iterations, starts, refined, minima, runs, identifiable, condition };
  return identifiable ? out : { ...out, unidentifiable };
}

/** The refusal to plan (or bound) with a law its runs do not determine. */
function notIdentifiable(action: string, subject: string, reason: string | undefined): Error {
  return new Error(`cannot ${action}: ${subject} is not identifiable: ${reason}`);
}

/** Exponents of N_opt ∝ C^N and D_opt ∝ C^D under C = 6ND. */
function exponents(law: PlanningLaw): { N: number; D: number } {
  const [a, b] = law.form === 'chinchilla' ? [law.beta, law.alpha] : [law.alphaD, law.alphaN];
  return { N: a / (a + b), D: b / (a + b) };
}

function lawParams(law: PlanningLaw): [string, string, number][] {
  return law.form === 'chinchilla'
    ? [['E', 'E', law.E], ['A', 'A', law.A], ['B', 'B', law.B], ['α', 'alpha', law.alpha], ['β', 'beta', law.beta]]
    : [['N_c', 'Nc', law.Nc], ['D_c', 'Dc', law.Dc], ['α_N', 'alphaN', law.alphaN], ['α_D', 'alphaD', law.alphaD]];
}

function countingText(p: ParamCounting): string {
  return p === 'total' ? 'total parameters' : 'non-embedding parameters';
}

function fitLine(f: FitSummary): string {
  const steps = `‖∇f‖∞ = ${num(f.gradNorm, 2)} after ${f.iterations} iterations`;
  let state = f.converged ? `converged (${steps})` : `NOT converged: ${f.reason} (${steps})`;
  if (!f.identifiable) {
    state = `NOT IDENTIFIABLE (the optimiser ${f.converged ? 'stopped at a zero gradient' : `did not converge: ${f.reason}`}, ${steps})`;
  }
  let out =
    `fit: summed Huber (δ = 1e-3) ${num(f.objective)} · ${state} · ${f.starts} starts evaluated, ${f.refined} refined, ` +
    `${f.minima} distinct optim${f.minima === 1 ? 'um' : 'a'}\n`;
  if (!f.identifiable) {
    out += `not identifiable: ${f.unidentifiable}; the law above is one of many that fit the runs equally well, do not plan with it\n`;
  }
  return out;
}

async function runFit(path: string, o: FitCliOptions): Promise<void> {
  const tableIn = await readRunsTable(path);
  const params: ParamCounting = o.params ?? (o.form === 'chinchilla' ? 'total' : 'non-embedding');
  let runs: ScalingRun[] = tableIn.runs;
  let what = `${runs.length} runs`;
  const perSkill: { skill: string; fitted: FittedLaw }[] = [];
  if (o.skill !== undefined) {
    runs = runs.filter((r) => r.skill === o.skill);
    if (runs.length === 0) {
      throw new Error(`${path}: no runs with skill "${o.skill}" (skills: ${tableIn.skills.join(', ') || 'none, the table has no skill column'})`);
    }
    what = `${runs.length} runs of skill ${o.skill}`;
  } else if (tableIn.skills.length > 0) {
    runs = meanOverSkills(tableIn.runs, tableIn.skills);
    if (runs.length === 0) throw new Error(`${path}: no (N, D) has a loss for every skill, so there is no mean over skills to fit`);
    what = `${runs.length} (N, D) points, mean loss over ${tableIn.skills.length} skills`;
    for (const skill of tableIn.skills) {
      perSkill.push({ skill, fitted: fitLaw(tableIn.runs.filter((r) => r.skill === skill), o.form, params) });
    }
  }
  const main = fitLaw(runs, o.form, params);
  const budgets = o.compute ?? [];
  if (!main.fit.identifiable) {
    if (budgets.length > 0) throw notIdentifiable('plan', 'the fitted law', main.fit.unidentifiable);
    if (o.bootstrap > 0) throw notIdentifiable('bootstrap', 'the fitted law', main.fit.unidentifiable);
    process.stderr.write(`adomix laws fit: warning: the fitted law is not identifiable: ${main.fit.unidentifiable}\n`);
  } else if (!main.fit.converged) {
    process.stderr.write(`adomix laws fit: warning: the fit did not converge (${main.fit.reason}); treat the law with care\n`);
  }
  for (const s of perSkill.filter((q) => !q.fitted.fit.identifiable)) {
    process.stderr.write(`adomix laws fit: warning: the fitted law of skill ${s.skill} is not identifiable: ${s.fitted.fit.unidentifiable}\n`);
  }
  if (budgets.length > 0 && !exponentsValid(main.law)) throw new Error(`cannot plan: ${nonPositiveExponent(main.law)}`);
  const optima = budgets.map((C) => computeOptimal(main.law, C));
  let boot: BootstrapResult | null = null;
  if (o.bootstrap > 0) {
    process.stderr.write(`adomix laws fit: bootstrapping ${o.bootstrap} resamples…\n`);
    const bo = { samples: o.bootstrap, seed: o.seed, budgets };
    boot = main.raw.form === 'chinchilla' ? bootstrapChinchilla(runs, main.raw.fit, bo) : bootstrapKaplan(runs, main.raw.fit, bo);
  }

  if (o.json) {
    process.stdout.write(
      JSON.stringify({
        command: 'laws fit',
        file: path,
        runs: runs.length,
        form: o.form,
        params,
        skill: o.skill ?? null,
        law: main.law,
        fit: main.fit,
        log: main.log ?? null,
        exponents: exponents(main.law),
        optima,
        bootstrap: boot,
        skills: perSkill.map((s) => ({ skill: s.skill, runs: s.fitted.fit.runs, law: s.fitted.law, fit: s.fitted.fit })),
      }) + '\n',
    );
    return;
  }
  let out = `${path}: ${what} · ${o.form} form ${FORMS[o.form]} · N counts ${countingText(params)}\n\n`;
  const ciHead = boot ? `${Math.round(boot.level * 100)}% interval (${boot.samples - boot.failed - boot.unidentifiable} of ${boot.samples} resamples)` : '';
  const rows = lawParams(main.law).map(([label, key, v]) => {
    const ci = boot?.intervals[key];
    return boot ? [label, num(v), ci ? `${num(ci.lo)} – ${num(ci.hi)}` : '—'] : [label, num(v)];
  });
  out += table(boot ? ['param', 'value', ciHead] : ['param', 'value'], rows);
  out += '\n';
  if (main.fit.identifiable) {
    const ex = exponents(main.law);
    out += `compute-optimal under C = 6ND: N_opt ∝ C^${num(ex.N)}, D_opt ∝ C^${num(ex.D)}`;
    const exCi = boot?.intervals.optimalExponentN;
    out += exCi ? ` (N exponent ${num(exCi.lo)} – ${num(exCi.hi)})\n` : '\n';
  }
  out += fitLine(main.fit);
  if (optima.length > 0) {
    out += '\n' + optimaTable(optima, boot);
  }
  if (perSkill.length > 0) {
    out += '\nper skill:\n';
    const head = ['skill', 'runs', ...lawParams(perSkill[0].fitted.law).map(([l]) => l), 'N_opt ∝ C^', 'converged', 'identifiable'];
    out += table(
      head,
      perSkill.map((s) => [
        s.skill,
        String(s.fitted.fit.runs),
        ...lawParams(s.fitted.law).map(([, , v]) => num(v)),
        s.fitted.fit.identifiable ? num(exponents(s.fitted.law).N) : '—',
        s.fitted.fit.converged ? 'yes' : `no (${s.fitted.fit.reason})`,
        s.fitted.fit.identifiable ? 'yes' : 'NO',
      ]),
    );
    for (const s of perSkill.filter((q) => !q.fitted.fit.identifiable)) out += `${s.skill}: not identifiable: ${s.fitted.fit.unidentifiable}\n`;
  }
  process.stdout.write(out);
}

function exponentsValid(law: PlanningLaw): boolean {
  return law.form === 'chinchilla' ? law.alpha > 0 && law.beta > 0 : true;
}

function nonPositiveExponent(law: PlanningLaw): string {
  const which = law.form === 'chinchilla' ? ` (alpha = ${num(law.alpha)}, beta = ${num(law.beta)})` : '';
  return `the law has a non-positive exponent${which}, so loss does not fall with N and D and there is no compute optimum`;
}

function optimaTable(optima: readonly ComputeOptimum[], boot?: BootstrapResult | null): string {
  const head = ['compute (FLOP)', 'N_opt', 'D_opt', 'tokens/param', 'loss'];
  if (boot) head.push(`N_opt ${Math.round(boot.level * 100)}% interval`);
  return table(
    head,
    optima.map((p, i) => {
      const row = [num(p.compute), count(p.N), count(p.D), num(p.tokensPerParam), num(p.loss)];
      const ci = boot?.optimumN[i]?.interval;
      if (boot) row.push(ci ? `${count(ci.lo)} – ${count(ci.hi)}` : '—');
      return row;
    }),
  );
}

async function loadLaw(o: PlanCliOptions): Promise<{ law: PlanningLaw; source: string }> {
  if (o.law !== undefined && o.preset !== undefined) throw new Error('give either --law or --preset, not both');
  if (o.law === undefined) {
    const name = o.preset ?? 'chinchilla';
    const p = lawPreset(name);
    return { law: p.law, source: `preset ${name}: ${p.source}` };
  }
  let text: string;
  try {
    text = await readFile(o.law, 'utf8');
  } catch (err) {
    throw new Error(`cannot read law file ${o.law}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${o.law}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const law = parsePlanningLaw(value, o.law);
  // The JSON of `adomix laws fit --json` says whether its runs determined the law.
  const fit = value !== null && typeof value === 'object' ? (value as { fit?: { identifiable?: unknown; unidentifiable?: unknown } }).fit : undefined;
  if (fit?.identifiable === false) throw notIdentifiable('plan', `the law in ${o.law}`, String(fit.unidentifiable ?? 'its fit says so'));
  return { law, source: `file ${o.law}` };
}

function lawText(law: PlanningLaw): string {
  return law.form === 'chinchilla'
    ? `L(N, D) = ${num(law.E)} + ${num(law.A)}/N^${num(law.alpha)} + ${num(law.B)}/D^${num(law.beta)}`
    : `L(N, D) = [(${num(law.Nc)}/N)^(${num(law.alphaN)}/${num(law.alphaD)}) + ${num(law.Dc)}/D]^${num(law.alphaD)}`;
}

async function runPlan(o: PlanCliOptions): Promise<void> {
  const { law, source } = await loadLaw(o);
  if (!exponentsValid(law)) throw new Error(nonPositiveExponent(law));
  const optima = o.compute.map((C) => computeOptimal(law, C));
  const published = law.form === 'kaplan' ? o.compute.map((C) => kaplanPublishedAllocation(C, law)) : null;
  const ex = exponents(law);
  if (o.json) {
    process.stdout.write(JSON.stringify({ command: 'laws plan', law, source, exponents: ex, optima, published }) + '\n');
    return;
  }
  const counting = lawCounting(law);
  let out = `${source}\n${lawText(law)}, N counts ${countingText(counting)}\n`;
  out += `compute-optimal under C = 6ND: N_opt ∝ C^${num(ex.N)}, D_opt ∝ C^${num(ex.D)}\n\n`;
  out += optimaTable(optima);
  if (published) {
    out +=
      '\nKaplan et al.\'s published allocation (N ≈ 1.3e9·C^0.73, D ≈ 2e10·C^0.27, C in PF-days; not constrained ' +
      'to 6ND = C), loss from the law above:\n';
    out += optimaTable(published);
  }
  if (counting === 'non-embedding') {
    out +=
      '\nN counts non-embedding parameters; at small scale that bends the compute-optimal exponent toward 0.73 ' +
      '(Pearce & Song 2024). Counting all parameters gives ≈ 0.5.\n';
  }
  process.stdout.write(out);
}

async function runSkills(path: string, o: SkillsCliOptions): Promise<void> {
  const t = await readRunsTable(path);
  if (t.skills.length === 0) throw new Error(`${path}: no skill column; \`adomix laws skills\` needs runs with a skill each`);
  let budgets = o.compute;
  let defaultBudgets = false;
  if (!budgets) {
    const maxC = Math.max(...t.runs.map((r) => 6 * r.N * r.D));
    budgets = [maxC, 100 * maxC, 1e4 * maxC];
    defaultBudgets = true;
  }
  let analysis: SkillAnalysis;
  try {
    analysis = analyzeSkills(t.runs, { budgets, aggregate: o.aggregate, tolerance: o.tolerance });
  } catch (err) {
    if (err instanceof UnidentifiableLawError) throw notIdentifiable(err.action, err.subject, err.reason);
    throw err;
  }
  const warn = [analysis.aggregate, ...analysis.skills].filter((s) => !s.fit.converged);
  for (const s of warn) {
    const name = 'skill' in s ? (s as { skill: string }).skill : `aggregate (${analysis.aggregate.name})`;
    process.stderr.write(`adomix laws skills: warning: the fit of ${name} did not converge (${s.fit.reason})\n`);
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(skillsJson(path, analysis)) + '\n');
    return;
  }
  process.stdout.write(skillsText(path, analysis, t.skills.length, defaultBudgets));
}

function skillsJson(path: string, a: SkillAnalysis): unknown {
  const law = (f: { law: { E: number; A: number; B: number; alpha: number; beta: number } }): PlanningLaw => ({ form: 'chinchilla', params: 'total', ...f.law });
  const fitOf = (f: FitSummary): FitSummary => summary(f);
  return {
    command: 'laws skills',
    file: path,
    budgets: a.budgets,
    aggregate: { name: a.aggregate.name, runs: a.aggregate.runs, law: law(a.aggregate.fit), fit: fitOf(a.aggregate.fit), optima: a.aggregate.optima, isoFlop: a.aggregate.isoFlop },
    skills: a.skills.map((s) => ({ skill: s.skill, runs: s.runs, law: law(s.fit), fit: fitOf(s.fit), optima: s.optima, label: s.label, isoFlop: s.isoFlop })),
  };
}

function skillsText(path: string, a: SkillAnalysis, nSkills: number, defaultBudgets: boolean): string {
  const aggName = a.aggregate.name === 'mean' ? `mean loss over ${nSkills} skills` : `skill ${a.aggregate.name}`;
  let out = `${path}: ${a.skills.length} skills, aggregate = ${aggName} (${a.aggregate.runs} runs); Chinchilla form fitted to each\n`;
  if (defaultBudgets) out += 'budgets: the largest run\'s compute ×1, ×100, ×10,000 (set them with --compute)\n';
  out += '\n';
  const lawRow = (name: string, runs: number, f: SkillAnalysis['aggregate']['fit']): string[] => [
    name,
    String(runs),
    num(f.law.E),
    num(f.law.A),
    num(f.law.B),
    num(f.law.alpha),
    num(f.law.beta),
    num(f.law.beta / (f.law.alpha + f.law.beta)),
    f.converged ? 'yes' : 'no',
  ];
  out += table(
    ['', 'runs', 'E', 'A', 'B', 'α', 'β', 'N_opt ∝ C^', 'converged'],
    [lawRow('aggregate', a.aggregate.runs, a.aggregate.fit), ...a.skills.map((s) => lawRow(s.skill, s.runs, s.fit))],
  );
  a.budgets.forEach((C, i) => {
    out += `\nat C = ${num(C)} FLOP:\n`;
    const agg = a.aggregate.optima[i];
    out += table(
      ['', 'N_opt', 'D_opt', 'tokens/param', 'N / N_agg', 'label'],
      [
        ['aggregate', count(agg.N), count(agg.D), num(agg.tokensPerParam), '1', ''],
        ...a.skills.map((s) => {
          const p = s.optima[i];
          return [s.skill, count(p.N), count(p.D), num(p.tokensPerParam), num(p.ratioN, 3), p.label];
        }),
      ],
    );
  });
  out += '\n' + a.skills.map((s) => `${s.skill}: ${s.label}`).join(' · ') + '\n';
  const withIso = [{ name: 'aggregate', iso: a.aggregate.isoFlop }, ...a.skills.map((s) => ({ name: s.skill, iso: s.isoFlop }))].filter(
    (x) => x.iso.frontier !== null,
  );
  if (withIso.length > 0) {
    out += '\nIsoFLOP method (parabola in log N per budget, power law across budgets):\n';
    out += table(
      ['', 'budgets used', 'N* ∝ C^', `N* at ${num(a.budgets[0])} FLOP`],
      withIso.map(({ name, iso }) => [
        name,
        String(iso.frontier!.groups),
        num(iso.frontier!.exponent),
        count(iso.frontier!.coefficient * Math.pow(a.budgets[0], iso.frontier!.exponent)),
      ]),
    );
    out += isoGroupsTable(a.aggregate.isoFlop, a.skills.map((s) => ({ name: s.skill, iso: s.isoFlop })));
  }
  return out;
}

/** N* per IsoFLOP budget (rows) and skill (columns), with the ratio to the aggregate's. */
function isoGroupsTable(agg: IsoFlopAnalysis, skills: { name: string; iso: IsoFlopAnalysis }[]): string {
  const ok = agg.groups.filter((g) => g.status === 'ok');
  if (ok.length === 0) return '';
  const match = (iso: IsoFlopAnalysis, C: number) =>
    iso.groups.find((g) => g.status === 'ok' && Math.abs(Math.log(g.compute / C)) < 0.05);
  const rows = ok.map((g) => [
    num(g.compute),
    count(g.N),
    ...skills.map((s) => {
      const m = match(s.iso, g.compute);
      return m ? `${count(m.N)} (×${num(m.N / g.N, 3)})` : '—';
    }),
  ]);
  return '\n' + table(['budget (FLOP)', 'aggregate N*', ...skills.map((s) => `${s.name} N*`)], rows);
}
