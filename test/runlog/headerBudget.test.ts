import { describe, expect, it } from 'vitest';
import { formatHeaderLine, parseStepLog, validateStepLogHeader as validateHeader } from '../../src/runlog/index.js';

describe('the step-log header\'s data budget', () => {
  it('round-trips budget, maxEpochs and plannedSteps; older headers read as before', () => {
    const line = formatHeaderLine({ domains: ['a', 'b'], unit: 'tokens', budget: [1_000_000, null], maxEpochs: [4, 1], plannedSteps: 5000 });
    expect(line).toBe('{"adomix":"steplog/1","domains":["a","b"],"unit":"tokens","budget":[1000000,null],"maxEpochs":[4,1],"plannedSteps":5000}');
    expect(validateHeader(JSON.parse(line))).toEqual({ adomix: 'steplog/1', domains: ['a', 'b'], unit: 'tokens', budget: [1_000_000, null], maxEpochs: [4, 1], plannedSteps: 5000 });
    expect(validateHeader({ adomix: 'steplog/1', domains: ['a'], maxEpochs: 2 })).toEqual({ adomix: 'steplog/1', domains: ['a'], unit: 'examples', maxEpochs: 2 });
    const log = parseStepLog('{"adomix":"steplog/1","domains":["a"]}\n{"step":0,"loss":[1],"count":[2]}\n');
    expect(log.header).toEqual({ adomix: 'steplog/1', domains: ['a'], unit: 'examples' });
  });

  it('names the bad field', () => {
    const h = { adomix: 'steplog/1', domains: ['a', 'b'] };
    expect(validateHeader({ ...h, budget: [1] })).toBe('header: budget has 1 entries but there are 2 domains (a, b)');
    expect(validateHeader({ ...h, budget: [1, -1] })).toBe('header: budget[1] must be a finite number ≥ 0 or null (unlimited), got -1');
    expect(validateHeader({ ...h, maxEpochs: 0 })).toMatch(/^header: maxEpochs must be a number > 0/);
    expect(validateHeader({ ...h, maxEpochs: [1, 2, 3] })).toBe('header: maxEpochs has 3 entries but there are 2 domains (a, b)');
    expect(validateHeader({ ...h, plannedSteps: 2.5 })).toBe('header: plannedSteps must be an integer ≥ 1, got 2.5');
  });
});
