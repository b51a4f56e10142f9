import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { runReplay } from '../../src/cli/replay.js';
import { adomixAsync } from '../helpers/cli.js';
import { makeLog } from '../helpers/steplog.js';
import { Rng } from '../../src/random/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'adomix-guard-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** makeLog's run with domain "prose" diverging (loss ×3) from step `from` on. */
function divergingLog(steps: number, from: number): string[] {
  return makeLog(steps).map((l, i) => {
    if (i === 0) return l;
    const r = JSON.parse(l);
    if (r.step >= from && r.loss[1] !== null) r.loss[1] = Number((3 * r.loss[1]).toFixed(5));
    return JSON.stringify(r);
  });
}

function memoryLogger(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void chunks.push(s) });
  return { logger, lines: () => chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

describe('adomix replay: fit diagnostics, refusals and alerts', () => {
  it('writes each refitted domain\'s diagnostics on the line where the refit was applied', async () => {
    const path = join(dir, 'run.jsonl');
    writeFileSync(path, makeLog(800).join('\n') + '\n');
    const out = join(dir, 'w.jsonl');
    const summary = await runReplay(path, { policy: 'ado', startStep: 200, refitInterval: 200, ignoreSteps: 10, out });
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const withFit = lines.filter((o) => 'fit' in o);
    expect(withFit.map((o) => o.step)).toEqual([300, 500, 700]);
    const fit = withFit[2].fit;
    expect(fit.map((d: { domain: string }) => d.domain)).toEqual(['code', 'prose', 'math']);
    for (const d of fit) {
      expect(d.ok).toBe(true);
      expect(d.points).toBe(60); // (601 − 10) / 10 rounded up
      expect(d.rms).toBeGreaterThan(0);
      expect(d.rms).toBeLessThan(0.02);
      expect(d.r2).toBeGreaterThan(0.9);
      expect(d.se.alpha).toBeGreaterThan(0);
      expect(Array.isArray(d.activeBounds)).toBe(true);
    }
    expect(summary).toMatchObject({ refusedFits: 0, alerts: 0, lawUpdates: 3 });
  });

  it('a diverged domain\'s fit is refused (previous law kept), written and logged with the reason', async () => {
    const path = join(dir, 'diverged.jsonl');
    writeFileSync(path, divergingLog(800, 450).join('\n') + '\n');
    const out = join(dir, 'd.jsonl');
    const mem = memoryLogger();
    const summary = await runReplay(path, { policy: 'ado', startStep: 200, refitInterval: 200, ignoreSteps: 10, out, logger: mem.logger });
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // refits started after 200, 400, 600 land after 300, 500, 700; the last sees the divergence
    const at700 = lines.find((o) => o.step === 700);
    const prose = at700.fit.find((d: { domain: string }) => d.domain === 'prose');
    expect(prose.ok).toBe(false);
    expect(prose.refused).toMatch(/^residual RMS 0\.\d+ > maxRms 0\.3 \(log space, 60 points\)$/);
    expect(prose.reason).toBe(`fit refused: ${prose.refused}`);
    expect(at700.fit.filter((d: { ok: boolean }) => d.ok).map((d: { domain: string }) => d.domain)).toEqual(['code', 'math']);
    // prose keeps the law it got at 500
    const at500 = lines.find((o) => o.step === 500);
    expect(at700.params[1]).toEqual(at500.params[1]);
    expect(at700.params[0]).not.toEqual(at500.params[0]);
    expect(summary.refusedFits).toBe(1);
    const warned = mem.lines().filter((l) => l.level === 40);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ step: 700, domain: 'prose' });
    expect(warned[0].msg).toBe(`refit kept the previous law: fit refused: ${prose.refused}`);
  });

  it('writes and logs a collapse alert when a still-falling domain stays pinned at δ_min', async () => {
    // "math" falls fast in relative terms (ε ≈ 0) but its slope is tiny next to the others'.
    const rng = new Rng(3);
    const log = [JSON.stringify({ adomix: 'steplog/1', domains: ['code', 'prose', 'math'], unit: 'examples' })];
    let n = 0;
    for (let t = 0; t < 1000; t++) {
      n += 25;
      const noise = () => 1 + 0.01 * rng.normal();
      const loss = [1.2 + 30 * n ** -0.3 * noise(), 0.9 + 12 * n ** -0.22 * noise(), (1e-4 + 0.05 * n ** -0.3) * noise()];
      log.push(JSON.stringify({ step: t, loss: loss.map((x) => Number(x.toPrecision(6))), count: [10, 10, 5] }));
    }
    const path = join(dir, 'pinned.jsonl');
    writeFileSync(path, log.join('\n') + '\n');
    const out = join(dir, 'p.jsonl');
    const mem = memoryLogger();
    const summary = await runReplay(path, { policy: 'ado', startStep: 200, refitInterval: 200, ignoreSteps: 10, out, logger: mem.logger });
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const alerted = lines.filter((o) => 'alerts' in o);
    // refits applied after 300, 500, 700, 900: the third at δ_min raises it
    expect(alerted.map((o) => o.step)).toEqual([700]);
    expect(alerted[0].alerts).toHaveLength(1);
    expect(alerted[0].alerts[0]).toMatchObject({ kind: 'pinned', domain: 'math' });
    expect(summary.alerts).toBe(1);
    const warned = mem.lines().filter((l) => l.level === 40);
    expect(warned.map((l) => l.msg)).toEqual([`mixture collapse: ${alerted[0].alerts[0].message}`]);
    expect(warned[0]).toMatchObject({ step: 700, alert: 'pinned', domain: 'math' });
    // the built command prints the count
    const r = await adomixAsync(['replay', path, '--start-step', '200', '--refit-interval', '200', '--ignore-steps', '10', '--out', join(dir, 'p2.jsonl')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/collapse alerts\s+1\n/);
    expect(r.stdout).toMatch(/refused fits\s+0\n/);
  });
});
