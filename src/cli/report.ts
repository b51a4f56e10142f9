/**
 * `adomix report <run dir or steplog> [--out report.html] [--svg DIR]`: one self-contained
 * HTML report of a run (charts rendered to SVG through Vega-Lite, a summary table), and
 * optionally each chart as its own SVG file. Thin: src/report does the work.
 */
import { Command, Option } from 'commander';
import { integerOption } from './options.js';
import type { CountMode } from '../curves/index.js';
import { writeReport } from '../report/index.js';
import { replayWeights, type ReplayPolicyName } from '../replay/index.js';
import type { ImportOptions } from '../import/index.js';
import type { StepLog, StepLogParams } from '../runlog/index.js';
import { addImportOptions, describeInput, importOptionsOf, type ImportCliOptions } from './importOptions.js';

interface ReportCliOptions extends ImportCliOptions {
  out?: string;
  svg?: string;
  countMode: CountMode;
  laws: 'auto' | 'log' | 'fit';
  ignoreSteps?: number;
  maxPoints: number;
  title?: string;
  skipBad?: boolean;
  json?: boolean;
  replay?: ReplayPolicyName;
  startStep?: number;
  refitInterval?: number;
}

/**
 * The log with the weights (and laws) a replay through `policy` gives each step, in place of
 * its own: what that policy would have done on this run.
 */
function replayed(o: ReportCliOptions, read: ImportOptions): (path: string, log: StepLog) => Promise<StepLog> {
  return async (path, log) => {
    const byStep = new Map<number, { drawn: Float64Array; laws?: (StepLogParams | null)[] }>();
    const policy = o.replay!;
    const ado = policy === 'ado' ? { startStep: o.startStep, refitInterval: o.refitInterval, ignoreSteps: o.ignoreSteps } : {};
    await replayWeights(path, { policy, ...ado, import: read, skipBad: o.skipBad === true }, (r, drawn, laws) => byStep.set(r.step, { drawn, laws }));
    const records = log.records.flatMap((r) => {
      const v = byStep.get(r.step);
      if (v === undefined) return []; // a step the policy rejected (with --skip-bad)
      const { params: _logged, ...rest } = r;
      return [{ ...rest, weights: Array.from(v.drawn), ...(v.laws ? { params: v.laws } : {}) }];
    });
    return { ...log, records };
  };
}

export function register(program: Command): void {
  const report = program
    .command('report')
    .summary('write an HTML report (charts and a summary) of a run')
    .description(
      [
        'Write one self-contained HTML file (inline SVG charts, no scripts, no network) for a run: the ' +
          'mixture weights over time (stacked), each domain\'s training loss with its fitted law ' +
          'L(n) = ε + β·n^(−α) overlaid, the held-out losses when the log has them, and a summary table. ' +
          'Long runs are drawn as at most --max-points bin means per series.',
        "The input is a run directory (its steplog.jsonl, and sim.json from adomix simulate when present) or a " +
          'step-log file. The report goes to <dir>/report.html, or <log name>.report.html next to a log file, ' +
          'unless --out says otherwise.',
        "Laws: the step log's last params where it has them, else fitted here over the whole log " +
          '(--laws fit always fits). --count-mode must match how they were fitted (ADO\'s default: same-step).',
        '--replay POLICY reports what that policy would have done on the run instead: each step\'s weights as ' +
          'adomix replay computes them (the mixture it would have been drawn with) and, for ado, its laws ' +
          '(--ignore-steps is then ADO\'s too; a sparse log gets the sparse schedule).',
        'Logs from other loggers are reported on directly, as adomix import reads them (a W&B-style wide CSV/TSV ' +
          'with --loss-columns, TensorBoard event files with --loss-tags, and their count options); a directory ' +
          'without a step log but with event files is a TensorBoard log directory. stderr says what was detected.',
        'With --json, prints one JSON object: {"out","svg":[files],"stepLog","steps","domains":[{"name",' +
          '"finalWeight","examples","finalLoss","finalEvalLoss","epsilon","beta","alpha"}]}.',
      ].join('\n\n'),
    )
    .argument('<run>', 'run directory or step log (.jsonl or .csv)')
    .option('--out <file>', 'HTML file to write')
    .option('--svg <dir>', 'also write each chart as <dir>/<chart>.svg')
    .addOption(
      new Option('--count-mode <mode>', 'how a law\'s n is counted: same-step (all examples) or per-domain (own)')
        .choices(['same-step', 'per-domain'])
        .default('same-step'),
    )
    .addOption(new Option('--laws <source>', "laws to overlay: auto (the log's, else fit), log, or fit").choices(['auto', 'log', 'fit']).default('auto'))
    .addOption(new Option('--ignore-steps <n>', 'steps a fit made here drops (default min(500, steps/10))').argParser(integerOption(0)))
    .addOption(new Option('--max-points <n>', 'most points per chart series').argParser(integerOption(10)).default(300))
    .option('--title <text>', 'page title')
    .option('--skip-bad', 'skip bad step-log lines instead of failing')
    .option('--json', 'print one JSON object')
    .addOption(
      new Option('--replay <policy>', 'report what this policy would have done instead of the logged weights: its mixture, and (ado) its laws').choices(['ado', 'natural', 'balanced', 'odm']),
    )
    .addOption(new Option('--start-step <n>', '--replay ado: first step that may refit (default 1000)').argParser(integerOption(0)))
    .addOption(new Option('--refit-interval <n>', '--replay ado: refit after every step that is a multiple of n (default 1000)').argParser(integerOption(1)));
  addImportOptions(report).action(async (run: string, options: ReportCliOptions) => {
    if (options.replay === undefined && (options.startStep !== undefined || options.refitInterval !== undefined))
      throw new Error('--start-step and --refit-interval apply with --replay ado');
    const importOptions = importOptionsOf(options);
    const r = await writeReport(run, {
      ...(options.replay ? { replay: replayed(options, importOptions) } : {}),
      import: importOptions,
      out: options.out,
      svgDir: options.svg,
      countMode: options.countMode,
      laws: options.laws,
      ignoreSteps: options.ignoreSteps,
      maxPoints: options.maxPoints,
      title: options.title,
      skipBad: options.skipBad === true,
    });
    process.stderr.write(describeInput('report', run, r.input));
    const s = r.report.summary;
    if (options.json) {
      process.stdout.write(
        JSON.stringify({
          out: r.out,
          svg: r.svgFiles,
          stepLog: r.stepLog,
          steps: s.steps,
          skipped: r.report.data.skipped,
          domains: s.domains.map((d) => ({
            name: d.name,
            finalWeight: d.finalWeight,
            examples: d.examples,
            finalLoss: d.finalLoss,
            finalEvalLoss: d.finalEvalLoss,
            epsilon: d.epsilon,
            beta: d.beta,
            alpha: d.alpha,
          })),
        }) + '\n',
      );
      return;
    }
    if (r.report.data.skipped > 0) process.stderr.write(`adomix report: skipped ${r.report.data.skipped} bad lines\n`);
    process.stdout.write(
      `${r.stepLog}: ${s.steps} steps, ${s.domains.length} domains, ${r.report.charts.length} charts\n` +
        `wrote ${r.out}${r.svgFiles.length > 0 ? `\nwrote ${r.svgFiles.join(', ')}` : ''}\n`,
    );
  });
}
