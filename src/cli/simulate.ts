/**
 * `adomix simulate --scenario NAME|--spec FILE --policy P [--steps N] [--seed N] [--out DIR]`:
 * run a mixture policy against the true learning curves of a scenario (src/sim), write the
 * step log, sim.json (truth and oracle) and report.html into the run directory, and print
 * how the policy did against the natural mixture and the oracle.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { integerOption, seedOption } from './options.js';
import { AdoPolicy } from '../mixing/index.js';
import { MAX_SEED } from '../random/index.js';
import { writeRunReport, SIM_INFO_FORMAT, SIM_INFO_NAME, type SimInfo } from '../report/index.js';
import { assertNotAnInput, StepLogWriter, writeFileAtomic, type StepLogParams } from '../runlog/index.js';
import {
  createSimPolicy,
  getScenario,
  parseScenarioJson,
  scenarioNames,
  scenarioSpecOf,
  scheduleOracle,
  simulate,
  SIM_POLICIES,
  staticOracle,
  type Scenario,
} from '../sim/index.js';

interface SimulateCliOptions {
  scenario?: string;
  spec?: string;
  policy: string;
  steps?: number;
  batchSize?: number;
  seed: number;
  out?: string;
  report: boolean;
  json?: boolean;
  list?: boolean;
  printSpec?: boolean;
}

export function register(program: Command): void {
  program
    .command('simulate')
    .summary('run a mixture policy against known true learning curves, with the oracle')
    .description(
      [
        'Simulate a training run whose domains follow known learning curves L = ε + β·(m + n0)^(−α) in the ' +
          'examples m they have learned from (with transfer between domains, repeated data counting less ' +
          '(Muennighoff et al. 2023) or running out, and multiplicative noise). Each step the policy gives ' +
          'weights, a seeded multinomial draw picks the batch, the curves advance, and the policy observes ' +
          'the noisy per-domain losses.',
        'Writes <out>/steplog.jsonl, <out>/sim.json (true final losses and the oracle) and <out>/report.html, ' +
          'and prints each domain\'s weights and true loss next to the oracle\'s. The oracle is the best static ' +
          'mixture for the budget (projected gradient on the true curves); its greedy schedule is shown too.',
        `Built-in scenarios: ${scenarioNames().join(', ')} (--list describes them). --spec FILE takes a JSON ` +
          'scenario (see docs/cli.md; --scenario NAME --print-spec prints a built-in one as a starting point).',
        'With --json, prints one JSON object: {"scenario","policy","seed","steps","batchSize","objective",' +
          '"natural","oracle","oracleSchedule","gapClosed","out","domains":[{"name","prior","meanWeight",' +
          '"finalWeight","oracleWeight","examples","trueLoss","oracleLoss","exhaustedAt"}]}.',
      ].join('\n\n'),
    )
    .addOption(new Option('--scenario <name>', 'a built-in scenario').conflicts('spec'))
    .option('--spec <file>', 'a scenario in JSON')
    .addOption(new Option('--policy <policy>', 'the mixture policy').choices([...SIM_POLICIES]).default('ado'))
    .addOption(new Option('--steps <n>', "steps to run (default: the scenario's)").argParser(integerOption(1)))
    .addOption(new Option('--batch-size <n>', "examples per step (default: the scenario's)").argParser(integerOption(1)))
    .addOption(new Option('--seed <n>', `random seed (batch draws and noise; 0 … ${MAX_SEED})`).argParser(seedOption).default(0))
    .option('--out <dir>', 'run directory (default runs/sim-<scenario>-<policy>-seed<seed>)')
    .option('--no-report', 'do not write report.html')
    .option('--list', 'list the built-in scenarios and exit')
    .option('--print-spec', 'print the JSON spec of --scenario and exit')
    .option('--json', 'print one JSON object instead of tables')
    .action(async (options: SimulateCliOptions) => {
      await runSimulate(options);
    });
}

async function loadScenario(options: SimulateCliOptions): Promise<Scenario> {
  if (options.spec !== undefined) {
    let text: string;
    try {
      text = await readFile(options.spec, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the spec ${options.spec}: ${(err as Error).message}`);
    }
    return parseScenarioJson(text, options.spec);
  }
  if (options.scenario === undefined) throw new Error(`give --scenario NAME (one of ${scenarioNames().join(', ')}) or --spec FILE`);
  return getScenario(options.scenario);
}

async function runSimulate(options: SimulateCliOptions): Promise<void> {
  if (options.list) {
    for (const name of scenarioNames()) {
      const s = getScenario(name);
      process.stdout.write(`${name} (${s.domains.length} domains, ${s.steps} steps × ${s.batchSize})\n  ${s.description}\n`);
    }
    return;
  }
  if (options.printSpec) {
    if (options.scenario === undefined) throw new Error('--print-spec needs --scenario NAME');
    process.stdout.write(JSON.stringify(scenarioSpecOf(options.scenario), null, 2) + '\n');
    return;
  }
  const scenario = await loadScenario(options);
  const steps = options.steps ?? scenario.steps;
  const batchSize = options.batchSize ?? scenario.batchSize;
  const budget = { steps, batchSize };
  const oracle = staticOracle(scenario, budget); // also rejects a budget larger than the data
  const schedule = scheduleOracle(scenario, budget);
  const out = options.out ?? join('runs', `sim-${scenario.name}-${options.policy}-seed${options.seed}`);
  if (options.spec !== undefined) {
    const outputs = ['steplog.jsonl', SIM_INFO_NAME, 'report.html'].map((name) => ({ path: join(out, name), what: `the run's ${name}` }));
    assertNotAnInput(outputs, [{ path: options.spec, what: '--spec' }]);
  }
  await mkdir(out, { recursive: true });
  const names = scenario.domains.map((d) => d.name);
  const K = names.length;

  const policy = createSimPolicy(options.policy, scenario, budget);
  const ado = policy instanceof AdoPolicy ? policy : undefined;
  const writer = StepLogWriter.open(join(out, 'steplog.jsonl'), {
    domains: names,
    prior: scenario.domains.map((d) => d.prior),
    unit: 'examples',
  });
  const tick = Math.max(1, Math.floor(steps / 100));
  const showProgress = !options.json && process.stderr.isTTY === true;
  let lawsVersion = 0;
  let result;
  try {
    result = simulate(scenario, policy, {
      ...budget,
      seed: options.seed,
      onStep: (st) => {
        let params: (StepLogParams | null)[] | undefined;
        if (ado && ado.lawsVersion !== lawsVersion) {
          lawsVersion = ado.lawsVersion;
          params = ado.laws();
        }
        writer.append({ step: st.step, loss: st.loss, count: st.count, weights: st.weights, evalLoss: st.evalLoss, params });
        if (showProgress && (st.step + 1) % tick === 0) process.stderr.write(`\rsimulate: step ${st.step + 1}/${steps}`);
      },
    });
    await writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  } finally {
    await policy.close();
  }
  if (showProgress) process.stderr.write('\n');

  // The natural mixture on the same seed, for the gap the policy closed.
  let natural = result.objective;
  if (options.policy !== 'natural') {
    const p = createSimPolicy('natural', scenario, budget);
    natural = simulate(scenario, p, { ...budget, seed: options.seed, evalEvery: 0 }).objective;
    await p.close();
  }
  const gap = natural - oracle.objective;
  const gapClosed = gap / natural > 1e-4 ? (natural - result.objective) / gap : null;

  const info: SimInfo = {
    adomix: SIM_INFO_FORMAT,
    scenario: scenario.name,
    description: scenario.description,
    policy: options.policy,
    seed: options.seed,
    steps: result.steps,
    batchSize,
    objective: result.objective,
    natural: { objective: natural },
    oracle: { objective: oracle.objective, schedule: { objective: schedule.objective, meanOverRun: schedule.meanOverRun } },
    domains: names.map((name, k) => ({
      name,
      prior: scenario.domains[k].prior,
      meanWeight: result.meanWeights[k],
      examples: result.counts[k],
      finalLoss: result.finalLoss[k],
      oracleWeight: oracle.weights[k],
      oracleLoss: oracle.losses[k],
      exhaustedAt: result.exhaustedAt[k],
    })),
  };
  await writeFileAtomic(join(out, SIM_INFO_NAME), JSON.stringify(info, null, 2) + '\n');
  let reportPath: string | null = null;
  if (options.report) reportPath = await writeRunReport(out, ado ? { countMode: ado.settings.countMode } : {});

  const domains = names.map((name, k) => ({
    name,
    prior: scenario.domains[k].prior,
    meanWeight: result.meanWeights[k],
    finalWeight: result.finalWeights[k],
    oracleWeight: oracle.weights[k],
    examples: result.counts[k],
    trueLoss: result.finalLoss[k],
    oracleLoss: oracle.losses[k],
    exhaustedAt: result.exhaustedAt[k],
  }));
  if (options.json) {
    process.stdout.write(
      JSON.stringify({
        scenario: scenario.name,
        policy: options.policy,
        seed: options.seed,
        steps: result.steps,
        batchSize,
        objective: result.objective,
        natural,
        oracle: oracle.objective,
        oracleSchedule: schedule.objective,
        gapClosed,
        out,
        report: reportPath,
        domains,
      }) + '\n',
    );
    return;
  }
  const head = ['domain', 'prior', 'mean w', 'final w', 'oracle w', 'examples', 'true loss', 'oracle loss'];
  const rows = domains.map((d) => [
    d.name + (d.exhaustedAt !== null ? ` (ran out at ${d.exhaustedAt})` : ''),
    d.prior.toFixed(3),
    d.meanWeight.toFixed(3),
    d.finalWeight.toFixed(3),
    d.oracleWeight.toFixed(3),
    Math.round(d.examples).toLocaleString('en-US'),
    d.trueLoss.toFixed(4),
    d.oracleLoss.toFixed(4),
  ]);
  const width = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (c: string[]): string => c.map((v, j) => (j === 0 ? v.padEnd(width[j]) : v.padStart(width[j]))).join('  ');
  process.stdout.write(
    `scenario ${scenario.name}: ${K} domains, ${result.steps} steps × ${batchSize} examples, policy ${options.policy}, seed ${options.seed}` +
      `${result.stoppedEarly ? ' (stopped early: every domain ran out of data)' : ''}\n\n` +
      [line(head), ...rows.map(line)].join('\n') +
      '\n\nmean true loss over domains at the end (lower is better):\n' +
      `  ${options.policy.padEnd(24)} ${result.objective.toFixed(4)}\n` +
      `  ${'natural'.padEnd(24)} ${natural.toFixed(4)}\n` +
      `  ${'oracle (static mixture)'.padEnd(24)} ${oracle.objective.toFixed(4)}\n` +
      `  ${'oracle (greedy schedule)'.padEnd(24)} ${schedule.objective.toFixed(4)}\n` +
      (gapClosed !== null ? `  gap to the oracle closed: ${(100 * gapClosed).toFixed(1)}% of (natural − oracle)\n` : '') +
      `\nwrote ${join(out, 'steplog.jsonl')}, ${join(out, SIM_INFO_NAME)}${reportPath ? `, ${reportPath}` : ''}\n`,
  );
}
