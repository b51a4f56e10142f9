/**
 * A served run on disk, under `--state DIR/<run id>/`:
 *
 *   run.json         the run's spec (written once, atomically)
 *   steplog.jsonl    every applied step, a line each (a step log `replay` and `report` read)
 *   journal.jsonl    every report and domain event accepted since the last checkpoint
 *   checkpoint.json  the policy snapshot and the run's own state (checkpoint/1, atomic)
 *
 * A report is written to the journal before it is acknowledged (one write call; it survives
 * a killed process, and an fsync at each checkpoint covers the machine). A restart restores
 * the checkpoint, cuts the step log back to the checkpoint's step and replays the journal:
 * the steps after the checkpoint are applied again, to the same weights. At a checkpoint the
 * journal is rotated to the reports of steps not applied yet.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  formatHeaderLine,
  formatStepLine,
  parseCheckpoint,
  parseStepLog,
  writeCheckpointSync,
  writeFileAtomicSync,
  type Checkpoint,
  type StepRecordInput,
} from '../runlog/index.js';
import { reportLine } from '../client/redisProtocol.js';
import { resolveRunSpec, type RunSpec } from './runSpec.js';
import type { RunCheckpointMeta, RunEvent, RunPersistence, ServedRun } from './ServedRun.js';
import type { RankReport } from './stepAssembler.js';

export const RUN_FILES = { spec: 'run.json', steplog: 'steplog.jsonl', journal: 'journal.jsonl', checkpoint: 'checkpoint.json' } as const;

/** One journal line: a report `{s, r, l, c}` or an event `{e}`. */
export type JournalEntry = { report: RankReport; event?: undefined } | { event: RunEvent; report?: undefined };

/** A report line (the journal's, and Redis stream entries': client/redisProtocol.ts) back (throws a plain message on a malformed one; callers add where). */
export function parseReportLine(line: string): { report: RankReport } | { event: RunEvent } {
  const v = JSON.parse(line) as { s?: unknown; r?: unknown; l?: unknown; c?: unknown; b?: unknown; e?: RunEvent };
  if (v.e !== undefined) return { event: v.e };
  if (!Number.isInteger(v.s) || !Number.isInteger(v.r) || !Array.isArray(v.l) || !Array.isArray(v.c) || v.l.length !== v.c.length || (v.b !== undefined && !Number.isInteger(v.b)))
    throw new Error('a journal line must be a report {s, r, l, c} or an event {e}');
  const report: RankReport = { step: v.s as number, rank: v.r as number, lossSum: Float64Array.from(v.l as number[]), count: Float64Array.from(v.c as number[]) };
  if (v.b !== undefined) report.basedOn = v.b as number;
  return { report };
}

/** Everything a restart needs, read from a run's folder. */
export interface StoredRun {
  dir: string;
  spec: RunSpec;
  checkpoint: (Checkpoint & { meta: { run: RunCheckpointMeta } }) | undefined;
  journal: JournalEntry[];
}

export class FileRunStore implements RunPersistence {
  private journalFd: number;
  private steplogFd: number;
  private headerDomains: string[];

  /** A new run's folder (refuses one that exists: a run id is created once). */
  static create(dir: string, spec: RunSpec, domains: readonly string[], prior: number[] | undefined): FileRunStore {
    mkdirSync(dir, { recursive: true });
    writeFileAtomicSync(join(dir, RUN_FILES.steplog), headerLine(spec, domains, prior) + '\n');
    writeFileAtomicSync(join(dir, RUN_FILES.journal), '');
    writeFileAtomicSync(join(dir, RUN_FILES.spec), `${JSON.stringify(spec)}\n`);
    return new FileRunStore(dir, spec, [...domains]);
  }

  /**
   * An existing run's folder, after `readStoredRun`: the step log is cut back to the
   * checkpoint's last step (over the checkpoint's domains), ready for the journal's replay.
   */
  static reopen(stored: StoredRun, domains: readonly string[], prior: number[] | undefined): FileRunStore {
    const applied = stored.checkpoint?.meta.run.applied ?? -1;
    const path = join(stored.dir, RUN_FILES.steplog);
    const kept = existsSync(path) ? stepLinesUpTo(path, applied, domains) : [];
    writeFileAtomicSync(path, [headerLine(stored.spec, domains, prior), ...kept].join('\n') + '\n');
    return new FileRunStore(stored.dir, stored.spec, [...domains]);
  }

  private constructor(
    readonly dir: string,
    private readonly spec: RunSpec,
    domains: string[],
  ) {
    this.headerDomains = domains;
    this.journalFd = openSync(join(dir, RUN_FILES.journal), 'a');
    this.steplogFd = openSync(join(dir, RUN_FILES.steplog), 'a');
  }

  report(r: RankReport): void {
    writeSync(this.journalFd, reportLine(r) + '\n');
  }

  event(e: RunEvent): void {
    writeSync(this.journalFd, `${JSON.stringify({ e })}\n`);
  }

  step(record: StepRecordInput, domains: readonly string[], prior: number[] | undefined): void {
    if (domains.length !== this.headerDomains.length) this.rewriteStepLog(domains, prior);
    writeSync(this.steplogFd, formatStepLine(record, domains) + '\n');
  }

  checkpoint(run: ServedRun): void {
    fsyncSync(this.steplogFd);
    writeCheckpointSync(join(this.dir, RUN_FILES.checkpoint), run.policy, { run: run.checkpointMeta() });
    // Rotate: the new journal holds what the checkpoint does not cover.
    let text = '';
    for (const r of run.assembler.reports()) text += reportLine(r) + '\n';
    closeSync(this.journalFd);
    writeFileAtomicSync(join(this.dir, RUN_FILES.journal), text);
    this.journalFd = openSync(join(this.dir, RUN_FILES.journal), 'a');
  }

  close(): void {
    fsyncSync(this.journalFd);
    fsyncSync(this.steplogFd);
    closeSync(this.journalFd);
    closeSync(this.steplogFd);
  }

  /** A domain was added: the log gets the new header, and every earlier step the new columns (absent). */
  private rewriteStepLog(domains: readonly string[], prior: number[] | undefined): void {
    const path = join(this.dir, RUN_FILES.steplog);
    const lines = stepLinesUpTo(path, Infinity, domains);
    closeSync(this.steplogFd);
    writeFileAtomicSync(path, [headerLine(this.spec, domains, prior), ...lines].join('\n') + '\n');
    this.steplogFd = openSync(path, 'a');
    this.headerDomains = [...domains];
  }
}

function headerLine(spec: RunSpec, domains: readonly string[], prior: number[] | undefined): string {
  // A domain added mid-run has no budget (null: unlimited), as in the policy.
  const budget = spec.budget !== undefined ? { budget: domains.map((d) => spec.budget![spec.domains.indexOf(d)] ?? null) } : {};
  const rest = { ...(spec.maxEpochs !== undefined ? { maxEpochs: spec.maxEpochs } : {}), ...(spec.plannedSteps !== undefined ? { plannedSteps: spec.plannedSteps } : {}) };
  return formatHeaderLine({ domains: [...domains], ...(prior !== undefined ? { prior } : {}), unit: spec.unit, ...budget, ...rest });
}

/**
 * The step lines of a log up to `last`, re-expressed over `domains` (a column the log lacks
 * is absent: null loss, count 0, weight 0). A torn last line (a killed writer) is dropped.
 */
function stepLinesUpTo(path: string, last: number, domains: readonly string[]): string[] {
  let text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n');
  text = end < 0 ? '' : text.slice(0, end + 1);
  if (text.length === 0) return [];
  const log = parseStepLog(text, { file: path });
  const from = domains.map((d) => log.header.domains.indexOf(d));
  const pick = <T>(v: T[] | undefined, absent: T): T[] | undefined => (v === undefined ? undefined : from.map((j) => (j < 0 ? absent : v[j])));
  return log.records
    .filter((r) => r.step <= last)
    .map((r) =>
      formatStepLine(
        {
          step: r.step,
          loss: pick(r.loss, null)!,
          count: pick(r.count, 0)!,
          ...(r.weights ? { weights: pick(r.weights, 0) } : {}),
          ...(r.evalLoss ? { evalLoss: pick(r.evalLoss, null) } : {}),
          ...(r.params ? { params: pick(r.params, null) } : {}),
        },
        domains,
      ),
    );
}

/** Reads a run folder for a restart; every error names the file (and line). */
export function readStoredRun(dir: string): StoredRun {
  const specPath = join(dir, RUN_FILES.spec);
  let spec: RunSpec;
  try {
    spec = resolveRunSpec(JSON.parse(readFileSync(specPath, 'utf8')));
  } catch (err) {
    throw new Error(`${specPath}: not a run spec: ${(err as Error).message}`);
  }
  const cpPath = join(dir, RUN_FILES.checkpoint);
  let checkpoint: StoredRun['checkpoint'];
  if (existsSync(cpPath)) {
    const cp = parseCheckpoint(readFileSync(cpPath, 'utf8'), cpPath);
    const meta = cp.meta?.run as RunCheckpointMeta | undefined;
    if (meta === undefined || !Number.isInteger(meta.applied) || !Array.isArray(meta.initial) || !Array.isArray(meta.outputs))
      throw new Error(`${cpPath}: not a served run's checkpoint (no meta.run with applied, initial and outputs)`);
    checkpoint = cp as StoredRun['checkpoint'];
  }
  return { dir, spec, checkpoint, journal: readJournal(join(dir, RUN_FILES.journal)) };
}

function readJournal(path: string): JournalEntry[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  // The last piece is '' after a final newline, or a torn line a killed writer left: dropped.
  lines.pop();
  return lines.map((line, i) => {
    try {
      return parseReportLine(line) as JournalEntry;
    } catch (err) {
      const what = err instanceof SyntaxError ? `corrupt journal line (${err.message})` : (err as Error).message;
      throw new Error(`${path}:${i + 1}: ${what}`);
    }
  });
}
