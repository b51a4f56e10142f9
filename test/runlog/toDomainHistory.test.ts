import { describe, expect, it } from 'vitest';
import { DomainHistoryBuilder, parseStepLog, toDomainHistory } from '../../src/runlog/index.js';

describe('toDomainHistory', () => {
  it('turns records into Float64Arrays per domain, null → NaN, skipped steps → absent', () => {
    const log = parseStepLog(
      [
        '{"adomix":"steplog/1","domains":["a","b"]}',
        '{"step":5,"loss":[1.5,null],"count":[3,0]}',
        '{"step":6,"loss":[1.25,2],"count":[2,1]}',
        'bad line',
        '{"step":8,"loss":[1,1.75],"count":[1,2]}',
      ].join('\n'),
      { skipBad: true },
    );
    const h = toDomainHistory(log);
    expect(h.steps).toBe(4);
    expect(h.startStep).toBe(5);
    expect(h.loss[0]).toBeInstanceOf(Float64Array);
    expect(Array.from(h.loss[0])).toEqual([1.5, 1.25, NaN, 1]);
    expect(Array.from(h.loss[1])).toEqual([NaN, 2, NaN, 1.75]);
    expect(Array.from(h.count[0])).toEqual([3, 2, 0, 1]);
    expect(Array.from(h.count[1])).toEqual([0, 1, 0, 2]);
  });

  it('handles an empty log', () => {
    const h = toDomainHistory(parseStepLog('{"adomix":"steplog/1","domains":["a"]}'));
    expect(h.steps).toBe(0);
    expect(h.loss[0].length).toBe(0);
  });
});

describe('DomainHistoryBuilder', () => {
  it('grows past its initial capacity and refuses out-of-order records', () => {
    const b = new DomainHistoryBuilder(1, 4);
    for (let t = 0; t < 1000; t++) b.add({ step: t, loss: [t], count: [1] });
    const h = b.build();
    expect(h.steps).toBe(1000);
    expect(h.loss[0][999]).toBe(999);
    expect(h.count[0].reduce((s, c) => s + c, 0)).toBe(1000);
    expect(() => b.add({ step: 10, loss: [1], count: [1] })).toThrow('step 10 comes after step 999: records must be in step order');
  });
});
