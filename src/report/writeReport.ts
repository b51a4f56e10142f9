/**
 * The report's file edge: find a run's step log, read it (and sim.json when present),
 * build the report and write it atomically; optionally each chart as its own SVG file.
 */
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { readStepLog, writeFileAtomic } from '../runlog/index.js';
import { buildReport, type Report, type ReportOptions } from './buildReport.js';
import { parseSimInfo, type SimInfo } from './simInfo.js';

export interface WriteReportOptions extends Omit<ReportOptions, 'sim' | 'source'> {
  /** Output HTML path (default: <run dir>/report.html, or <log stem>.report.html next to a log file). */
  out?: string;
  /** Also write each chart as <svgDir>/<name>.svg. */
  svgDir?: string;
  /** Skip bad step-log lines instead of failing. */
  skipBad?: boolean;
}

export interface WrittenReport {
  /** The step log reported on. */
  stepLog: string;
  out: string;
  svgFiles: string[];
  report: Report;
}

/** Names tried, in order, in a run directory. */
export const STEP_LOG_NAMES = ['steplog.jsonl', 'steplog.csv'];
export const SIM_INFO_NAME = 'sim.json';
export const REPORT_NAME = 'report.html';

/** The step log of a run directory: steplog.jsonl/.csv, else one *.steplog.jsonl, else a *.jsonl with a step-log header. */
export async function findStepLog(dir: string): Promise<string> {
  const entries = (await readdir(dir)).sort();
  for (const name of STEP_LOG_NAMES) if (entries.includes(name)) return join(dir, name);
  const tagged = entries.filter((e) => e.endsWith('.steplog.jsonl') || e.endsWith('.steplog.csv'));
  if (tagged.length === 1) return join(dir, tagged[0]);
  if (tagged.length > 1) throw new Error(`${dir}: several step logs (${tagged.join(', ')}); name one`);
  for (const e of entries.filter((x) => x.endsWith('.jsonl'))) {
    const head = (await readFile(join(dir, e), 'utf8')).slice(0, 200);
    if (/"adomix"\s*:\s*"steplog\//.test(head)) return join(dir, e);
  }
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
  const stepLog = isDir ? await findStepLog(input) : input;
  const dir = dirname(stepLog);
  const out =
    options.out ?? (isDir ? join(input, REPORT_NAME) : join(dir, `${basename(stepLog, extname(stepLog))}.report.html`));
  const log = await readStepLog(stepLog, { skipBad: options.skipBad });
  const sim = await readSimInfo(dir);
  const report = await buildReport(log, { ...options, sim, source: stepLog });
  await mkdir(dirname(out), { recursive: true });
  await writeFileAtomic(out, report.html);
  const svgFiles: string[] = [];
  if (options.svgDir) {
    await mkdir(options.svgDir, { recursive: true });
    for (const c of report.charts) {
      const p = join(options.svgDir, `${c.name}.svg`);
      await writeFileAtomic(p, c.svg);
      svgFiles.push(p);
    }
  }
  return { stepLog, out, svgFiles, report };
}

/**
 * Writes `<runDir>/report.html` for a finished run (the step log found in runDir, and
 * sim.json when there). For `adomix train` and `adomix simulate`. Returns the path written.
 */
export async function writeRunReport(runDir: string, options: Omit<WriteReportOptions, 'out'> = {}): Promise<string> {
  const r = await writeReport(runDir, { ...options, out: join(runDir, REPORT_NAME) });
  return r.out;
}
