import { afterEach, describe, expect, it } from 'vitest';
import { AdoPolicy } from '../../src/mixing/index.js';
import { WorkerRefitRunner } from '../../src/refit/index.js';
import { drive, SyntheticRun } from '../mixing/helpers.js';

const opts = { domains: ['a', 'b', 'c'], prior: [0.4, 0.4, 0.2], startStep: 300, ignoreSteps: 100, refitInterval: 300, lag: 5 };
const runners: WorkerRefitRunner[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) await r.close();
});

describe('fit diagnostics across the worker boundary', () => {
  it('a worker refit reports the same diagnostics as an inline one, value for value', () => {
    const inline = new AdoPolicy(opts);
    drive(inline, new SyntheticRun(9, 3), 1000);
    const r = new WorkerRefitRunner();
    runners.push(r);
    const threaded = new AdoPolicy({ ...opts, refitRunner: r });
    drive(threaded, new SyntheticRun(9, 3), 1000);
    const rep = threaded.lastRefit!;
    expect(rep.results).toHaveLength(3);
    for (const x of rep.results) {
      expect(x.diagnostics).toBeDefined();
      expect(x.diagnostics!.points).toBe(x.points);
      expect(x.diagnostics!.rms!).toBeGreaterThan(0);
    }
    expect(rep).toEqual(inline.lastRefit);
    expect(JSON.stringify(rep)).toBe(JSON.stringify(inline.lastRefit));
  });
});
