/**
 * The report's file edge: find a run's step log, read it (and sim.json when present),
 * build the report and write it atomically; optionally each chart as its own SVG file.
 */
import { mkdir, open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { eventFilesOf, inputFilesOf, readLog, type ImportOptions, type LogInput } from '../import/index.js';
import { assertNotAnInput, writeFileAtomic, type StepLog } from '../runlog/index.js';
import { buildReport, type Report, type ReportOptions } from './buildReport.js';
import { parseSimInfo, type SimInfo } from './simInfo.js';

export interface WriteReportOptions extends Omit<ReportOptions, 'sim' | 'source'> {
  /** Output HTML path (default: <run dir>/report.html, or <log stem>.report.html next to a log file). */
  out?: string;
  /** Also write each chart as <svgDir>/<name>.svg. */
  svgDir?: string;
  /** Skip bad step-log lines instead of failing. */
  skipBad?: boolean;
  /** How to read a log from another logger (a W&B CSV, TensorBoard files); see src/import. */
  import?: ImportOptions;
  /**
   * Replaces the log's weights (and laws) before the report is built, e.g. with what a
   * policy would have done (`adomix report --replay`, which passes a replay from src/replay).
   */
  replay?: (path: string, log: StepLog) => Promise<StepLog>;
}

export interface WrittenReport {
  /** The step log reported on. */
  stepLog: string;
  out: string;
  svgFiles: string[];
  report: Report;
  /** What the input was detected as, and what a conversion did. */
  input: LogInput;
}

/** Names tried, in order, in a run directory. */
export const STEP_LOG_NAMES = ['steplog.jsonl', 'steplog.csv'];
export const SIM_INFO_NAME = 'sim.json';
export const REPORT_NAME = 'report.html';

/** Does the file start like a JSONL step log (its header line)? Reads its first bytes only. */
async function looksLikeStepLog(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(256), 0, 256, 0);
    return /^\uFEFF?\s*\{\s*"adomix"\s*:\s*"steplog\//.test(buffer.subarray(0, bytesRead).toString('utf8'));
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/**
 * The step log of a run directory: steplog.jsonl or .csv, a *.steplog.jsonl/.csv, or a *.jsonl
 * whose first line is a step-log header. A directory holding more than one is refused,
 * naming them all (which one is meant is the user's to say).
 */
export async function findStepLog(dir: string): Promise<string> {
  const entries = (await readdir(dir)).sort();
  const found: string[] = [];
  for (const e of entries) {
    if (STEP_LOG_NAMES.includes(e) || e.endsWith('.steplog.jsonl') || e.endsWith('.steplog.csv')) found.push(e);
    else if (e.endsWith('.jsonl') && (await looksLikeStepLog(join(dir, e)))) found.push(e);
  }
  if (found.length === 1) return join(dir, found[0]);
  if (found.length > 1) throw new Error(`${dir}: holds ${found.length} step logs (${found.join(', ')}); name the one to report on`);
  throw new Error(`${dir}: no step log found (looked for ${STEP_LOG_NAMES.join(', ')}, *.steplog.jsonl, or a *.jsonl step log)`);
}

async function readSimInfo(dir: string): Promise<SimInfo | undefined> {
  const path = join(dir, SIM_INFO_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON: ${(err as Error).message}`);
  }
  return parseSimInfo(value, path);
}

/** Report on a run directory or a step-log file (see WriteReportOptions for where it goes). */
export async function writeReport(input: string, options: WriteReportOptions = {}): Promise<WrittenReport> {
  let info;
  try {
    info = await stat(input);
  } catch {
    throw new Error(`${input}: no such file or directory`);
  }
  const isDir = info.isDirectory();
  const stepLog = isDir ? await findRunLog(input, options.import) : input;
  const dir = stepLog === input && isDir ? input : dirname(stepLog); // a TensorBoard log directory is its own run directory
  const out =
    options.out ?? (isDir ? join(input, REPORT_NAME) : join(dir, `${basename(stepLog, extname(stepLog))}.report.html`));
  const inputs = [
    ...(await inputFilesOf(stepLog, options.import)).map((path) => ({ path, what: path === stepLog ? 'the step log' : 'the input file' })),
    { path: join(dir, SIM_INFO_NAME), what: 'the run info' },
  ];
  assertNotAnInput([{ path: out, what: '--out' }], inputs);
  const read = await readLog(stepLog, { ...options.import, skipBad: options.skipBad });
  if (read.log.records.length === 0) throw new Error(`${stepLog}: the step log has a header but no steps: nothing to report`);
  const log = options.replay ? await options.replay(stepLog, read.log) : read.log;
  const sim = await readSimInfo(dir);
  const report = await buildReport(log, { ...options, sim, source: stepLog });
  const svgDir = options.svgDir;
  if (svgDir !== undefined) assertNotAnInput(report.charts.map((c) => ({ path: join(svgDir, `${c.name}.svg`), what: '--svg file' })), [...inputs, { path: out, what: '--out' }]);
  await mkdir(dirname(out), { recursive: true });
  await writeFileAtomic(out, report.html);
  const svgFiles: string[] = [];
  if (svgDir !== undefined) {
    await mkdir(svgDir, { recursive: true });
    for (const c of report.charts) {
      const p = join(svgDir, `${c.name}.svg`);
      await writeFileAtomic(p, c.svg);
      svgFiles.push(p);
    }
  }
  return { stepLog, out, svgFiles, report, input: { detected: read.detected, imported: read.imported, files: read.files } };
}

/**
 * The log of a directory: its step log (findStepLog); failing that, the directory itself
 * when it holds TensorBoard event files (a log directory), or when --format says so.
 */
export async function findRunLog(dir: string, o: ImportOptions | undefined): Promise<string> {
  if (o?.format === 'tensorboard') return dir;
  try {
    return await findStepLog(dir);
  } catch (err) {
    if ((o?.format === undefined || o.format === 'auto') && /no step log found/.test((err as Error).message) && (await eventFilesOf(dir)).length > 0) return dir;
    throw err;
  }
}

/**
 * Writes `<runDir>/report.html` for a finished run (the step log found in runDir, and
 * sim.json when there). For `adomix train` and `adomix simulate`. Returns the path written.
 */
export async function writeRunReport(runDir: string, options: Omit<WriteReportOptions, 'out'> = {}): Promise<string> {
  const r = await writeReport(runDir, { ...options, out: join(runDir, REPORT_NAME) });
  return r.out;
}
