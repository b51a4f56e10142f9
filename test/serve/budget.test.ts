import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdomixClient, AdomixHttpError } from '../../src/client/index.js';
import { AdoPolicy } from '../../src/mixing/index.js';
import { buildServer, type AdomixServer } from '../../src/serve/index.js';
import { QUICK_ADO, RankedRun, summed, type PlainReport } from './helpers.js';

const DOMAINS = ['code', 'prose', 'math'];
const PRIOR = [0.4, 0.4, 0.2];
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('adomix serve with a data budget', () => {
  let server: AdomixServer;
  let client: AdomixClient;
  let state: string;
  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), 'adomix-serve-budget-'));
    dirs.push(state);
    server = await buildServer({ stateDir: state });
    client = new AdomixClient(await server.app.listen({ host: '127.0.0.1', port: 0 }));
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('caps the budgeted domain, equal bit for bit to one policy with the same budget, with a forecast in the status and the budget in the step log', async () => {
    const budget = { budget: [null, null, 150], maxEpochs: 2, plannedSteps: 200 };
    const { kind: _kind, ...quick } = QUICK_ADO;
    await client.createRun({ id: 'capped', domains: DOMAINS, prior: PRIOR, policy: QUICK_ADO, ranks: 2, ...budget });
    const data = new RankedRun(5, 2, 8);
    const ref = new AdoPolicy({ ...quick, domains: DOMAINS, prior: PRIOR, budget: [Infinity, Infinity, 150], maxEpochs: 2, plannedSteps: 200 });
    // The served run plans its schedule for its 200 steps: here the subsample the options left open.
    expect(ref.planSteps(200)).toBe(true);
    expect(ref.settings.fit.subsample).toBe(3);
    const sent: PlainReport[] = [];
    let math = 0;
    for (let t = 0; t < 120; t++) {
      const w = await client.weights('capped', t, { wait: 5000 });
      expect(w.weights).toEqual(Array.from(ref.weights()));
      const reports = data.reports(t, w.weights);
      await Promise.all(reports.map((r) => client.report('capped', r)));
      sent.push(...reports);
      const step = summed(reports, 3);
      math += step.count[2];
      ref.observe({ step: t, ...step });
    }
    const status = await client.status('capped');
    const b = status.budget as { feasible: boolean; capped: number; runsOutAt: (number | null)[] };
    expect(b).toEqual({ feasible: true, capped: expect.any(Number), runsOutAt: [null, null, expect.any(Number)] });
    expect(b.runsOutAt[2]).toBe(ref.budgetForecast()![2]);
    // The math share keeps 300 − drawn for the 80 steps left: ≤ (300 − math)/(80·16).
    const last = await client.weights('capped', 120, { wait: 5000 });
    expect(last.weights[2]).toBeLessThanOrEqual((300 - math) / (79 * 16) + 1e-12);
    const header = JSON.parse(readFileSync(join(state, 'capped', 'steplog.jsonl'), 'utf8').split('\n')[0]);
    expect(header).toMatchObject({ domains: DOMAINS, budget: [null, null, 150], maxEpochs: 2, plannedSteps: 200 });
  });

  it('refuses a budget of the wrong length, for another policy, or given twice, naming the field', async () => {
    const bad = async (spec: object): Promise<string> => {
      try {
        await client.createRun({ id: 'bad', domains: DOMAINS, ...spec });
        return 'created';
      } catch (err) {
        expect(err).toBeInstanceOf(AdomixHttpError);
        return (err as Error).message;
      }
    };
    expect(await bad({ budget: [1, 2] })).toContain('body/budget has 2 entries for 3 domains');
    expect(await bad({ budget: [1, 2, 3], policy: { kind: 'balanced' } })).toContain('body/budget: a data budget applies to the ado policy only (policy is balanced)');
    expect(await bad({ plannedSteps: 10, policy: { kind: 'ado', plannedSteps: 10 } })).toContain('body/policy/plannedSteps: give the data budget once, at the top level');
    expect(await bad({ maxEpochs: 0 })).toMatch(/maxEpochs must be > 0/);
    expect(await bad({ budget: [1, -1, null] })).toMatch(/budget\/1 must be >= 0/);
  });
});
