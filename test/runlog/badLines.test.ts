import { describe, expect, it } from 'vitest';
import { BadLines, StepLogError } from '../../src/runlog/index.js';

describe('BadLines', () => {
  it('throws the first bad line without skipBad, naming file and line', () => {
    const b = new BadLines('run.csv', {});
    let thrown: unknown;
    try {
      b.add(7, 'loss must be a number');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(StepLogError);
    expect((thrown as StepLogError).message).toBe('run.csv:7: loss must be a number');
    expect(b.count).toBe(0);
  });

  it('with skipBad counts every bad line and keeps the first maxSkippedLines messages', () => {
    const b = new BadLines('run.csv', { skipBad: true, maxSkippedLines: 2 });
    for (const line of [3, 5, 9]) b.add(line, `bad ${line}`);
    expect(b.count).toBe(3);
    expect(b.lines).toEqual([
      { line: 3, message: 'run.csv:3: bad 3' },
      { line: 5, message: 'run.csv:5: bad 5' },
    ]);
  });
});
