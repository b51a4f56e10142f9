/** `adomix laws skills RUNS`: skill-wise compute-optimal points and how far apart they are. */
import { analyzeSkills, type IsoFlopAnalysis, type PlanningLaw, type SkillAnalysis, UnidentifiableLawError } from '../../planning/index.js';
import { readRunsTable } from '../../runlog/index.js';
import { count, num, table } from '../planningFormat.js';
import { type FitSummary, summary, notIdentifiable } from './fitted.js';

export interface SkillsCliOptions {
  compute?: number[];
  aggregate?: string;
  tolerance: number;
  json?: boolean;
}

export async function runSkills(path: string, o: SkillsCliOptions): Promise<void> {
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
