/**
 * The runs table of a scaling study: one training run per row, CSV with a header.
 *
 *   N,D,loss[,skill]
 *   7.0e7,1.4e9,3.41
 *   7.0e7,1.4e9,2.95,code
 *
 * Columns come in any order and are matched case-insensitively (N also as params or
 * parameters, D as tokens); other columns are ignored. N, D and loss must be positive
 * numbers; `skill` names the validation set the loss was measured on and, when the column
 * is there, may not be empty. Blank lines and lines starting with # are skipped. Errors
 * name the file, the line and the column: `runs.csv:7:2: D must be a positive number, got "abc"`.
 */
import { readFile } from 'node:fs/promises';
import type { ScalingRun } from '../planning/scalingRun.js';
import { splitCsvLine } from './csv.js';

export class RunsTableError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}${column === undefined ? '' : `:${column}`}: ${message}`);
    this.name = 'RunsTableError';
  }
}

export interface RunsTable {
  /** Where the table came from (the file name in errors). */
  source: string;
  runs: ScalingRun[];
  /** Distinct skills in order of first appearance; empty without a skill column. */
  skills: string[];
}

type Field = 'N' | 'D' | 'loss' | 'skill';
const ALIASES: Record<string, Field> = {
  n: 'N',
  params: 'N',
  parameters: 'N',
  d: 'D',
  tokens: 'D',
  loss: 'loss',
  skill: 'skill',
};
const REQUIRED: readonly Field[] = ['N', 'D', 'loss'];
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a runs table from text; `source` names it in errors. */
export function parseRunsTable(text: string, source = 'runs.csv'): RunsTable {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  let columns: (Field | undefined)[] | undefined;
  let headerWidth = 0;
  const index: Partial<Record<Field, number>> = {};
  const runs: ScalingRun[] = [];
  const skills: string[] = [];
  for (let li = 0; li < lines.length; li++) {
    const lineNo = li + 1;
    const line = lines[li].replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const cells = splitCsvLine(line);
    if (!cells) throw new RunsTableError('unterminated quote', source, lineNo);
    if (!columns) {
      columns = cells.map((c) => ALIASES[c.trim().toLowerCase()]);
      headerWidth = cells.length;
      columns.forEach((f, i) => {
        if (f === undefined) return;
        if (index[f] !== undefined) {
          throw new RunsTableError(`duplicate column "${cells[i]}" (column ${index[f]! + 1} is ${f} too)`, source, lineNo, i + 1);
        }
        index[f] = i;
      });
      for (const f of REQUIRED) {
        if (index[f] === undefined) {
          throw new RunsTableError(
            `missing column "${f}" (header: ${cells.join(', ')}; expected N, D, loss and optionally skill)`,
            source,
            lineNo,
          );
        }
      }
      continue;
    }
    if (cells.length > headerWidth) {
      throw new RunsTableError(`extra field "${cells[headerWidth]}" (the header has ${headerWidth} columns)`, source, lineNo, headerWidth + 1);
    }
    const num = (f: 'N' | 'D' | 'loss'): number => {
      const col = index[f]!;
      if (col >= cells.length) {
        throw new RunsTableError(`missing value for ${f} (the row has ${cells.length} fields, the header ${headerWidth})`, source, lineNo, col + 1);
      }
      const raw = cells[col];
      const v = DECIMAL.test(raw) ? Number(raw) : NaN;
      if (!Number.isFinite(v) || v <= 0) {
        throw new RunsTableError(`${f} must be a positive number, got ${JSON.stringify(raw)}`, source, lineNo, col + 1);
      }
      return v;
    };
    const run: ScalingRun = { N: num('N'), D: num('D'), loss: num('loss') };
    if (index.skill !== undefined) {
      const col = index.skill;
      const s = col < cells.length ? cells[col] : '';
      if (s === '') throw new RunsTableError('skill must not be empty', source, lineNo, col + 1);
      run.skill = s;
      if (!skills.includes(s)) skills.push(s);
    }
    runs.push(run);
  }
  if (!columns) throw new RunsTableError('empty table; expected a header with columns N, D, loss (and optionally skill)', source);
  if (runs.length === 0) throw new RunsTableError('no runs after the header', source);
  return { source, runs, skills };
}

/** Reads and parses a runs table file. */
export async function readRunsTable(path: string): Promise<RunsTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read runs table ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return parseRunsTable(text, path);
}
