/** Planning stages from a trajectory: log steps, tiling, sparse records, written weights. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHf, formatMegatron, formatMosaic, formatOlmoCore, planSchedule, readWeightTrajectory, recordSteps, type WeightTrajectory } from '../../src/schedule/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'adomix-schedule-plan-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A step log of the given steps (JSONL lines), weights a before `switchAt`, b from it. */
function writeLog(name: string, steps: number[], a: number[], b: number[], switchAt: number, extra: string[] = []): string {
  const header = { adomix: 'steplog/1', domains: ['x', 'y', 'z'], unit: 'examples' };
  const lines = [JSON.stringify(header), ...steps.map((t) => JSON.stringify({ step: t, loss: [1, 1, 1], count: [2, 1, 1], weights: t < switchAt ? a : b })), ...extra];
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('planSchedule', () => {
  it('numbers stages by log steps, and counts iterations from the first step', async () => {
    const steps = Array.from({ length: 60 }, (_, i) => 100 + i);
    const log = writeLog('offset.jsonl', steps, [0.6, 0.3, 0.1], [0.2, 0.2, 0.6], 130);
    const plan = planSchedule(await readWeightTrajectory(log), { stages: 2 });
    expect(plan.stages.map((s) => [s.startStep, s.endStep, s.steps, s.records, s.endIteration, s.amount])).toEqual([
      [100, 129, 30, 30, 30, 120],
      [130, 159, 30, 30, 60, 120],
    ]);
    expect(plan.stages.map((s) => s.decimals)).toEqual([
      ['0.6', '0.3', '0.1'],
      ['0.2', '0.2', '0.6'],
    ]);
    expect(plan.rms).toBe(0);
    expect([plan.firstStep, plan.lastStep, plan.steps, plan.records, plan.batch, plan.amount]).toEqual([100, 159, 60, 60, 4, 240]);
  });

  it('tiles the run over steps a log skipped', async () => {
    // Step 20 is a bad line: skipped with skipBad, and the stage after it still starts right after the one before.
    const steps = Array.from({ length: 40 }, (_, i) => i).filter((t) => t !== 20);
    const log = writeLog('gap.jsonl', steps, [0.5, 0.25, 0.25], [0.1, 0.1, 0.8], 20);
    const path = join(dir, 'gap-bad.jsonl');
    const text = readFileSync(log, 'utf8').split('\n');
    text.splice(21, 0, '{"step":20,"loss":[1,1,1],"count":[2,1,1],"weights":[0.5,0.5,0.5]}');
    writeFileSync(path, text.join('\n'));
    await expect(readWeightTrajectory(path)).rejects.toThrow('gap-bad.jsonl:22: weights must sum to 1');
    const t = await readWeightTrajectory(path, { skipBad: true });
    expect(t.skipped).toBe(1);
    const plan = planSchedule(t, { stages: 2 });
    expect(plan.stages.map((s) => [s.startStep, s.endStep, s.steps, s.records])).toEqual([
      [0, 19, 20, 20],
      [20, 39, 20, 19],
    ]);
  });

  it('weights a sparse log\'s records by the steps they stand for', () => {
    // Records at steps 99, 199, 999, 1099: the third stands for 800 steps.
    const w = [0.5, 0.5, 0, 0.5, 0.5, 0, 0.1, 0.1, 0.8, 0.1, 0.1, 0.8];
    const t: WeightTrajectory = {
      steplog: 'sparse.jsonl',
      header: { adomix: 'steplog/1', domains: ['x', 'y', 'z'], unit: 'tokens', sparse: true },
      source: 'log',
      policy: null,
      lawUpdates: null,
      length: 4,
      steps: Float64Array.from([99, 199, 999, 1099]),
      weights: Float64Array.from(w),
      amount: Float64Array.from([1e5, 1e5, 8e5, 1e5]),
      skipped: 0,
      firstSkipped: null,
    };
    expect(Array.from(recordSteps(t)!)).toEqual([100, 100, 800, 100]);
    const one = planSchedule(t, { stages: 1 });
    // By steps: (200·[0.5, 0.5, 0] + 900·[0.1, 0.1, 0.8]) / 1100.
    one.stages[0].weights.forEach((x, k) => expect(x).toBeCloseTo((200 * [0.5, 0.5, 0][k] + 900 * [0.1, 0.1, 0.8][k]) / 1100, 14));
    expect([one.firstStep, one.lastStep, one.steps, one.records, one.batch]).toEqual([0, 1099, 1100, 4, null]);
    const two = planSchedule(t, { stages: 2, minSteps: 150 });
    expect(two.stages.map((s) => [s.startStep, s.endStep, s.steps, s.records, s.endIteration])).toEqual([
      [0, 199, 200, 2, 200],
      [200, 1099, 900, 2, 1100],
    ]);
    expect(two.rms).toBe(0);
  });

  it('leaves a weight that rounds to 0 out of a Megatron blend, and keeps it (valid) elsewhere', async () => {
    const log = writeLog('zero.jsonl', [0, 1, 2, 3], [0.9999999, 0.0000001, 0], [0.9999999, 0.0000001, 0], 10);
    const plan = planSchedule(await readWeightTrajectory(log), { stages: 1, paths: { x: '/d/x' } });
    expect(plan.stages[0].decimals).toEqual(['1', '0', '0']);
    const megatron = formatMegatron(plan);
    expect(megatron).toContain('# weight 0 at 6 decimals, left out of the blend: y, z\nSTAGE_1=(--train-iters 4 --data-path 1 /d/x)\n');
    expect(formatOlmoCore(plan)).toContain('target_ratio: 0.0\n');
    expect(formatMosaic(plan)).toContain('proportion: 0.0\n');
    expect(formatHf(plan)).toContain('probabilities=[1, 0, 0],');
  });

  it('refuses --paths for a domain the log lacks', async () => {
    const log = writeLog('p.jsonl', [0, 1], [0.5, 0.25, 0.25], [0.5, 0.25, 0.25], 9);
    const t = await readWeightTrajectory(log);
    expect(() => planSchedule(t, { paths: { w: '/d' } })).toThrow('--paths: the log has no domain "w" (its domains: x, y, z)');
  });
});
