import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinchillaLoss, type ChinchillaLaw } from '../../src/planning/chinchillaLaw.js';
import { Rng } from '../../src/random/index.js';
import { adomix, CLI } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'adomix-laws-cli-'));

/** Runs the CLI with --json among args; stderr may carry progress lines only. */
function json(...args: string[]): any {
  const r = adomix(...args);
  expect(r.stderr.split('\n').filter((l) => l !== '' && !/bootstrapping \d+ resamples/.test(l))).toEqual([]);
  expect(r.status).toBe(0);
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout);
}

const EPOCH: ChinchillaLaw = { E: 1.82, A: 482.0, B: 2085.4, alpha: 0.348, beta: 0.366 };
const KNOWLEDGE: ChinchillaLaw = { E: 1.5, A: 900, B: 300, alpha: 0.34, beta: 0.28 };
const CODE: ChinchillaLaw = { E: 0.9, A: 250, B: 1200, alpha: 0.34, beta: 0.3 };
let runsCsv = '';
let skillsCsv = '';
let identicalCsv = '';
let flatSkillCsv = '';
const IDENTICAL_REASON =
  'only 1 distinct N (1e8): A and alpha cannot be determined (the law needs at least 3 distinct N); ' +
  'only 1 distinct D (2e9): B and beta cannot be determined (the law needs at least 3 distinct D); ' +
  'only 1 distinct (N, D) point for 5 parameters';

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.json, or npm test)`);
  const rng = new Rng(7);
  const rows = ['N,D,loss'];
  const skillRows = ['skill,N,D,loss'];
  const flatRows = ['skill,N,D,loss'];
  for (const C of [1e18, 3e18, 1e19, 3e19, 1e20]) {
    for (let k = -4; k <= 4; k++) {
      const N = Math.sqrt(C / 120) * Math.exp(0.35 * k);
      const D = C / (6 * N);
      rows.push(`${N},${D},${chinchillaLoss(EPOCH, N, D) * Math.exp(0.002 * rng.normal())}`);
      skillRows.push(`knowledge,${N},${D},${chinchillaLoss(KNOWLEDGE, N, D)}`, `code,${N},${D},${chinchillaLoss(CODE, N, D)}`);
      flatRows.push(`code,${N},${D},${chinchillaLoss(CODE, N, D)}`, `flat,${N},${D},3.1`);
    }
  }
  runsCsv = join(dir, 'runs.csv');
  skillsCsv = join(dir, 'skills.csv');
  writeFileSync(runsCsv, rows.join('\n') + '\n');
  writeFileSync(skillsCsv, skillRows.join('\n') + '\n');
  identicalCsv = join(dir, 'identical.csv');
  flatSkillCsv = join(dir, 'flat-skill.csv');
  writeFileSync(identicalCsv, 'N,D,loss\n' + '1e8,2e9,3.1\n'.repeat(6));
  writeFileSync(flatSkillCsv, flatRows.join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('adomix laws plan', () => {
  it('chinchilla preset: N_opt ≈ 40.4e9, D_opt ≈ 2.38e12 at 5.76e23 FLOP', () => {
    const out = json('laws', 'plan', '--compute', '5.76e23', '--json');
    expect(out.command).toBe('laws plan');
    expect(out.optima).toHaveLength(1);
    expect(out.optima[0].N / 40.4e9).toBeCloseTo(1, 2);
    expect(out.optima[0].D / 2.38e12).toBeCloseTo(1, 2);
    expect(out.published).toBeNull();
  });

  it('rounded preset ≈ 32.2e9; several budgets', () => {
    const out = json('laws', 'plan', '--preset', 'chinchilla-rounded', '--compute', '5.76e23,1e21', '--json');
    expect(out.optima.map((o: { compute: number }) => o.compute)).toEqual([5.76e23, 1e21]);
    expect(out.optima[0].N / 32.2e9).toBeCloseTo(1, 2);
  });

  it('kaplan preset also shows the published allocation', () => {
    const out = json('laws', 'plan', '--preset', 'kaplan', '--compute', '8.64e19', '--json');
    expect(out.published[0].N).toBeCloseTo(1.3e9, -3);
    expect(out.optima[0].method).toBe('kaplan-joint-6nd');
    const table = adomix('laws', 'plan', '--preset', 'kaplan', '--compute', '8.64e19');
    expect(table.stdout).toContain("Kaplan et al.'s published allocation");
    expect(table.stdout).toContain('Pearce & Song');
  });

  it('prints a readable table', () => {
    const r = adomix('laws', 'plan', '--compute', '5.76e23');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('compute (FLOP)   N_opt   D_opt  tokens/param   loss');
    expect(r.stdout).toContain('5.760e+23       40.36B  2.379T         58.93  1.918');
  });

  it('rejects bad arguments', () => {
    const r = adomix('laws', 'plan', '--compute', 'lots');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('It must be a positive number');
    const both = adomix('laws', 'plan', '--compute', '1e21', '--preset', 'epoch', '--law', 'x.json');
    expect(both.status).toBe(1);
    expect(both.stderr).toBe('adomix: give either --law or --preset, not both\n');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"form":"chinchilla","E":1}');
    expect(adomix('laws', 'plan', '--compute', '1e21', '--law', bad).stderr).toBe(`adomix: ${bad}: A must be a finite number, got undefined\n`);
  });
});

describe('adomix laws fit', () => {
  it('recovers the law from runs and round-trips into plan --law', () => {
    const out = json('laws', 'fit', runsCsv, '--json', '--compute', '1e21');
    expect(out.command).toBe('laws fit');
    expect(out.runs).toBe(45);
    expect(out.form).toBe('chinchilla');
    expect(out.params).toBe('total');
    expect(out.fit.converged).toBe(true);
    expect(out.fit.starts).toBe(4500);
    expect(out.law.alpha).toBeCloseTo(EPOCH.alpha, 1);
    expect(out.law.beta).toBeCloseTo(EPOCH.beta, 1);
    expect(out.law.E).toBeCloseTo(EPOCH.E, 1);
    expect(out.optima[0].compute).toBe(1e21);
    const lawFile = join(dir, 'law.json');
    writeFileSync(lawFile, JSON.stringify(out));
    const plan = json('laws', 'plan', '--compute', '1e21', '--law', lawFile, '--json');
    expect(plan.optima[0].N).toBeCloseTo(out.optima[0].N, 0);
  });

  it('fits the Kaplan form, with bootstrap intervals', () => {
    const out = json('laws', 'fit', runsCsv, '--form', 'kaplan', '--bootstrap', '20', '--seed', '3', '--json');
    expect(out.params).toBe('non-embedding');
    expect(out.law.form).toBe('kaplan');
    expect(out.bootstrap.samples).toBe(20);
    expect(out.bootstrap.intervals.alphaN.lo).toBeLessThanOrEqual(out.law.alphaN);
    expect(out.bootstrap.intervals.alphaN.hi).toBeGreaterThanOrEqual(out.law.alphaN);
  });

  it('prints a table with the convergence verdict', () => {
    const r = adomix('laws', 'fit', runsCsv);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`${runsCsv}: 45 runs · chinchilla form L(N, D) = E + A/N^α + B/D^β · N counts total parameters`);
    expect(r.stdout).toMatch(/fit: summed Huber \(δ = 1e-3\) \S+ · converged/);
  });

  it('fits every skill and the mean when the table has skills', () => {
    const out = json('laws', 'fit', skillsCsv, '--json');
    expect(out.skills.map((s: { skill: string }) => s.skill)).toEqual(['knowledge', 'code']);
    expect(out.skills[0].law.A).toBeCloseTo(900, -1);
    const one = json('laws', 'fit', skillsCsv, '--skill', 'code', '--json');
    expect(one.law.B).toBeCloseTo(1200, -1);
    expect(one.skills).toEqual([]);
  });

  it('bad tables get line-and-column errors', () => {
    const p = join(dir, 'bad.csv');
    writeFileSync(p, 'N,D,loss\n1e8,1e9,3.0\n2e8,abc,2.9\n');
    const r = adomix('laws', 'fit', p);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`adomix: ${p}:3:2: D must be a positive number, got "abc"\n`);
  });
});

describe('adomix laws fit: runs that do not determine the law', () => {
  it('six identical runs: --compute refuses to plan, naming why, and prints no plan', () => {
    const r = adomix('laws', 'fit', identicalCsv, '--compute', '1e21');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`adomix: cannot plan: the fitted law is not identifiable: ${IDENTICAL_REASON}\n`);
    const j = adomix('laws', 'fit', identicalCsv, '--compute', '1e21', '--json');
    expect(j.status).toBe(1);
    expect(j.stdout).toBe('');
  });

  it('without --compute the fit is printed but flagged, not "converged"', () => {
    const r = adomix('laws', 'fit', identicalCsv);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/· converged/);
    expect(r.stdout).not.toContain('compute-optimal');
    expect(r.stdout).toMatch(/fit: summed Huber \(δ = 1e-3\) \S+ · NOT IDENTIFIABLE \(the optimiser stopped at a zero gradient/);
    expect(r.stdout).toContain(`not identifiable: ${IDENTICAL_REASON}; the law above is one of many that fit the runs equally well`);
    expect(r.stderr).toBe(`adomix laws fit: warning: the fitted law is not identifiable: ${IDENTICAL_REASON}\n`);
  });

  it('--json carries the verdict next to the optimiser\'s, and plan --law refuses that JSON', () => {
    const r = adomix('laws', 'fit', identicalCsv, '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.fit.converged).toBe(true);
    expect(out.fit.identifiable).toBe(false);
    expect(out.fit.unidentifiable).toBe(IDENTICAL_REASON);
    expect(out.fit.condition).toBeNull(); // Infinity: the Hessian is singular
    expect(out.optima).toEqual([]);
    const lawFile = join(dir, 'identical-law.json');
    writeFileSync(lawFile, r.stdout);
    const plan = adomix('laws', 'plan', '--compute', '1e21', '--law', lawFile);
    expect(plan.status).toBe(1);
    expect(plan.stdout).toBe('');
    expect(plan.stderr).toBe(`adomix: cannot plan: the law in ${lawFile} is not identifiable: ${IDENTICAL_REASON}\n`);
  });

  it('--bootstrap refuses to pretend intervals; the Kaplan form refuses too', () => {
    const b = adomix('laws', 'fit', identicalCsv, '--bootstrap', '5');
    expect(b.status).toBe(1);
    expect(b.stdout).toBe('');
    expect(b.stderr).toBe(`adomix: cannot bootstrap: the fitted law is not identifiable: ${IDENTICAL_REASON}\n`);
    const k = adomix('laws', 'fit', identicalCsv, '--form', 'kaplan', '--compute', '1e21');
    expect(k.status).toBe(1);
    expect(k.stdout).toBe('');
    expect(k.stderr).toBe(
      'adomix: cannot plan: the fitted law is not identifiable: only 1 distinct N (1e8): Nc and alphaN cannot be determined ' +
        '(the law needs at least 2 distinct N); only 1 distinct (N, D) point for 4 parameters\n',
    );
  });

  it('plan names the exponents of a law whose loss does not fall with N', () => {
    const lawFile = join(dir, 'rising.json');
    writeFileSync(lawFile, '{"form":"chinchilla","E":1.7,"A":400,"B":400,"alpha":-0.1,"beta":0.3}');
    const r = adomix('laws', 'plan', '--compute', '1e21', '--law', lawFile);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^adomix: the law has a non-positive exponent \(alpha = -0\.1\d*, beta = 0\.3\d*\), so loss does not fall with N and D/);
  });

  it('a well-posed table is identifiable', () => {
    const out = json('laws', 'fit', runsCsv, '--json');
    expect(out.fit.identifiable).toBe(true);
    expect(out.fit.unidentifiable).toBeUndefined();
    expect(out.fit.condition).toBeGreaterThan(1);
    expect(out.fit.condition).toBeLessThan(1e5);
  });

  it('skills: a skill with a flat loss is flagged by laws fit and stops laws skills', () => {
    const f = adomix('laws', 'fit', flatSkillCsv);
    expect(f.status).toBe(0);
    expect(f.stderr).toMatch(/^adomix laws fit: warning: the fitted law of skill flat is not identifiable: the Hessian of the objective is (near-)?singular/);
    expect(f.stdout).toMatch(/\nflat: not identifiable: the Hessian of the objective is (near-)?singular at the optimum/);
    const s = adomix('laws', 'skills', flatSkillCsv, '--compute', '1e21');
    expect(s.status).toBe(1);
    expect(s.stdout).toBe('');
    expect(s.stderr).toMatch(/^adomix: cannot plan: the fitted law of skill "flat" is not identifiable: the Hessian of the objective is (near-)?singular at the optimum \(.+\): parameters [A-Za-z, ]+ are not determined by the data\n$/);
  });
});

describe('adomix laws skills', () => {
  it('labels skills capacity- or data-hungry', () => {
    const out = json('laws', 'skills', skillsCsv, '--compute', '1e21', '--json');
    expect(out.budgets).toEqual([1e21]);
    const label = Object.fromEntries(out.skills.map((s: { skill: string; label: string }) => [s.skill, s.label]));
    expect(label).toEqual({ knowledge: 'capacity-hungry', code: 'data-hungry' });
    expect(out.aggregate.name).toBe('mean');
    expect(out.aggregate.isoFlop.groups).toHaveLength(5);
  });

  it('prints tables, IsoFLOP included', () => {
    const r = adomix('laws', 'skills', skillsCsv);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('knowledge: capacity-hungry · code: data-hungry');
    expect(r.stdout).toContain('IsoFLOP method');
  });

  it('needs a skill column', () => {
    const r = adomix('laws', 'skills', runsCsv);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no skill column');
  });
});
