/**
 * `npm run bench -- quality-sim [--json] [--steps N] [--seeds N] [--scenarios a,b]`
 *
 * Every scenario of the simulator's suite; policies natural, balanced, ODM, ADO with the
 * authors' reference preset and ADO with adomix's defaults; 3 seeds each; against the
 * oracle (the best static mixture for the budget, computed from the true curves — in this
 * simulator also the best end-of-budget value any schedule can reach). Objective: the mean
 * true loss over domains at the end of the budget (lower is better), averaged over seeds.
 *
 * gapClosed[p] = mean over scenarios of (natural − p)/(natural − oracle); scenarios whose
 * natural mixture is already within 1e-4 (relative) of the oracle are left out of the mean.
 *
 * Data budgets (issue 16) are reported apart, in `budgets`: on the scenarios of
 * BUDGET_SCENARIOS (left out of the suite above unless named with --scenarios, so the
 * aggregate stays comparable with earlier runs) ADO with its defaults, without and with a
 * data budget (each domain's size, at most 4 or 8 epochs, the run's planned end), against
 * natural and the oracle, with the gap each closes.
 *
 * Last line: {"bench":"quality-sim","steps":…,"batch":…,"seeds":3,"scenarios":{NAME:{"oracle":…,
 * "natural":…,"balanced":…,"odm":…,"adoReference":…,"ado":…}},"gapClosed":{"ado":…,"adoReference":…,"odm":…},…}
 */
import type { BenchArgs } from './run.js';
import { adoScheduleSettings } from '../src/train/trainConfig.js';
import {
  createSimPolicy,
  getScenario,
  scenarioNames,
  scheduleOracle,
  simulate,
  staticOracle,
  type SimPolicyOptions,
} from '../src/sim/index.js';

interface BenchPolicy {
  key: string;
  policy: string;
  options?: SimPolicyOptions;
}
const POLICIES: BenchPolicy[] = [
  { key: 'natural', policy: 'natural' },
  { key: 'balanced', policy: 'balanced' },
  { key: 'odm', policy: 'odm' },
  { key: 'adoReference', policy: 'ado-reference' },
  { key: 'ado', policy: 'ado' },
];
/**
 * Diagnostics (on unless --diagnostics false): ADO's defaults with one of the three choices
 * that set its weighting inside ρ put back to the reference's, to show what each is worth:
 * importance τ = the natural prior μ (`target: 'prior'`), the h^s credit term with s = 0.5,
 * and the exponent floor max(α, 0.05); then the start, count mode, credit exponent and
 * capacity σ (0: the credit alone, 0.5) changed one at a time.
 */
const DIAGNOSTICS: BenchPolicy[] = [
  { key: 'adoTargetPrior', policy: 'ado', options: { ado: { target: 'prior' } } },
  { key: 'adoS05', policy: 'ado', options: { ado: { s: 0.5 } } },
  { key: 'adoMinExponent005', policy: 'ado', options: { ado: { minExponent: 0.05 } } },
  { key: 'adoInitialPrior', policy: 'ado', options: { ado: { initialMixture: 'prior' } } },
  { key: 'adoPerDomain', policy: 'ado', options: { ado: { countMode: 'per-domain' } } },
  { key: 'adoPerDomainS1', policy: 'ado', options: { ado: { countMode: 'per-domain', s: 1 } } },
  { key: 'adoCredit05', policy: 'ado', options: { ado: { creditExponent: 0.5 } } },
  { key: 'adoCredit025', policy: 'ado', options: { ado: { creditExponent: 0.25 } } },
  { key: 'adoCapacity0', policy: 'ado', options: { ado: { capacity: 0 } } },
  { key: 'adoCapacity05', policy: 'ado', options: { ado: { capacity: 0.5 } } },
];

const r6 = (x: number): number => Number(x.toFixed(6));

/**
 * Scenarios calibrated to `adomix train` runs: ADO runs there on adomix train's schedule for
 * the budget (adoScheduleSettings: first refit at a tenth of the run, then every twentieth), as
 * it did in the real runs, not on the library defaults made for 20,000-step runs.
 */
const TRAIN_RUN_SCENARIOS = new Set(['real-text', 'real-text-capacity']);

/** Scenarios where a data budget matters: reported in `budgets`, not in the suite's gapClosed. */
const BUDGET_SCENARIOS = ['over-repeated'];
const BUDGET_POLICIES: BenchPolicy[] = [
  { key: 'natural', policy: 'natural' },
  { key: 'ado', policy: 'ado' },
  { key: 'adoBudget4', policy: 'ado', options: { budget: { maxEpochs: 4 } } },
  { key: 'adoBudget8', policy: 'ado', options: { budget: { maxEpochs: 8 } } },
];

export async function run(args: BenchArgs): Promise<void> {
  const seeds = Number(args.options.seeds ?? 3);
  const stepsOpt = args.options.steps !== undefined ? Number(args.options.steps) : undefined;
  const names = args.options.scenarios ? args.options.scenarios.split(',') : scenarioNames().filter((n) => !BUDGET_SCENARIOS.includes(n));
  const policies = args.options.diagnostics === 'false' ? POLICIES : [...POLICIES, ...DIAGNOSTICS];
  const log = (s: string): void => {
    process.stderr.write(s + '\n');
  };
  const t0 = performance.now();
  const scenarios: Record<string, Record<string, number>> = {};
  const worstVsNatural: Record<string, { scenario: string; relative: number }> = {};
  const closedPer: Record<string, Record<string, number | null>> = {};
  const timing: Record<string, number> = {};

  for (const name of names) {
    const scenario = getScenario(name);
    const steps = stepsOpt ?? scenario.steps;
    const budget = { steps, batchSize: scenario.batchSize };
    const oracle = staticOracle(scenario, budget);
    const schedule = scheduleOracle(scenario, budget);
    const row: Record<string, number> = { oracle: r6(oracle.objective), oracleSchedule: r6(schedule.objective) };
    for (const { key, policy: policyName, options } of policies) {
      let sum = 0;
      const tp = performance.now();
      for (let seed = 1; seed <= seeds; seed++) {
        const ado = TRAIN_RUN_SCENARIOS.has(name) ? { ...adoScheduleSettings(steps, {}), ...options?.ado } : options?.ado;
        const policy = createSimPolicy(policyName, scenario, { ...budget, ...options, ado });
        try {
          sum += simulate(scenario, policy, { steps, seed }).objective;
        } finally {
          await policy.close();
        }
      }
      timing[key] = (timing[key] ?? 0) + (performance.now() - tp) / 1000;
      row[key] = r6(sum / seeds);
    }
    scenarios[name] = row;
    const gap = row.natural - row.oracle;
    closedPer[name] = {};
    for (const { key } of policies) {
      if (key === 'natural') continue;
      closedPer[name][key] = gap / row.natural > 1e-4 ? r6((row.natural - row[key]) / gap) : null;
      const rel = (row[key] - row.natural) / row.natural;
      if (!worstVsNatural[key] || rel > worstVsNatural[key].relative) worstVsNatural[key] = { scenario: name, relative: r6(rel) };
    }
    log(
      `${name.padEnd(13)} oracle ${row.oracle.toFixed(4)}  natural ${row.natural.toFixed(4)}  balanced ${row.balanced.toFixed(4)}  ` +
        `odm ${row.odm.toFixed(4)}  adoRef ${row.adoReference.toFixed(4)}  ado ${row.ado.toFixed(4)}  ` +
        `closed: ${Object.entries(closedPer[name]).map(([k, v]) => `${k} ${fmtClosed(v)}`).join(' ')}`,
    );
  }

  const budgets = args.options.budgets === 'false' ? undefined : await budgetRows(seeds, stepsOpt, log);

  const gapClosed: Record<string, number> = {};
  for (const { key } of policies) {
    if (key === 'natural') continue;
    const v = names.map((n) => closedPer[n][key]).filter((x): x is number => x !== null);
    gapClosed[key] = r6(v.reduce((a, b) => a + b, 0) / Math.max(1, v.length));
  }
  const seconds = (performance.now() - t0) / 1000;
  log(`gap closed (mean over scenarios): ${Object.entries(gapClosed).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  log(`worst vs natural (relative, + = worse): ${Object.entries(worstVsNatural).map(([k, v]) => `${k} ${(100 * v.relative).toFixed(2)}% (${v.scenario})`).join(', ')}`);
  log(`total ${seconds.toFixed(1)} s; per policy ${Object.entries(timing).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}`);
  const result = {
    bench: 'quality-sim',
    steps: stepsOpt ?? 'scenario default (20000)',
    seeds,
    scenarios,
    gapClosed,
    gapClosedPerScenario: closedPer,
    worstVsNatural,
    budgets,
    // The targets for ADO with its defaults (issue 13): close 0.9 of the gap on the mean, never
    // more than 0.5 % worse than natural in any scenario.
    target: {
      adoGapClosedAtLeast09: gapClosed.ado >= 0.9,
      adoNeverWorseThanNaturalBy05pct: worstVsNatural.ado.relative <= 0.005,
    },
    seconds: r6(seconds),
  };
  if (args.json) process.stdout.write(JSON.stringify(result) + '\n');
  else process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

/** The `budgets` section: per budget scenario, the objective and gap closed of each BUDGET_POLICIES entry. */
async function budgetRows(seeds: number, stepsOpt: number | undefined, log: (s: string) => void) {
  const out: Record<string, { objective: Record<string, number>; gapClosed: Record<string, number>; epochsOfFirst: Record<string, number> }> = {};
  for (const name of BUDGET_SCENARIOS) {
    const scenario = getScenario(name);
    const steps = stepsOpt ?? scenario.steps;
    const budget = { steps, batchSize: scenario.batchSize };
    const oracle = staticOracle(scenario, budget);
    const objective: Record<string, number> = { oracle: r6(oracle.objective) };
    // Epochs drawn of the scenario's first (the budgeted, small) domain, mean over seeds.
    const epochsOfFirst: Record<string, number> = { oracle: r6((oracle.weights[0] * steps * scenario.batchSize) / scenario.domains[0].size) };
    for (const { key, policy: policyName, options } of BUDGET_POLICIES) {
      let sum = 0;
      let drawn = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        const policy = createSimPolicy(policyName, scenario, { ...budget, ...options });
        try {
          const r = simulate(scenario, policy, { steps, seed });
          sum += r.objective;
          drawn += r.counts[0];
        } finally {
          await policy.close();
        }
      }
      objective[key] = r6(sum / seeds);
      epochsOfFirst[key] = r6(drawn / seeds / scenario.domains[0].size);
    }
    const gap = objective.natural - objective.oracle;
    const gapClosed: Record<string, number> = {};
    for (const { key } of BUDGET_POLICIES) if (key !== 'natural') gapClosed[key] = r6((objective.natural - objective[key]) / gap);
    out[name] = { objective, gapClosed, epochsOfFirst };
    log(
      `budgets ${name}: ${Object.entries(objective).map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ')}  ` +
        `closed: ${Object.entries(gapClosed).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(' ')}  ` +
        `epochs of ${scenario.domains[0].name}: ${Object.entries(epochsOfFirst).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(' ')}`,
    );
  }
  return out;
}

function fmtClosed(x: number | null | undefined): string {
  return x === null || x === undefined ? 'n/a' : x.toFixed(2);
}
