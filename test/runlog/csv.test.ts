import { describe, expect, it } from 'vitest';
import { parseStepLog, parseStepLogCsv, splitCsvLine } from '../../src/runlog/index.js';

const csv = (rows: string[]): string => rows.join('\n') + '\n';
function errorOf(text: string, skipBad = false): string {
  try {
    parseStepLogCsv(text, { file: 'run.csv', skipBad });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the CSV to be rejected');
}

describe('splitCsvLine', () => {
  it('splits plain and quoted cells', () => {
    expect(splitCsvLine('a,b,,c')).toEqual(['a', 'b', '', 'c']);
    expect(splitCsvLine('"x, y","say ""hi""", z ')).toEqual(['x, y', 'say "hi"', 'z']);
    expect(splitCsvLine('"open')).toBeUndefined();
  });
});

describe('parseStepLogCsv', () => {
  it('reads rows in any column and row order; missing pairs are absent; domains by first appearance', () => {
    const log = parseStepLogCsv(
      csv(['count,loss,domain,step', '24,3.4,prose,0', '32,2.91,code,0', '8,3.02,math,1', '26,3.31,prose,1', '30,2.85,code,1']),
    );
    expect(log.header).toEqual({ adomix: 'steplog/1', domains: ['prose', 'code', 'math'], unit: 'examples' });
    expect(log.records).toEqual([
      { step: 0, loss: [3.4, 2.91, null], count: [24, 32, 0] },
      { step: 1, loss: [3.31, 2.85, 3.02], count: [26, 30, 8] },
    ]);
  });

  it('reads weights (missing ones are 0), evalLoss, empty losses with count 0, quoted names, and the unit option', () => {
    const log = parseStepLogCsv(
      csv([
        'step,domain,loss,count,weight,evalLoss',
        '0,"a,b",1.5,3,0.75,',
        '0,c,,0,0.25,2.5',
        '1,"a,b",1.25,4,1,',
      ]),
      { unit: 'tokens' },
    );
    expect(log.header.domains).toEqual(['a,b', 'c']);
    expect(log.header.unit).toBe('tokens');
    expect(log.records).toEqual([
      { step: 0, loss: [1.5, null], count: [3, 0], weights: [0.75, 0.25], evalLoss: [null, 2.5] },
      { step: 1, loss: [1.25, null], count: [4, 0], weights: [1, 0] },
    ]);
  });

  it('is what parseStepLog gives for a .csv file name', () => {
    const text = csv(['step,domain,loss,count', '0,a,1,1']);
    expect(parseStepLog(text, { file: 'x.csv' })).toEqual(parseStepLogCsv(text, { file: 'x.csv' }));
  });

  it.each([
    ['an empty file', '', 'run.csv: empty CSV step log: expected a header row naming the columns step,domain,loss,count'],
    ['no rows', 'step,domain,loss,count\n', 'run.csv: the CSV step log has no rows'],
    ['an unknown column', 'step,domain,los,count\n', 'run.csv:1: unknown column "los" (columns: step, domain, loss, count, weight, evalLoss)'],
    ['a missing column', 'step,domain,loss\n', 'run.csv:1: the header row must name the columns step,domain,loss,count; missing "count"'],
    ['a repeated column', 'step,domain,loss,count,loss\n', 'run.csv:1: column "loss" appears twice'],
    ['a short row', csv(['step,domain,loss,count', '0,a,1']), 'run.csv:2: expected 4 cells, got 3'],
    ['a bad step', csv(['step,domain,loss,count', '0.5,a,1,1']), 'run.csv:2: column "step" must be a non-negative integer, got "0.5"'],
    ['an empty domain', csv(['step,domain,loss,count', '0,,1,1']), 'run.csv:2: column "domain" must name a domain, got ""'],
    ['a NaN loss', csv(['step,domain,loss,count', '0,a,NaN,1']), 'run.csv:2: column "loss" must be a finite non-negative number or empty, got "NaN"'],
    ['a negative loss', csv(['step,domain,loss,count', '0,a,-1,1']), 'run.csv:2: column "loss" must be a finite non-negative number or empty, got "-1"'],
    ['a fractional count', csv(['step,domain,loss,count', '0,a,1,1.5']), 'run.csv:2: column "count" must be a non-negative integer, got "1.5"'],
    ['a loss with count 0', csv(['step,domain,loss,count', '0,a,1,0']), 'run.csv:2: column "loss" is 1 but "count" is 0: domain "a" had no examples in step 0, so its loss must be empty'],
    ['an empty loss with examples', csv(['step,domain,loss,count', '0,a,,3']), 'run.csv:2: column "loss" is empty but "count" is 3: domain "a" had examples in step 0, so it needs a loss'],
    ['a bad weight', csv(['step,domain,loss,count,weight', '0,a,1,1,x']), 'run.csv:2: column "weight" must be a finite non-negative number or empty, got "x"'],
    ['a bad evalLoss', csv(['step,domain,loss,count,evalLoss', '0,a,1,1,-2']), 'run.csv:2: column "evalLoss" must be a finite non-negative number or empty, got "-2"'],
    ['a repeated pair', csv(['step,domain,loss,count', '0,a,1,1', '0,b,1,1', '0,a,2,2']), 'run.csv:4: step 0, domain "a" already has a row on line 2'],
    ['a missing step', csv(['step,domain,loss,count', '0,a,1,1', '3,a,1,1']), 'run.csv: no rows for step 1..2 (steps must be consecutive from 0 to 3)'],
    ['weights not summing to 1', csv(['step,domain,loss,count,weight', '0,a,1,1,0.5', '0,b,1,1,0.4']), 'run.csv:2: step 0: weights must sum to 1 (±0.00001), sum to 0.9'],
    ['an unterminated quote', csv(['step,domain,loss,count', '0,"a,1,1']), 'run.csv:2: unterminated quote'],
  ])('rejects %s', (_what, text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  it('with skipBad, skips bad rows and allows the gaps they leave', () => {
    const log = parseStepLogCsv(csv(['step,domain,loss,count', '0,a,1,1', '1,a,oops,1', '2,a,0.5,2', '2,b,1,0']), {
      skipBad: true,
      file: 'r.csv',
    });
    expect(log.records).toEqual([
      { step: 0, loss: [1], count: [1] },
      { step: 2, loss: [0.5], count: [2] },
    ]);
    expect(log.skipped).toBe(2);
    expect(log.skippedLines.map((s) => s.message)).toEqual([
      'r.csv:3: column "loss" must be a finite non-negative number or empty, got "oops"',
      'r.csv:5: column "loss" is 1 but "count" is 0: domain "b" had no examples in step 2, so its loss must be empty',
    ]);
    // A skipped row never introduces a domain.
    expect(log.header.domains).toEqual(['a']);
  });
});
