import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdoPolicy, OdmPolicy, StaticPolicy } from '../../src/mixing/index.js';
import { CHECKPOINT_FORMAT, loadCheckpoint, parseCheckpoint, readCheckpoint, writeCheckpoint, writeCheckpointSync } from '../../src/runlog/index.js';
import { drive, sameBits, SyntheticRun } from '../mixing/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'adomix-ck-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpoint files', () => {
  it('resume through a checkpoint file equals the uninterrupted run, bit for bit', async () => {
    const opts = { domains: ['a', 'b', 'c'], prior: [0.3, 0.3, 0.4], startStep: 200, ignoreSteps: 20, refitInterval: 200, lag: 9 };
    const full = drive(new AdoPolicy(opts), new SyntheticRun(5, 3), 700);
    const run = new SyntheticRun(5, 3);
    const a = new AdoPolicy(opts);
    const head = drive(a, run, 405); // refit started after 400 still pending
    const path = join(dir, 'ado.json');
    await writeCheckpoint(path, a, { note: 'x' });
    const { policy, checkpoint } = await loadCheckpoint(path);
    expect(checkpoint.adomix).toBe(CHECKPOINT_FORMAT);
    expect(checkpoint.meta).toEqual({ note: 'x' });
    expect(sameBits(full, [...head, ...drive(policy, run, 295)])).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('round-trips static and ODM policies (sync writer too)', async () => {
    const s = StaticPolicy.natural(['a', 'b'], [3, 1]);
    s.markExhausted('a');
    writeCheckpointSync(join(dir, 's.json'), s);
    const r = await loadCheckpoint(join(dir, 's.json'));
    expect(Array.from(r.policy.weights())).toEqual([0, 1]);
    const o = new OdmPolicy({ domains: ['a', 'b'] });
    o.observe({ step: 0, loss: [1, 2], count: [1, 1] });
    await writeCheckpoint(join(dir, 'o.json'), o.snapshot());
    expect(Array.from((await loadCheckpoint(join(dir, 'o.json'))).policy.weights())).toEqual(Array.from(o.weights()));
  });

  it.each([
    ['', /f: not a valid checkpoint: corrupt JSON \(the file is empty\)/],
    ['{"adomix":"checkpoint/1","policy":{"kind":"ado"', /f: not a valid checkpoint: corrupt JSON/],
    ['[1,2]', /f: not an adomix checkpoint: expected a JSON object, got an array/],
    ['{"name":"x","version":2}', /f: not an adomix checkpoint: no "adomix" field \(keys: name, version\)/],
    ['{"adomix":"steplog/1","domains":["a"]}', /f: not an adomix checkpoint: "adomix" is "steplog\/1", expected "checkpoint\/1"/],
    ['{"adomix":"checkpoint/2","policy":{}}', /f: checkpoint format "checkpoint\/2" is not supported; this adomix reads "checkpoint\/1"/],
    ['{"adomix":"checkpoint/1","policy":7}', /f: field "policy" must be a policy snapshot object, got 7/],
  ])('rejects %j', (text, msg) => {
    expect(() => parseCheckpoint(text, 'f')).toThrow(msg);
  });

  it('names the file and the snapshot field on a malformed policy', async () => {
    const a = new AdoPolicy({ domains: ['a', 'b'], startStep: 10, refitInterval: 10, ignoreSteps: 0, lag: 0 });
    drive(a, new SyntheticRun(1, 2), 30);
    const snap = a.snapshot();
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ adomix: 'checkpoint/1', policy: { ...snap, piBar: [0.5, 'x'] } }));
    await expect(loadCheckpoint(path)).rejects.toThrow(/bad\.json: ado snapshot: field "piBar\[1\]" must be a finite number ≥ 0, got "x"/);
    writeFileSync(path, JSON.stringify({ adomix: 'checkpoint/1', policy: { ...snap, kind: 'doremi' } }));
    await expect(loadCheckpoint(path)).rejects.toThrow(/bad\.json: policy snapshot: field "kind" must be one of ado, odm, natural, balanced, static, got "doremi"/);
    await expect(readCheckpoint(join(dir, 'none.json'))).rejects.toThrow(/cannot read checkpoint .*none\.json/);
  });
});
