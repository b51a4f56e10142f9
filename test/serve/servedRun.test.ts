import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/random/index.js';
import type { StepRecordInput } from '../../src/runlog/index.js';
import { createRunPolicy, resolveRunSpec, RunRegistry, ServedRun, type RunPersistence } from '../../src/serve/index.js';
import { QUICK_ADO, quickAdo, RankedRun, shuffled, summed, type PlainReport } from './helpers.js';

const DOMAINS = ['code', 'prose', 'math', 'json'];
const PRIOR = [0.4, 0.3, 0.2, 0.1];

function recording(): RunPersistence & { records: StepRecordInput[]; checkpoints: number } {
  const rec = {
    records: [] as StepRecordInput[],
    checkpoints: 0,
    report() {},
    event() {},
    step(r: StepRecordInput) {
      rec.records.push({ ...r, weights: Array.from(r.weights!), loss: Array.from(r.loss), count: Array.from(r.count) });
    },
    checkpoint() {
      rec.checkpoints++;
    },
  };
  return rec;
}

function newRun(over: Record<string, unknown> = {}, persistence?: RunPersistence): ServedRun {
  const spec = resolveRunSpec({ id: 'test', domains: DOMAINS, prior: PRIOR, policy: QUICK_ADO, ...over });
  return new ServedRun(spec, createRunPolicy(spec), persistence);
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'adomix-serve-'));
  dirs.push(d);
  return d;
}

/**
 * Drives a served run with R ranks whose reports of different steps arrive shuffled
 * (a report is drawn with the weights the run serves for its step), returns every report.
 */
function driveShuffled(run: ServedRun, data: RankedRun, steps: number, seed: number): PlainReport[] {
  const rng = new Rng(seed);
  const pool: PlainReport[] = [];
  const sent: PlainReport[] = [];
  const sendOne = (): void => {
    const i = rng.int(pool.length);
    const [r] = pool.splice(i, 1);
    expect(run.report(r, 0).status).toBe('accepted');
    sent.push(r);
    if (rng.next() < 0.2) expect(run.report(r, 0).status).toBe('duplicate'); // a retry
  };
  for (let t = 0; t < steps; t++) {
    while (run.weightsFor(t) === undefined) sendOne();
    pool.push(...data.reports(t, run.weightsFor(t)!.weights));
    while (pool.length > 0 && rng.next() < 0.7) sendOne();
  }
  while (pool.length > 0) sendOne();
  return sent;
}

describe('ServedRun: data-parallel steps', () => {
  it.each([0, 1, 3])('with lag %i, equals one AdoPolicy fed the summed steps, bit for bit, whatever the arrival order', (lag) => {
    const K = DOMAINS.length;
    const steps = 160;
    const rec = recording();
    const run = newRun({ ranks: 4, lag }, rec);
    const sent = driveShuffled(run, new RankedRun(1, 4), steps, 2 + lag);
    expect(run.applied).toBe(steps - 1);
    const ref = quickAdo(DOMAINS, PRIOR);
    const outs: Float64Array[] = [ref.weights()];
    for (let t = 0; t < steps; t++) {
      const { loss, count } = summed(sent.filter((r) => r.step === t), K);
      outs.push(ref.observe({ step: t, loss, count }));
      const record = rec.records[t];
      expect(record.step).toBe(t);
      expect(Array.from(record.count)).toEqual(Array.from(count));
      expect(Array.from(record.loss)).toEqual(Array.from(loss));
      // The weights step t used: the policy's output after step t − 1 − lag (index +1: outs[0] is the initial mixture).
      expect(record.weights).toEqual(Array.from(outs[Math.max(t - lag, 0)]));
    }
    expect(ref.lawsVersion).toBeGreaterThan(3); // several refits happened
    expect(Array.from(run.weightsFor(steps + lag)!.weights)).toEqual(Array.from(outs[steps]));
    expect((run.status(0).laws as unknown[]).every((l) => l !== null)).toBe(true);
  });

  it('makes the weights of step t available once step t − 1 − lag is applied', () => {
    const run = newRun({ ranks: 2, lag: 1 });
    const data = new RankedRun(3, 2);
    expect(run.weightsFor(0)!.basedOn).toBe(-1);
    expect(run.weightsFor(1)!.basedOn).toBe(-1); // t ≤ lag: the initial mixture
    expect(run.weightsFor(2)).toBeUndefined();
    const [a, b] = data.reports(0, run.weightsFor(0)!.weights);
    run.report(a, 0);
    expect(run.weightsFor(2)).toBeUndefined(); // rank 1 has not reported step 0
    run.report(b, 0);
    expect(run.weightsFor(2)!.basedOn).toBe(0);
    expect(run.weightsFor(3)).toBeUndefined();
  });

  it('accepts means (loss) as well as sums (lossSum), to the same step', () => {
    const a = newRun({ ranks: 2 });
    const b = newRun({ ranks: 2 });
    const data = new RankedRun(4, 2);
    for (let t = 0; t < 40; t++) {
      const reps = data.reports(t, a.weightsFor(t)!.weights);
      for (const r of reps) {
        a.report(r, 0);
        b.report({ step: r.step, rank: r.rank, count: r.count, loss: r.lossSum.map((s, k) => (r.count[k] > 0 ? s / r.count[k] : null)) }, 0);
      }
    }
    const wa = Array.from(a.weightsFor(40)!.weights);
    const wb = Array.from(b.weightsFor(40)!.weights);
    wa.forEach((x, k) => expect(wb[k]).toBeCloseTo(x, 12)); // mean·count need not give back the sum's last bit
  });

  it('treats a resent report as a duplicate and a different one for the same (step, rank) as a conflict', () => {
    const run = newRun({ ranks: 2 });
    const r = { step: 0, rank: 1, count: [2, 0, 1, 0], lossSum: [5, null, 2, 0] };
    expect(run.report(r, 0)).toEqual({ status: 'accepted', applied: -1 });
    expect(run.status(0).counts).toMatchObject({ reports: 1 }); // a pending report counts in status
    expect(run.report(r, 0)).toEqual({ status: 'duplicate', applied: -1 });
    expect(() => run.report({ ...r, lossSum: [5.5, null, 2, 0] }, 0)).toThrow(/rank 1 already reported step 0 with different values/);
    run.report({ ...r, rank: 0 }, 0);
    expect(run.applied).toBe(0);
    expect(run.report(r, 0).status).toBe('duplicate'); // an applied step's report, resent
    expect(() => run.report({ ...r, count: [3, 0, 1, 0] }, 0)).toThrow(/rank 1 already reported step 0 with different values .*the step is applied/);
    expect(run.counts).toMatchObject({ reports: 2, duplicates: 2, stepsApplied: 1 });
  });

  it.each([
    [{ step: -1, rank: 0, count: [1, 0, 0, 0], lossSum: [1, 0, 0, 0] }, /body\/step must be an integer ≥ 0, got -1/],
    [{ step: 0, rank: 2, count: [1, 0, 0, 0], lossSum: [1, 0, 0, 0] }, /body\/rank must be an integer in \[0, 1\] \(run test has 2 ranks\), got 2/],
    [{ step: 0, rank: 0, count: [1, 0, 0], lossSum: [1, 0, 0] }, /body\/count must have 4 entries \(one per domain: code, prose, math, json\), got 3/],
    [{ step: 0, rank: 0, count: [1, 0, 0, 0], lossSum: [1, 0, 0] }, /body\/lossSum has 3 entries, body\/count has 4/],
    [{ step: 0, rank: 0, count: [1, -1, 0, 0], lossSum: [1, 0, 0, 0] }, /body\/count\/1 \(domain prose\) must be an integer ≥ 0, got -1/],
    [{ step: 0, rank: 0, count: [1.5, 0, 0, 0], lossSum: [1, 0, 0, 0] }, /body\/count\/0 \(domain code\) must be an integer ≥ 0, got 1.5/],
    [{ step: 0, rank: 0, count: [1, 0, 0, 0], lossSum: [NaN, 0, 0, 0] }, /body\/lossSum\/0 \(domain code\) must be a finite number ≥ 0 where the count is 1, got null/],
    [{ step: 0, rank: 0, count: [1, 0, 0, 0], lossSum: [-2, 0, 0, 0] }, /body\/lossSum\/0 \(domain code\) must be a finite number ≥ 0 where the count is 1, got -2/],
    [{ step: 0, rank: 0, count: [1, 0, 0, 0], lossSum: [1, 3, 0, 0] }, /body\/lossSum\/1 \(domain prose\) must be null or 0 where the count is 0, got 3/],
    [{ step: 0, rank: 0, count: [0, 0, 0, 0], lossSum: [0, 0, 0, 0] }, /body\/count: rank 0's step 0 has no examples at all/],
    [{ step: 0, rank: 0, count: [1, 0, 0, 0] }, /exactly one of lossSum \(per-domain sums\) and loss \(per-domain means\)/],
    [{ step: 0, rank: 0, count: [4503599627370496, 0, 0, 0], lossSum: [1, 0, 0, 0] }, /body\/count\/0 \(domain code\) must be at most 4503599627370495 \(2\^53 − 1 over 2 ranks\)/],
    [{ step: 0, rank: 0, count: [10, 0, 0, 0], loss: [1e308, 0, 0, 0] }, /body\/loss\/0 \(domain code\) times its count 10 is not a finite number/],
    [{ step: 5000, rank: 0, count: [1, 0, 0, 0], lossSum: [1, 0, 0, 0] }, /step 5000 is more than 4096 steps ahead of the last applied step -1/],
  ])('refuses a bad report, naming the field: %j', (report, message) => {
    const run = newRun({ ranks: 2 });
    expect(() => run.report(report as never, 0)).toThrow(message);
    expect(run.counts.reports).toBe(0);
    expect(run.assembler.pendingSteps()).toEqual([]); // nothing kept of it
  });

  it('logs the weights a step was really drawn with when ranks went on with older ones (basedOn), and counts them', () => {
    const rec = recording();
    const run = newRun({ ranks: 2, lag: 0 }, rec);
    const data = new RankedRun(9, 2);
    drive(run, data, 0, 81); // past the first fit (after step 60, applied after 65): the weights move every step
    const old = run.weightsFor(80)!; // basedOn 79
    const fresh = run.weightsFor(81)!; // basedOn 80
    expect(old.weights).not.toEqual(fresh.weights);
    const [a, b] = data.reports(81, fresh.weights);
    run.report({ ...a, basedOn: 80 }, 0);
    run.report({ ...b, basedOn: 79 }, 0); // rank 1 did not wait for step 80's weights
    const na = a.count.reduce((x, y) => x + y, 0);
    const nb = b.count.reduce((x, y) => x + y, 0);
    const expected = Array.from(fresh.weights, (w, k) => (na * w + nb * old.weights[k]) / (na + nb));
    (rec.records[81].weights as number[]).forEach((w, k) => expect(w).toBeCloseTo(expected[k], 15));
    expect(run.counts.staleWeights).toBe(1);
    expect(() => run.report({ ...data.reports(82, fresh.weights)[0], basedOn: 82 }, 0)).toThrow(/body\/basedOn must be an integer from -1 to 81/);
  });

  it('says which ranks a step waits for, and names them stalled after rankTimeoutMs', () => {
    const run = newRun({ ranks: 3, rankTimeoutMs: 1000 });
    const data = new RankedRun(5, 3);
    const [r0, r1, r2] = data.reports(0, run.weightsFor(0)!.weights);
    run.report(r0, 0);
    run.report(r1, 0);
    run.report(r2, 10); // step 0 applied
    const [s0, , s2] = data.reports(1, run.weightsFor(1)!.weights);
    run.report(s0, 2000);
    run.report(s2, 2100);
    expect(run.status(2500)).toMatchObject({ applied: 0, waitingFor: { step: 1, ranks: [1], sinceMs: 500, lastReported: [0] }, stalled: [] });
    expect(run.status(3001).stalled).toEqual([{ rank: 1, lastReported: 0, missingSinceStep: 1, waitingMs: 1001 }]);
  });
});

/** Sequential driving: every step's reports, rank by rank; returns them. */
function drive(run: ServedRun, data: RankedRun, from: number, to: number): PlainReport[] {
  const sent: PlainReport[] = [];
  for (let t = from; t < to; t++) {
    for (const r of data.reports(t, run.weightsFor(t)!.weights)) {
      run.report(r, 0);
      sent.push(r);
    }
  }
  return sent;
}

describe('ServedRun: domain events at step boundaries', () => {
  it('adds a domain and exhausts one after the steps named, as one policy doing the same', () => {
    const rec = recording();
    const run = newRun({ ranks: 2, lag: 1 }, rec);
    expect(() => run.addDomain('math', 0.1)).toThrow(/domain "math" already exists in run test/);
    expect(() => run.addDomain('web', 1.5)).toThrow(/body\/prior must be a number in \(0, 1\), got 1.5/);
    expect(() => run.markExhausted('nope')).toThrow(/run test has no domain "nope" after step 0/);
    expect(run.addDomain('web', 0.2, 40)).toMatchObject({ seq: 1, afterStep: 40, type: 'add', name: 'web', prior: 0.2 });
    expect(run.markExhausted('json', 70)).toMatchObject({ seq: 2, afterStep: 70, type: 'exhaust', domain: 'json' });
    expect(() => run.markExhausted('web', 30)).toThrow(/run test has no domain "web" after step 30/); // added only after 40
    expect(() => run.addDomain('web', 0.1, 50)).toThrow(/domain "web" already exists/);
    const data = new RankedRun(6, 2);
    const sent = drive(run, data, 0, 42);
    // Step 42's weights come from after step 40, which has the new domain: 5 entries now.
    const [late] = data.reports(42, run.weightsFor(41)!.weights);
    expect(() => run.report(late, 0)).toThrow(/body\/count must have 5 entries/);
    sent.push(...drive(run, data, 42, 100));

    const ref = quickAdo(DOMAINS, PRIOR);
    const outs: Float64Array[] = [ref.weights()];
    for (let t = 0; t < 100; t++) {
      const { loss, count } = summed(sent.filter((r) => r.step === t), ref.domains.length);
      ref.observe({ step: t, loss, count });
      if (t === 40) ref.addDomain('web', 0.2);
      if (t === 70) ref.markExhausted('json');
      outs.push(ref.weights());
    }
    expect(run.failed).toBeUndefined();
    expect(run.domains).toEqual([...DOMAINS, 'web']);
    expect(Array.from(run.weightsFor(101)!.weights)).toEqual(Array.from(outs[100]));
    expect(run.weightsFor(101)!.weights[3]).toBe(0); // json exhausted
    // Every step's weights: the policy's output after step t − 2 (lag 1), over the domains of then, padded.
    for (let t = 0; t < 100; t++) {
      const out = Array.from(outs[Math.max(t - 1, 0)]);
      expect(rec.records[t].weights).toEqual([...out, ...new Array(rec.records[t].weights!.length - out.length).fill(0)]);
    }
    expect(rec.checkpoints).toBe(1); // adding a domain checkpoints
  });
});

describe('ServedRun on disk: kill, restart, resend', () => {
  const spec = { id: 'disk', domains: DOMAINS, prior: PRIOR, policy: QUICK_ADO, ranks: 4, lag: 1, checkpointEvery: 40 };

  async function uninterrupted(steps: number): Promise<{ steplog: string; weights: number[] }> {
    const dir = tempDir();
    const reg = RunRegistry.open(dir);
    const { run } = reg.create(spec).entry;
    drive(run, new RankedRun(7, 4), 0, steps);
    const weights = Array.from(run.weightsFor(steps + 1)!.weights);
    await reg.close();
    return { steplog: readFileSync(join(dir, 'disk', 'steplog.jsonl'), 'utf8'), weights };
  }

  it('keeps its counters across a restart, pending reports counted once', () => {
    const run = newRun({ ranks: 2 });
    const data = new RankedRun(12, 2);
    drive(run, data, 0, 3);
    const [a, b] = data.reports(3, run.weightsFor(3)!.weights);
    run.report(a, 0); // pending at the checkpoint, and in the rotated journal
    const meta = run.checkpointMeta();
    const again = new ServedRun(run.spec, run.policy, undefined, meta);
    again.replay([{ report: { step: a.step, rank: a.rank, lossSum: Float64Array.from(a.lossSum), count: Float64Array.from(a.count) } }], 0);
    again.report(b, 0);
    expect(again.counts).toMatchObject({ reports: 8, stepsApplied: 4 });
  });

  it('resumes exactly: same weights, same step log, resent reports are duplicates', async () => {
    const dir = tempDir();
    const data = new RankedRun(7, 4);
    const a = RunRegistry.open(dir);
    const first = a.create(spec).entry;
    drive(first.run, data, 0, 93);
    // Half of step 93 arrives, then the server dies: no checkpoint since step 79.
    const partial = data.reports(93, first.run.weightsFor(93)!.weights);
    first.run.report(partial[0], 0);
    first.run.report(partial[2], 0);
    first.store!.close();
    await first.runner!.close();

    const b = RunRegistry.open(dir);
    const { run } = b.get('disk');
    expect(run.applied).toBe(92); // checkpoint at 79, then the journal's steps 80–92 again
    expect(run.counts).toMatchObject({ reports: 93 * 4 + 2, stepsApplied: 93 }); // the counters survive too
    expect(run.status(0).waitingFor).toMatchObject({ step: 93, ranks: [1, 3] });
    // Ranks that did not hear back resend; all of it is deduplicated.
    for (const r of partial) run.report(r, 0);
    expect(run.counts.duplicates).toBe(2);
    drive(run, data, 94, 150);
    const weights = Array.from(run.weightsFor(151)!.weights);
    await b.close();
    const ref = await uninterrupted(150);
    expect(weights).toEqual(ref.weights);
    expect(readFileSync(join(dir, 'disk', 'steplog.jsonl'), 'utf8')).toBe(ref.steplog);
  });

  it('refuses to start on a corrupt checkpoint or journal, naming the file', async () => {
    const dir = tempDir();
    const a = RunRegistry.open(dir);
    drive(a.create(spec).entry.run, new RankedRun(8, 4), 0, 45);
    await a.close();
    const journal = join(dir, 'disk', 'journal.jsonl');
    writeFileSync(journal, '{"s":1,"r":0}\n{"s":2,\n');
    expect(() => RunRegistry.open(dir)).toThrow(new RegExp(`${journal}:1: a journal line must be a report`));
    writeFileSync(journal, 'not json\n');
    expect(() => RunRegistry.open(dir)).toThrow(new RegExp(`${journal}:1: corrupt journal line`));
    writeFileSync(journal, '');
    writeFileSync(join(dir, 'disk', 'checkpoint.json'), '{"adomix":"checkpoint/1","policy":{"kind":"ado"}');
    expect(() => RunRegistry.open(dir)).toThrow(/checkpoint\.json: not a valid checkpoint: corrupt JSON/);
  });
});
