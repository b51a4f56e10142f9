/**
 * `adomix train` with a data budget (config `maxEpochs`): the built CLI on the cpu backend,
 * a tiny model; each domain's budget is its training examples, the planned end `steps`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStepLog } from '../../src/runlog/index.js';
import { parseTrainConfig, policySpecFor, runIdentityOf } from '../../src/train/index.js';
import { adomixAsync } from '../helpers/cli.js';
import { TINY } from '../helpers/train.js';

const root = mkdtempSync(join(tmpdir(), 'adomix-train-budget-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const ENV = { ADOMIX_BACKEND: '' };

describe('adomix train with maxEpochs', () => {
  it('caps every domain at maxEpochs × its training examples by the last step, and writes the budget into the step log', async () => {
    const config = join(root, 'budget.json');
    writeFileSync(config, JSON.stringify({ ...TINY, maxEpochs: 0.2 }));
    const free = join(root, 'free.json');
    writeFileSync(free, JSON.stringify(TINY));
    const [a, b] = await Promise.all([
      adomixAsync(['train', '--config', config, '--backend', 'cpu', '--steps', '30', '--out', join(root, 'capped'), '--json', '--no-progress'], ENV),
      adomixAsync(['train', '--config', free, '--backend', 'cpu', '--steps', '30', '--out', join(root, 'free'), '--json', '--no-progress'], ENV),
    ]);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const log = await readStepLog(join(root, 'capped', 'steps.jsonl'));
    const { budget, maxEpochs, plannedSteps } = log.header;
    expect({ maxEpochs, plannedSteps }).toEqual({ maxEpochs: 0.2, plannedSteps: 30 });
    expect(budget).toHaveLength(4);
    const drawn = [0, 0, 0, 0];
    for (const r of log.records) r.count.forEach((c, k) => (drawn[k] += c));
    // Each allowance holds up to sampling noise (step 0 is drawn before any count is known: one batch).
    drawn.forEach((d, k) => expect(d).toBeLessThanOrEqual(0.2 * budget![k]! + 2 * 8));
    const freeLog = await readStepLog(join(root, 'free', 'steps.jsonl'));
    expect(freeLog.header.budget).toBeUndefined();
    const freeDrawn = [0, 0, 0, 0];
    for (const r of freeLog.records) r.count.forEach((c, k) => (freeDrawn[k] += c));
    // Without the budget some domain draws past its allowance: the cap bound.
    expect(freeDrawn.some((d, k) => d > 0.2 * budget![k]! + 2 * 8)).toBe(true);
  });

  it('passes the training sizes as ADO\'s budget; no maxEpochs leaves the spec and the run identity as before', () => {
    const config = parseTrainConfig({ maxEpochs: 3, steps: 100 });
    const spec = policySpecFor(config, ['a', 'b'], [0.5, 0.5], undefined, [1000, 20]) as unknown as Record<string, unknown>;
    expect({ budget: spec.budget, maxEpochs: spec.maxEpochs, plannedSteps: spec.plannedSteps }).toEqual({ budget: [1000, 20], maxEpochs: 3, plannedSteps: 100 });
    const plain = parseTrainConfig({});
    expect('budget' in policySpecFor(plain, ['a', 'b'], [0.5, 0.5], undefined, [1000, 20])).toBe(false);
    expect('maxEpochs' in runIdentityOf(plain)).toBe(false);
    expect(runIdentityOf(config).maxEpochs).toBe(3);
    expect(() => parseTrainConfig({ maxEpochs: 0 }, 'c.json')).toThrow(/^c\.json: maxEpochs: /);
  });
});
