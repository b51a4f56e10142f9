import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunsTable, readRunsTable, RunsTableError } from '../../src/runlog/readRunsTable.js';

const dir = mkdtempSync(join(tmpdir(), 'adomix-runs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runs table', () => {
  it('reads N, D, loss in any column order, skipping blanks, comments and extra columns', () => {
    const t = parseRunsTable('# study 1\r\nloss,name,D,N\r\n3.1,a,1e9,7e7\r\n\r\n2.9,"b, c",2.0e9,1.5E8\r\n');
    expect(t.runs).toEqual([
      { N: 7e7, D: 1e9, loss: 3.1 },
      { N: 1.5e8, D: 2e9, loss: 2.9 },
    ]);
    expect(t.skills).toEqual([]);
  });

  it('reads skills and accepts params/tokens as column names', () => {
    const t = parseRunsTable('Params,Tokens,Loss,Skill\n1e8,2e9,2.5,code\n1e8,2e9,3.5,"knowledge QA"\n2e8,2e9,2.4,code\n');
    expect(t.skills).toEqual(['code', 'knowledge QA']);
    expect(t.runs[1]).toEqual({ N: 1e8, D: 2e9, loss: 3.5, skill: 'knowledge QA' });
  });

  it('errors name the file, line and column', () => {
    const bad = (text: string): string => {
      try {
        parseRunsTable(text, 'runs.csv');
      } catch (err) {
        expect(err).toBeInstanceOf(RunsTableError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    const head = 'N,D,loss\n1e8,1e9,3\n1e8,2e9,2.9\n1e8,3e9,2.8\n1e8,4e9,2.7\n2e8,1e9,2.9\n';
    expect(bad(head + '3e8,abc,2.5\n')).toBe('runs.csv:7:2: D must be a positive number, got "abc"');
    expect(bad('N,D,loss\n1e8,1e9,-3\n')).toBe('runs.csv:2:3: loss must be a positive number, got "-3"');
    expect(bad('N,D,loss\n0,1e9,3\n')).toBe('runs.csv:2:1: N must be a positive number, got "0"');
    expect(bad('N,D,loss\n0x10,1e9,3\n')).toBe('runs.csv:2:1: N must be a positive number, got "0x10"');
    expect(bad('N,D,loss\n1e8,,3\n')).toBe('runs.csv:2:2: D must be a positive number, got ""');
    expect(bad('N,D,loss\n1e8,1e9\n')).toBe('runs.csv:2:3: missing value for loss (the row has 2 fields, the header 3)');
    expect(bad('N,D,loss\n1e8,1e9,3,4\n')).toBe('runs.csv:2:4: extra field "4" (the header has 3 columns)');
    expect(bad('N,D,loss,skill\n1e8,1e9,3,\n')).toBe('runs.csv:2:4: skill must not be empty');
    expect(bad('N,D,loss\n1e8,"1e9,3\n')).toBe('runs.csv:2: unterminated quote');
    expect(bad('N,loss\n1,2\n')).toBe('runs.csv:1: missing column "D" (header: N, loss; expected N, D, loss and optionally skill)');
    expect(bad('N,D,loss,params\n')).toBe('runs.csv:1:4: duplicate column "params" (column 1 is N too)');
    expect(bad('N,D,loss\n\n')).toBe('runs.csv: no runs after the header');
    expect(bad('\n# nothing\n')).toBe('runs.csv: empty table; expected a header with columns N, D, loss (and optionally skill)');
  });

  it('reads a file, naming it in errors', async () => {
    const p = join(dir, 'runs.csv');
    writeFileSync(p, 'N,D,loss\n1e8,1e9,3\n1e8,x,3\n');
    await expect(readRunsTable(p)).rejects.toThrow(`${p}:3:2: D must be a positive number, got "x"`);
    await expect(readRunsTable(join(dir, 'missing.csv'))).rejects.toThrow(/cannot read runs table .*missing\.csv/);
  });
});
