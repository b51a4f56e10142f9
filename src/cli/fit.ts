/**
 * `adomix fit <steplog>`: fit the ADO learning-curve law L(n) = ε + β·n^(−α) to every domain
 * of a step log, over the whole log, and print the laws (a table, or one JSON object).
 * Thin: the log is streamed into per-domain histories (src/runlog) and fitted by
 * fitDomains (src/curves).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { integerOption } from './options.js';
import { addImportOptions, describeInput, importOptionsOf, type ImportCliOptions } from './importOptions.js';
import { fitDomains, type DomainFit, type FitDiagnostics, type FitDomainsOptions } from '../curves/index.js';
import { openLog } from '../import/index.js';
import { DomainHistoryBuilder, evaluationHistory, evaluationsPerDomain, sparseWindow, type StepLogHistory } from '../runlog/index.js';

interface FitCliOptions extends ImportCliOptions {
  preset: 'auto' | 'reference';
  ignoreSteps: number;
  /** Default 10 for a dense log, 1 for a sparse one. */
  subsample?: number;
  /** Savitzky–Golay window in points (default 101, or sparseWindow for a sparse log). */
  window?: number;
  countMode: 'same-step' | 'per-domain';
  countScale: number;
  minPoints: number;
  skipBad?: boolean;
  json?: boolean;
}

/** An odd integer ≥ 5 (a cubic Savitzky–Golay window). */
function windowOption(value: string): number {
  const n = integerOption(5)(value);
  if (n % 2 === 0) throw new InvalidArgumentError('It must be an odd integer ≥ 5.');
  return n;
}

/** One domain's result, as printed by --json. */
export type FitRow =
  | { name: string; epsilon: number; beta: number; alpha: number; points: number; objective: number; converged: boolean; diagnostics: FitDiagnostics }
  | { name: string; error: string; points: number };

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('It must be a positive number.');
  return n;
}

export function register(program: Command): void {
  const fit = program
    .command('fit')
    .summary('fit a power-law learning curve to every domain of a step log')
    .description(
      [
        "Fit L(n) = ε + β·n^(−α) to each domain's training loss over the whole step log, as ADO does at " +
          'a refit: impute absent steps with the previous loss, smooth (Savitzky–Golay, window 101, order 3), ' +
          'drop the first --ignore-steps steps, keep every --subsample-th point, and minimise the sum of ' +
          'Huber (δ = 1e-3) losses of the log-space residuals.',
        'n is the cumulative example (or token, per the log\'s unit) count, divided by --count-scale: ' +
          "with same-step (the reference) every domain's n grows by the whole batch each step; with " +
          "per-domain, by the domain's own examples.",
        'The step log is JSONL, or CSV for a .csv file (see docs/steplog.md). Logs from other loggers are read ' +
          'directly, as adomix import reads them (a W&B-style wide CSV/TSV with --loss-columns, TensorBoard event ' +
          'files or a log directory with --loss-tags, and their count options); stderr says what was detected.',
        'A sparse log (one record per evaluation, e.g. held-out losses every few hundred steps) is fitted with ' +
          'each evaluation as one point: every point kept (--subsample 1) and a smoothing window in points, the ' +
          'largest odd number ≤ evaluations/5 within [5, 101]; --ignore-steps then counts evaluations.',
        'With --json, prints exactly one JSON object: {"domains":[{"name","epsilon","beta","alpha",' +
          '"points","objective","converged","diagnostics"}, or {"name","error","points"} for a domain not fitted, …], ' +
          '"diagnostics" being {"points","rms","r2","se":{"a","e","alpha","epsilon"},"activeBounds":[…]} (log-space ' +
          'residual RMS and R², standard errors from the Gauss–Newton Hessian, parameters at a bound; docs/guardrails.md), ' +
          '"steps":<steps in the log>, "skipped":<bad lines skipped>}.',
      ].join('\n\n'),
    )
    .argument('<steplog>', 'step log to fit (.jsonl, or .csv)')
    .addOption(
      new Option('--preset <preset>', 'bounds: auto (follow the data, 0 < ε ≤ min loss) or reference (the authors\' penalties, ε ≥ 1.65)')
        .choices(['auto', 'reference'])
        .default('auto'),
    )
    .addOption(
      new Option('--ignore-steps <n>', 'drop the first n steps of each domain before fitting')
        .argParser(integerOption(0))
        .default(0),
    )
    .addOption(new Option('--subsample <n>', 'keep every n-th step as a fitting point (default 10; 1 for a sparse log)').argParser(integerOption(1)))
    .addOption(new Option('--window <n>', 'smoothing (Savitzky–Golay) window in points, odd (default 101; for a sparse log from its evaluations)').argParser(windowOption))
    .addOption(
      new Option('--count-mode <mode>', 'how n grows: same-step (whole batch every step) or per-domain (own examples)')
        .choices(['same-step', 'per-domain'])
        .default('same-step'),
    )
    .addOption(
      new Option('--count-scale <x>', 'divide counts by x before fitting (e.g. tokens per example)')
        .argParser(positiveNumber)
        .default(1),
    )
    .addOption(
      new Option('--min-points <n>', 'refuse to fit a domain with fewer points than this')
        .argParser(integerOption(1))
        .default(20),
    )
    .option('--skip-bad', 'skip bad step lines (and say how many) instead of failing')
    .option('--json', 'print one JSON object instead of a table');
  addImportOptions(fit).action(async (path: string, options: FitCliOptions) => {
    await runFit(path, options);
  });
}

async function runFit(path: string, options: FitCliOptions): Promise<void> {
  const input = await openLog(path, { ...importOptionsOf(options), skipBad: options.skipBad === true });
  const stream = input.stream;
  process.stderr.write(describeInput('fit', path, input));
  const { domains } = stream.header;
  const sparse = stream.header.sparse === true;
  const builder = new DomainHistoryBuilder(domains.length, 1024, { sparse });
  for await (const record of stream) builder.add(record);
  const history = builder.build();
  // An imported log's notes already count what its conversion skipped.
  if (stream.skipped > 0 && input.imported === undefined) {
    const first = stream.skippedLines[0]?.message ?? '';
    process.stderr.write(`adomix fit: skipped ${stream.skipped} bad line${stream.skipped === 1 ? '' : 's'} (first: ${first})\n`);
  }
  if (history.steps === 0) throw new Error(`${path}: the step log has a header but no steps to fit`);

  const fitOptions: FitDomainsOptions = {
    preset: options.preset,
    ignoreSteps: options.ignoreSteps,
    subsample: options.subsample ?? (sparse ? 1 : 10),
    countMode: options.countMode,
    countScale: options.countScale,
    minPoints: options.minPoints,
  };
  if (options.window !== undefined) fitOptions.window = options.window;
  const fitted = sparse ? fitSparse(history, fitOptions, options.window) : { fits: fitDomains(history, fitOptions), evaluations: undefined, windows: undefined };
  const rows = fitted.fits.map((r) => toRow(r, domains));

  if (options.json) {
    const out: Record<string, unknown> = { domains: rows, steps: history.steps, skipped: stream.skipped };
    if (sparse) Object.assign(out, { sparse: true, evaluations: Array.from(fitted.evaluations!), windows: fitted.windows });
    if (input.imported !== undefined) out.input = { format: input.detected.format, description: input.imported.description, notes: input.imported.notes };
    process.stdout.write(JSON.stringify(out) + '\n');
    return;
  }
  const unit = stream.header.unit;
  const last = history.stepAt !== undefined ? history.stepAt[history.steps - 1] : history.startStep + history.steps - 1;
  const settings = sparse
    ? sparseSettingsLine(fitted.evaluations!, fitted.windows!, fitOptions) + `; preset ${options.preset}, count mode ${options.countMode}`
    : `preset ${options.preset}, count mode ${options.countMode}, ignore ${options.ignoreSteps} steps, ` +
      `every ${fitOptions.subsample} steps a point${options.window !== undefined ? `, smoothing window ${options.window} points` : ''}, at least ${options.minPoints} points`;
  process.stdout.write(
    `${path}: ${domains.length} domain${domains.length === 1 ? '' : 's'}, ${history.steps} ${sparse ? 'evaluations' : 'steps'}` +
      ` (steps ${history.startStep}–${last}), n in ${unit}` +
      `${options.countScale !== 1 ? ` / ${options.countScale}` : ''}\n` +
      `${settings}\n\n` +
      formatTable(rows) +
      `\nL(n) = ε + β·n^(−α), n = cumulative ${unit}` +
      `${options.countMode === 'same-step' ? ' of all domains (the whole batch counts each step)' : ' of the domain itself'}\n`,
  );
}

/**
 * Fits each domain of a sparse log on its own evaluations (evaluationHistory): each is one
 * point, smoothed over a window in points chosen from how many it has (unless `window`).
 */
function fitSparse(history: StepLogHistory, options: FitDomainsOptions, window: number | undefined): { fits: DomainFit[]; evaluations: Int32Array; windows: number[] } {
  const evaluations = evaluationsPerDomain(history);
  const windows: number[] = [];
  const fits = Array.from(evaluations, (E, k) => {
    const w = window ?? sparseWindow(Math.max(0, E - (options.ignoreSteps ?? 0)));
    windows.push(w);
    const own = evaluationHistory(history, k).history;
    const [fit] = fitDomains(own, { ...options, window: w, domains: [k] });
    return fit;
  });
  return { fits, evaluations, windows };
}

/** `sparse curve: 24 evaluations per domain, subsample 1, smoothing window 5 points, …`. */
function sparseSettingsLine(evaluations: Int32Array, windows: readonly number[], o: FitDomainsOptions): string {
  const range = (xs: ArrayLike<number>): string => {
    const a = Array.from(xs);
    const lo = Math.min(...a);
    const hi = Math.max(...a);
    return lo === hi ? String(lo) : `${lo}–${hi}`;
  };
  return (
    `sparse curve: ${range(evaluations)} evaluations per domain, subsample ${o.subsample}, smoothing window ${range(windows)} points, ` +
    `ignore ${o.ignoreSteps ?? 0} evaluations, at least ${o.minPoints} points`
  );
}

function toRow(r: DomainFit, domains: readonly string[]): FitRow {
  const name = domains[r.domain];
  if (!r.ok) return { name, error: r.reason, points: r.points };
  const { epsilon, beta, alpha, points, objective, converged } = r.fit;
  return { name, epsilon, beta, alpha, points, objective, converged, diagnostics: r.diagnostics };
}

/** 4 significant digits, exponent form for very large or small magnitudes. */
function num(x: number): string {
  const a = Math.abs(x);
  if (x === 0) return '0';
  if (a >= 1e5 || a < 1e-3) return x.toExponential(3);
  return x.toPrecision(4);
}

/** An aligned text table: names left-aligned, numbers right-aligned; refused domains show why. */
export function formatTable(rows: readonly FitRow[]): string {
  const head = ['domain', 'ε', 'β', 'α', 'points', 'objective', 'converged'];
  const cells = rows.map((r) =>
    'error' in r
      ? [r.name, '—', '—', '—', String(r.points), '—', 'refused']
      : [r.name, num(r.epsilon), num(r.beta), num(r.alpha), String(r.points), num(r.objective), r.converged ? 'yes' : 'no'],
  );
  const width = head.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j].length)));
  const line = (c: string[]): string =>
    c.map((v, j) => (j === 0 ? v.padEnd(width[j]) : v.padStart(width[j]))).join('  ').trimEnd();
  const out = [line(head), ...cells.map(line)];
  const refused = rows.filter((r): r is Extract<FitRow, { error: string }> => 'error' in r);
  if (refused.length > 0) {
    out.push('');
    for (const r of refused) out.push(`${r.name}: not fitted: ${r.error}`);
  }
  return out.join('\n') + '\n';
}
