/** `adomix laws fit RUNS`: fit L(N, D) to a table of runs, optionally plan with it or bootstrap it. */
import { bootstrapChinchilla, bootstrapKaplan, computeOptimal, meanOverSkills, type BootstrapResult, type ParamCounting, type ScalingRun } from '../../planning/index.js';
import { readRunsTable } from '../../runlog/index.js';
import { num, table } from '../planningFormat.js';
import { type Form, type FittedLaw, FORMS, fitLaw, notIdentifiable, exponents, lawParams, countingText, fitLine, exponentsValid, nonPositiveExponent, optimaTable } from './fitted.js';

export interface FitCliOptions {
  form: Form;
  params?: ParamCounting;
  bootstrap: number;
  seed: number;
  skill?: string;
  compute?: number[];
  json?: boolean;
}

export async function runFit(path: string, o: FitCliOptions): Promise<void> {
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
