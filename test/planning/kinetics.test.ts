import { describe, expect, it } from 'vitest';
import { compareAtEqualCost, kineticsCost, maxGenWithin, maxTrialsWithin, type KineticsConfig } from '../../src/planning/kinetics.js';

// An 8B GQA model (36 layers, 32 query heads, 8 KV heads of 128), 1,024-token prompt,
// 4 trials of 4,096 tokens, on a B200 (I = 562.5 FLOP/byte).
const CFG: KineticsConfig = { params: 8e9, layers: 36, heads: 32, kvHeads: 8, headDim: 128, promptLength: 1024, genLength: 4096, trials: 4 };

describe('Kinetics inference cost', () => {
  it('equals the hand computation', () => {
    // Parameter FLOPs: 2·P·L_out·N = 2 · 8e9 · 4096 · 4 = 262,144,000,000,000.
    const paramFlops = 262_144_000_000_000;
    // Attention FLOPs: 2·(2·1024 + 4096)·4096 · (32·128·36) · 4
    //   = 2·6144·4096 · 147,456 · 4 = 50,331,648 · 589,824 = 29,686,813,949,952.
    const attentionFlops = 29_686_813_949_952;
    // KV bytes: 2·(2·1024 + 4·4096)·4096 · (8·128·36) = 36,864·4096 · 36,864 = 5,566,277,615,616.
    const memoryBytes = 5_566_277_615_616;
    // I·bytes = 562.5 · 5,566,277,615,616 = 3,131,031,158,784,000.
    const memoryEFlops = 3_131_031_158_784_000;
    // eFLOPs = 262,144,000,000,000 + 29,686,813,949,952 + 3,131,031,158,784,000.
    const eFlops = 3_422_861_972_733_952;
    const c = kineticsCost(CFG);
    expect(c.paramFlops).toBe(paramFlops);
    expect(c.attentionFlops).toBe(attentionFlops);
    expect(c.computeFlops).toBe(paramFlops + attentionFlops);
    expect(c.memoryBytes).toBe(memoryBytes);
    expect(c.memoryEFlops).toBe(memoryEFlops);
    expect(c.eFlops).toBe(eFlops);
    expect(c.intensity).toBe(562.5);
    // Memory traffic dominates long generations (the paper's point): 91.5% here.
    expect(c.memoryShare).toBeCloseTo(memoryEFlops / eFlops, 15);
    expect(c.memoryShare).toBeGreaterThan(0.9);
  });

  it('shares the prompt\'s KV cache across trials', () => {
    const one = kineticsCost({ ...CFG, trials: 1 });
    const four = kineticsCost(CFG);
    // The prompt reads (4·L_in·L_out·kv·d_h·layers bytes) are paid once.
    const prompt = 4 * 1024 * 4096 * 8 * 128 * 36;
    expect(four.memoryBytes - prompt).toBe(4 * (one.memoryBytes - prompt));
    expect(four.paramFlops).toBe(4 * one.paramFlops);
  });

  it('solves for the most trials and the longest generation within a budget', () => {
    const c = kineticsCost(CFG).eFlops;
    expect(maxTrialsWithin(c, CFG)).toBe(4);
    expect(maxTrialsWithin(c * (1 - 1e-9), CFG)).toBe(3);
    expect(maxGenWithin(c, CFG)).toBe(4096);
    expect(maxGenWithin(c * (1 - 1e-9), CFG)).toBe(4095);
    expect(maxTrialsWithin(1, CFG)).toBe(0);
    const g = maxGenWithin(2 * c, CFG);
    expect(kineticsCost({ ...CFG, genLength: g }).eFlops).toBeLessThanOrEqual(2 * c);
    expect(kineticsCost({ ...CFG, genLength: g + 1 }).eFlops).toBeGreaterThan(2 * c);
  });

  it('compares configurations at equal cost', () => {
    const small = { ...CFG, params: 0.6e9, layers: 28, heads: 16 };
    const rows = compareAtEqualCost(kineticsCost(CFG).eFlops, [CFG, small]);
    expect(rows[0].maxTrials).toBe(4);
    // The small model is cheaper per trial, so the same budget buys more trials.
    expect(rows[1].maxTrials).toBeGreaterThan(4);
    expect(rows[1].cost.eFlops).toBeLessThan(rows[0].cost.eFlops);
  });

  it('names a bad configuration', () => {
    expect(() => kineticsCost({ ...CFG, kvHeads: 5 })).toThrow('kinetics config: heads (32) must be a multiple of kvHeads (5)');
    expect(() => kineticsCost({ ...CFG, trials: 1.5 })).toThrow('kinetics config: trials must be a positive integer, got 1.5');
    expect(() => kineticsCost({ ...CFG, params: -1 })).toThrow('kinetics config: params must be a positive number, got -1');
    expect(() => compareAtEqualCost(0, [CFG])).toThrow(/budget must be a positive number/);
  });
});
