import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { AdomixClient } from '../../src/client/index.js';
import { buildServer, type AdomixServer } from '../../src/serve/index.js';
import { QUICK_ADO, RankedRun } from './helpers.js';

const DOMAINS = ['code', 'prose', 'math'];

describe('adomix serve: fit diagnostics, refusals and collapse alerts', () => {
  let server: AdomixServer;
  let url: string;
  let client: AdomixClient;
  const logged: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const loggerInstance = pino({ level: 'info' }, { write: (s: string) => void logged.push(JSON.parse(s)) });
    server = await buildServer({ loggerInstance });
    url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    client = new AdomixClient(url);
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  async function train(run: string, steps: number): Promise<void> {
    const data = new RankedRun(5, 1, 16);
    for (let t = 0; t < steps; t++) {
      const w = await client.weights(run, t, { wait: 5000 });
      for (const r of data.reports(t, w.weights)) await client.report(run, r);
    }
  }

  it('status shows the last refit\'s diagnostics; /metrics the mixture entropy and the alerts', async () => {
    await client.createRun({ id: 'alerting', domains: DOMAINS, policy: { ...QUICK_ADO, collapseAlerts: { minEntropy: 1 } } });
    await train('alerting', 100);
    const status = await client.status('alerting');
    const g = status.guardrails as {
      entropy: number;
      lastRefit: { startedAfter: number; appliedAfter: number; fits: { domain: string; ok: boolean; points: number; rms: number; r2: number; se: { alpha: number | null } }[] };
      alertCount: number;
      alerts: { step: number; kind: string; message: string }[];
    };
    expect(g.lastRefit).toMatchObject({ startedAfter: 90, appliedAfter: 95 });
    expect(g.lastRefit.fits.map((f) => f.domain)).toEqual(DOMAINS);
    for (const f of g.lastRefit.fits) {
      expect(f.ok).toBe(true);
      expect(f.points).toBe(10); // 91 rows, every 10th
      expect(f.rms).toBeGreaterThan(0);
    }
    expect(g.entropy).toBeGreaterThan(0.5);
    expect(g.entropy).toBeLessThan(1);
    // minEntropy 1: the first laws (the refit after 30 has 4 points, under minPoints 5) set a mixture below it, once
    expect(g.alertCount).toBe(1);
    expect(g.alerts).toEqual([{ step: 65, kind: 'entropy', message: expect.stringMatching(/^mixture entropy [01]\.\d{3} of ln K below minEntropy 1$/) }]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/adomix_collapse_alerts_total\{run="alerting"\} 1\n/);
    const entropy = Number(/adomix_mixture_entropy\{run="alerting"\} ([0-9.e-]+)/.exec(metrics)![1]);
    expect(entropy).toBeCloseTo(g.entropy, 12);
    const warned = logged.filter((l) => l.level === 40 && l.run === 'alerting');
    expect(warned).toEqual([expect.objectContaining({ step: 65, kind: 'entropy', msg: `mixture collapse: ${g.alerts[0].message}` })]);
  });

  it('a refused fit keeps no law, shows in status with its reason and is logged', async () => {
    await client.createRun({ id: 'strict', domains: DOMAINS, policy: { ...QUICK_ADO, fitChecks: { minR2: 0.9999999 } } });
    await train('strict', 70);
    const status = await client.status('strict');
    expect(status.laws).toEqual([null, null, null]);
    const fits = (status.guardrails as { lastRefit: { fits: { ok: boolean; refused: string; reason: string }[] } }).lastRefit.fits;
    for (const f of fits) {
      expect(f.ok).toBe(false);
      expect(f.refused).toMatch(/^R² 0\.\d+ < minR2 0\.9999999 \(log space, 7 points\)$/);
    }
    const warned = logged.filter((l) => l.level === 40 && l.run === 'strict');
    expect(warned.map((l) => [l.step, l.kind, l.domain])).toEqual([
      [65, 'refused', 'code'],
      [65, 'refused', 'prose'],
      [65, 'refused', 'math'],
    ]);
    expect(warned[0].msg).toBe(`refit kept the previous law: fit refused: ${fits[0].refused}`);
  });

  it('a static policy has no guardrails', async () => {
    await client.createRun({ id: 'plain', domains: DOMAINS, policy: { kind: 'balanced' } });
    expect((await client.status('plain')).guardrails).toBeNull();
  });
});
