/** `adomix laws plan`: compute-optimal N and D at given budgets, for a preset or a fitted law. */
import { readFile } from 'node:fs/promises';
import { computeOptimal, kaplanPublishedAllocation, lawCounting, lawPreset, parsePlanningLaw, type PlanningLaw } from '../../planning/index.js';
import { num } from '../planningFormat.js';
import { notIdentifiable, exponents, countingText, exponentsValid, nonPositiveExponent, optimaTable } from './fitted.js';

export interface PlanCliOptions {
  compute: number[];
  law?: string;
  preset?: string;
  json?: boolean;
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

export async function runPlan(o: PlanCliOptions): Promise<void> {
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
