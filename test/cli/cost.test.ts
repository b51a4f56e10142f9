import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adomix, CLI } from '../helpers/cli.js';

const ARGS = ['--params', '8e9', '--layers', '36', '--heads', '32', '--kv-heads', '8', '--head-dim', '128', '--prompt', '1024', '--gen', '4096', '--trials', '4'];

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.json, or npm test)`);
});

describe('adomix cost', () => {
  it('prints the hand-computed Kinetics cost as one JSON object', () => {
    const r = adomix('cost', ...ARGS, '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    // See test/planning/kinetics.test.ts for the hand computation.
    expect(out.configs[0].cost.eFlops).toBe(3_422_861_972_733_952);
    expect(out.configs[0].cost.paramFlops).toBe(262_144_000_000_000);
    expect(out.intensity).toBe(562.5);
    expect(out.budget).toBe(out.configs[0].cost.eFlops);
    expect(out.configs[0].maxTrials).toBe(4);
    expect(out.configs[0].maxGen).toBe(4096);
  });

  it('compares configurations at equal cost, in a table', () => {
    const r = adomix('cost', '--params', '0.6B,8B', '--layers', '28,36', '--heads', '16,32', '--kv-heads', '8', '--head-dim', '128', '--prompt', '1024', '--gen', '4096', '--trials', '4');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('eFLOPs');
    expect(r.stdout).toContain('(the cost of #1)');
    expect(r.stdout).toMatch(/#2\s+2\s+3415/);
  });

  it('takes the intensity and a budget', () => {
    const zero = adomix('cost', ...ARGS, '--intensity', '0', '--json');
    expect(zero.status).not.toBe(0);
    expect(zero.stderr).toContain("option '--intensity <I>' argument '0' is invalid. It must be a positive number");
    const r = adomix('cost', ...ARGS, '--intensity', '100', '--budget', '1e16', '--json');
    const o = JSON.parse(r.stdout);
    expect(o.budget).toBe(1e16);
    expect(o.configs[0].cost.memoryEFlops).toBe(100 * 5_566_277_615_616);
  });

  it('names mismatched lists and bad values', () => {
    const r = adomix('cost', ...ARGS.slice(0, 2), '--layers', '1,2,3', ...ARGS.slice(4), '--params', '1e9,2e9');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('adomix: --params has 2 values; give 1 or 3 (one per configuration)\n');
    const k = adomix('cost', ...ARGS.slice(0, 6), '--kv-heads', '5', ...ARGS.slice(8));
    expect(k.stderr).toBe('adomix: kinetics config: heads (32) must be a multiple of kvHeads (5)\n');
  });
});
