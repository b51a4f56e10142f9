/**
 * Fuzz: a few thousand seeded random mutations of a valid step log (JSONL and CSV) and of
 * valid checkpoint files go through the readers and restore. Each must be accepted as valid,
 * or rejected with an Error that names the file (and the line or the field), never a crash:
 * no TypeError or RangeError, no message without its location.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AdoPolicy, OdmPolicy, StaticPolicy, type MixturePolicy } from '../../src/mixing/index.js';
import { Rng } from '../../src/random/index.js';
import {
  formatCheckpoint,
  formatStepLogCsv,
  parseCheckpoint,
  parseStepLog,
  readStepLog,
  restoreCheckpoint,
  StepLogError,
} from '../../src/runlog/index.js';
import { makeLog } from '../helpers/steplog.js';

const dir = mkdtempSync(join(tmpdir(), 'adomix-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKENS = ['null', 'NaN', '-1', '1e400', '"x"', '[]', '{}', 'true', '0', '0.5', '1e-300', '"step"', ',', ':', '{', '}', '[', ']', '"', '\\'];

/** One random mutation of `text`: bytes, tokens, numbers, lines. */
function mutate(text: string, rng: Rng): string {
  const at = text.length > 0 ? rng.int(text.length) : 0;
  const lines = text.split('\n');
  switch (rng.int(9)) {
    case 0: // flip a byte
      return text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ (1 << rng.int(7))) + text.slice(at + 1);
    case 1: // delete a range
      return text.slice(0, at) + text.slice(at + 1 + rng.int(40));
    case 2: // insert a token
      return text.slice(0, at) + TOKENS[rng.int(TOKENS.length)] + text.slice(at);
    case 3: // truncate
      return text.slice(0, at);
    case 4: {
      // replace a number with something else
      const numbers = [...text.matchAll(/-?\d+(\.\d+)?(e-?\d+)?/g)];
      if (numbers.length === 0) return text;
      const m = numbers[rng.int(numbers.length)];
      return text.slice(0, m.index) + TOKENS[rng.int(10)] + text.slice(m.index! + m[0].length);
    }
    case 5: {
      // duplicate a line
      const i = rng.int(lines.length);
      lines.splice(i, 0, lines[i]);
      return lines.join('\n');
    }
    case 6: {
      // swap two lines
      const i = rng.int(lines.length);
      const j = rng.int(lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join('\n');
    }
    case 7: {
      // delete a key (with its value) from a JSON object
      const keys = [...text.matchAll(/"([A-Za-z]+)":/g)];
      if (keys.length === 0) return text;
      const m = keys[rng.int(keys.length)];
      return text.slice(0, m.index) + '"zzz":' + text.slice(m.index! + m[0].length);
    }
    default: {
      // scale a number
      const numbers = [...text.matchAll(/\d+\.\d+/g)];
      if (numbers.length === 0) return text;
      const m = numbers[rng.int(numbers.length)];
      return text.slice(0, m.index) + String(Number(m[0]) * (rng.next() < 0.5 ? 3 : -1)) + text.slice(m.index! + m[0].length);
    }
  }
}

/** Accepted, or an Error (not a TypeError/RangeError) whose message names where. */
function expectCleanRejection(err: unknown, where: RegExp, what: string): void {
  expect(err, what).toBeInstanceOf(Error);
  const e = err as Error;
  if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError) throw new Error(`${what}: crashed with ${e.name}: ${e.message}`);
  if (!where.test(e.message)) throw new Error(`${what}: the message does not say where: ${e.message}`);
}

/** A valid log with weights, held-out losses and laws on some lines. */
function validLogText(): string {
  const lines = makeLog(40);
  return lines
    .map((l, i) => {
      if (i === 0) return l;
      const r = JSON.parse(l);
      r.weights = [0.5, 0.3, 0.2];
      if (i % 10 === 0) r.evalLoss = [2.1, null, 1.7];
      if (i % 15 === 0) r.params = [[3.4, 0.1, 0.3], null, [2, -1, 0.4]];
      return JSON.stringify(r);
    })
    .join('\n');
}

describe('fuzzing the step-log readers', () => {
  it('JSONL and CSV: thousands of mutations, each accepted or rejected naming file and line', async () => {
    const rng = new Rng(20261201);
    const jsonl = validLogText();
    const csv = formatStepLogCsv(parseStepLog(jsonl));
    const counts = { accepted: 0, rejected: 0, skipBadAccepted: 0 };
    for (let i = 0; i < 3000; i++) {
      const asCsv = i % 3 === 2;
      let text = asCsv ? csv : jsonl;
      for (let m = 1 + rng.int(3); m > 0; m--) text = mutate(text, rng);
      const file = asCsv ? 'fuzz.csv' : 'fuzz.jsonl';
      try {
        const log = parseStepLog(text, { file });
        for (const r of log.records) expect(r.count.length).toBe(log.header.domains.length);
        counts.accepted++;
      } catch (err) {
        expectCleanRejection(err, /^fuzz\.(jsonl|csv)(:\d+)?: /, `mutation ${i}`);
        expect(err).toBeInstanceOf(StepLogError);
        counts.rejected++;
      }
      try {
        parseStepLog(text, { file, skipBad: true });
        counts.skipBadAccepted++;
      } catch (err) {
        expectCleanRejection(err, /^fuzz\.(jsonl|csv)(:\d+)?: /, `mutation ${i} (skipBad)`);
      }
      // Every 20th also through the file reader (streaming, line limit).
      if (i % 20 === 0) {
        const path = join(dir, file);
        writeFileSync(path, text);
        try {
          await readStepLog(path, { maxLineBytes: 4096 });
        } catch (err) {
          expectCleanRejection(err, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\d+)?: `), `mutation ${i} (file)`);
        }
      }
    }
    console.log(`step-log fuzz: 3000 mutations, ${counts.accepted} accepted, ${counts.rejected} rejected; with skipBad ${counts.skipBadAccepted} read`);
    expect(counts.accepted).toBeGreaterThan(100);
    expect(counts.rejected).toBeGreaterThan(1000);
  });
});

/** Valid checkpoints of each policy kind, the ADO one with laws, history and a refit in flight. */
function validCheckpoints(): { name: string; text: string }[] {
  const domains = ['a', 'b', 'c'];
  const rng = new Rng(3);
  const ado = new AdoPolicy({ domains, prior: [0.5, 0.3, 0.2], startStep: 40, refitInterval: 40, ignoreSteps: 5, lag: 10, minPoints: 5, fit: { subsample: 1 } });
  const odm = new OdmPolicy({ domains });
  const natural = StaticPolicy.natural(domains, [0.5, 0.3, 0.2]);
  const policies: MixturePolicy[] = [ado, odm, natural];
  for (let t = 0; t < 85; t++) {
    const count = [10 + rng.int(5), 5 + rng.int(5), t % 4 === 0 ? 0 : 3];
    const loss = count.map((c, k) => (c > 0 ? 1 + k + 10 * (t + 1) ** -0.3 : NaN));
    for (const p of policies) p.observe({ step: t, loss, count });
  }
  expect(ado.pendingRefits.length).toBe(1);
  return policies.map((p) => ({ name: p.kind, text: formatCheckpoint(p, { logStep: 84 }) }));
}

describe('fuzzing checkpoint files', () => {
  it('thousands of mutations of ado, odm and static checkpoints: restored and working, or rejected naming file and field', () => {
    const rng = new Rng(7);
    const counts: Record<string, { accepted: number; rejected: number }> = {};
    for (const { name, text: valid } of validCheckpoints()) {
      const c = (counts[name] = { accepted: 0, rejected: 0 });
      for (let i = 0; i < 1500; i++) {
        let text = valid;
        for (let m = 1 + rng.int(2); m > 0; m--) text = mutate(text, rng);
        let policy: MixturePolicy | undefined;
        try {
          policy = restoreCheckpoint(parseCheckpoint(text, 'ck.json'), {}, 'ck.json');
        } catch (err) {
          expectCleanRejection(err, /^ck\.json: .*(field|corrupt JSON|not an adomix checkpoint|checkpoint format|snapshot)/, `${name} mutation ${i}`);
          c.rejected++;
          continue;
        }
        // Accepted: it must be a valid mixture, and work like a policy.
        const w0 = policy.weights();
        expect(w0.every((x) => Number.isFinite(x) && x >= 0), `${name} mutation ${i}: weights ${Array.from(w0)}`).toBe(true);
        expect(Math.abs(w0.reduce((a, b) => a + b, 0) - 1), `${name} mutation ${i}: weights ${Array.from(w0)}`).toBeLessThan(1e-9);
        const w = policy.observe({ step: (policy.snapshot().step ?? -1) + 1, loss: [1, 2, 3], count: [4, 4, 4] });
        expect(w.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
        expect(Math.abs(w.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
        c.accepted++;
      }
    }
    console.log(`checkpoint fuzz: ${Object.entries(counts).map(([k, v]) => `${k} ${v.accepted} accepted / ${v.rejected} rejected`).join(', ')}`);
    for (const v of Object.values(counts)) expect(v.rejected).toBeGreaterThan(500);
  });
});
