import { mkdtempSync, readFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCorpus } from '../../src/data/index.js';
import { StaticPolicy, createPolicy, type AdoPolicy, type MixturePolicy } from '../../src/mixing/index.js';
import { readStepLog } from '../../src/runlog/index.js';
import { Adam } from '../../src/tfjs/adam.js';
import { selectBackend } from '../../src/tfjs/backend.js';
import { CharLMTask } from '../../src/models/index.js';
import { trainLoop, type TrainLoopOptions } from '../../src/tfjs/trainLoop.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu', strict: true });
});

const corpus = builtinCorpus({ seed: 5, trainChars: { code: 3000, prose: 3000, json: 1500, random: 2500 }, heldOutChars: 400 });
const DOMAINS = corpus.map((d) => d.name);

function tinyTask(seed = 0): CharLMTask {
  return new CharLMTask(corpus, { model: { context: 4, embedding: 4, hidden: 16, layers: 1, seed }, targetsPerExample: 4, evalExamples: 4 });
}

const root = mkdtempSync(join(tmpdir(), 'adomix-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
function tmp(): string {
  return mkdtempSync(join(root, 'run-'));
}

/** A small ADO policy that really refits within a dozen steps (inline refits, lag 1). */
function adoPolicy(task: CharLMTask): MixturePolicy {
  const total = task.trainSizes.reduce((a, b) => a + b, 0);
  return createPolicy({
    kind: 'ado',
    domains: DOMAINS,
    prior: task.trainSizes.map((n) => n / total),
    startStep: 4,
    refitInterval: 3,
    ignoreSteps: 0,
    minPoints: 3,
    lag: 1,
    fit: { subsample: 1 },
  });
}

async function run(outDir: string | undefined, steps: number, extra: Partial<TrainLoopOptions> = {}, makePolicy = adoPolicy) {
  const task = tinyTask();
  const optimizer = new Adam({ learningRate: 5e-3 });
  const policy = extra.resume ? undefined : makePolicy(task);
  try {
    const r = await trainLoop({ task, policy, optimizer, steps, batchSize: 8, seed: 3, evalEvery: 4, checkpointEvery: outDir ? 4 : 0, outDir, ...extra });
    await r.policy.close();
    return r;
  } finally {
    optimizer.dispose();
    task.dispose();
  }
}

describe('trainLoop (cpu backend, tiny model)', () => {
  it('writes a valid step log with weights, counts, held-out losses and laws, and a checkpoint', async () => {
    const dir = tmp();
    const r = await run(dir, 12);
    expect(r).toMatchObject({ firstStep: 0, lastStep: 11, stopped: 'done' });
    const log = await readStepLog(join(dir, 'steps.jsonl'));
    expect(log.header.domains).toEqual(DOMAINS);
    expect(log.header.prior!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(log.records.map((x) => x.step)).toEqual([...Array(12).keys()]);
    for (const rec of log.records) {
      expect(rec.count.reduce((a, b) => a + b, 0)).toBe(8);
      expect(rec.weights!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      rec.count.forEach((c, k) => expect(rec.loss[k] === null).toBe(c === 0));
    }
    // The first step is drawn with ADO's initial mixture (balanced; the header keeps the prior); evaluations at steps 3, 7, 11.
    log.records[0].weights!.forEach((w) => expect(w).toBeCloseTo(1 / log.header.domains.length, 12));
    expect(log.header.prior![0]).not.toBeCloseTo(1 / log.header.domains.length, 3);
    expect(log.records.filter((x) => x.evalLoss !== undefined).map((x) => x.step)).toEqual([3, 7, 11]);
    expect(log.records.some((x) => x.params !== undefined)).toBe(true);
    // Held-out loss starts near ln 96 and is reported for every domain.
    expect(r.heldOut.length).toBe(4);
    for (const v of r.heldOut) expect(v).toBeGreaterThan(3);
    const ckpt = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
    expect(ckpt).toMatchObject({ adomix: 'checkpoint/1', policy: { kind: 'ado', step: 11 }, meta: { training: { step: 11 } } });
    // Only the latest weights file is kept; no temporary files are left behind.
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'steps.jsonl', 'weights-00000011.bin']);
  });

  it('resumes exactly: an interrupted and resumed run writes the same log as an uninterrupted one', async () => {
    const straight = tmp();
    await run(straight, 12);
    const interrupted = tmp();
    const controller = new AbortController();
    const first = await run(interrupted, 12, {
      signal: controller.signal,
      onStep: (p) => {
        if (p.step === 5) controller.abort();
      },
    });
    expect(first).toMatchObject({ lastStep: 5, stopped: 'aborted' });
    const resumed = await run(interrupted, 12, { resume: true });
    expect(resumed).toMatchObject({ firstStep: 6, lastStep: 11, stopped: 'done' });
    expect(readFileSync(join(interrupted, 'steps.jsonl'), 'utf8')).toBe(readFileSync(join(straight, 'steps.jsonl'), 'utf8'));
    expect(readFileSync(join(interrupted, 'weights-00000011.bin')).equals(readFileSync(join(straight, 'weights-00000011.bin')))).toBe(true);
    expect(Array.from(resumed.weights)).toEqual(Array.from((await run(undefined, 12)).weights));
  });

  it("gives an ADO policy left at the preset's schedule one made for the run (planSteps), kept on resume", async () => {
    const libraryDefaults = (task: CharLMTask): MixturePolicy => {
      const total = task.trainSizes.reduce((a, b) => a + b, 0);
      return createPolicy({ kind: 'ado', domains: DOMAINS, prior: task.trainSizes.map((n) => n / total) });
    };
    const straight = tmp();
    const r = await run(straight, 60, {}, libraryDefaults);
    // adoScheduleFor(60): the preset's startStep 1000 would never fit in 60 steps.
    expect((r.policy as AdoPolicy).settings).toMatchObject({ startStep: 20, refitInterval: 10, ignoreSteps: 2, lag: 2, fit: { subsample: 1 } });
    expect((r.policy as AdoPolicy).lawsVersion).toBeGreaterThan(0);
    const interrupted = tmp();
    const controller = new AbortController();
    await run(interrupted, 60, { signal: controller.signal, onStep: (p) => p.step === 33 && controller.abort() }, libraryDefaults);
    await run(interrupted, 60, { resume: true });
    expect(readFileSync(join(interrupted, 'steps.jsonl'), 'utf8')).toBe(readFileSync(join(straight, 'steps.jsonl'), 'utf8'));
  });

  it('resume drops step-log lines written after the checkpoint', async () => {
    const dir = tmp();
    await run(dir, 8);
    // A crash after a checkpoint at step 3 would leave steps 4…7 in the log: fake it by
    // checkpointing at 3 in one run and keeping the later log of another.
    const a = tmp();
    const controller = new AbortController();
    await run(a, 8, { signal: controller.signal, onStep: (p) => p.step === 3 && controller.abort() });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(a, 'steps.jsonl'), readFileSync(join(dir, 'steps.jsonl')));
    // …and a weights file of a checkpoint that never got its checkpoint.json.
    writeFileSync(join(a, 'weights-00000005.bin'), 'partial');
    await run(a, 8, { resume: true });
    expect(readFileSync(join(a, 'steps.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'steps.jsonl'), 'utf8'));
    expect(readdirSync(a).sort()).toEqual(['checkpoint.json', 'steps.jsonl', 'weights-00000007.bin']);
  });

  it('reports a domain that runs out to the policy and keeps training on the others', async () => {
    const task = tinyTask();
    const optimizer = new Adam();
    const marked: number[] = [];
    const inner = StaticPolicy.balanced(DOMAINS);
    const policy: MixturePolicy = Object.assign(Object.create(inner) as MixturePolicy, {
      markExhausted(d: string | number) {
        marked.push(Number(d));
        inner.markExhausted(d);
      },
    });
    // json has the fewest examples; one epoch of it runs out first.
    const sizes = task.trainSizes;
    const r = await trainLoop({ task, policy, optimizer, steps: 200, batchSize: 32, epochs: 1, seed: 1 });
    expect(marked[0]).toBe(sizes.indexOf(Math.min(...sizes)));
    expect(r.weights[marked[0]]).toBe(0);
    expect(r.stopped).toBe('exhausted');
    expect(marked.length).toBe(3);
    optimizer.dispose();
    task.dispose();
  });

  it('refuses a directory that already holds a run, and a resume without a checkpoint', async () => {
    const dir = tmp();
    await run(dir, 4);
    await expect(run(dir, 4)).rejects.toThrow(/already holds a run \(checkpoint\.json\); resume it or choose another directory/);
    await expect(run(tmp(), 4, { resume: true })).rejects.toThrow(/cannot read checkpoint .*checkpoint\.json/);
    expect(existsSync(join(dir, 'steps.jsonl'))).toBe(true);
  });
});
