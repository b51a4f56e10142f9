/**
 * Seeded random mutations of valid snapshots of every kind: each mutated snapshot is either
 * restored, and then the policy's own snapshot round-trips and observe() answers a finite
 * mixture that sums to 1, or rejected with a plain Error that names the snapshot kind and a
 * field. Never a TypeError or RangeError from deep inside, never a message without a field.
 */
import { describe, expect, it } from 'vitest';
import { restorePolicy, type MixturePolicy, type PolicySnapshot } from '../../src/mixing/index.js';
import { Rng } from '../../src/random/index.js';
import { fixedLawRunner } from './helpers.js';
import { adoEarlySnapshot, adoSnapshot, odmSnapshot, staticSnapshots } from './snapshots.js';

type Json = Record<string, unknown> | unknown[];
const isContainer = (v: unknown): v is Json => v !== null && typeof v === 'object';
const FIELD_MESSAGE = /^(ado|odm|natural|balanced|static|policy) snapshot: (field "[^"]+"|unknown fields? "[^"]+")/;

/** A node of the snapshot: the top level, then deeper with probability 0.6 a level. */
function pick(rng: Rng, root: Record<string, unknown>): { parent: Json; key: string | number } {
  let parent: Json = root;
  const top = Object.keys(root);
  let key: string | number = top[rng.int(top.length)];
  for (;;) {
    const v = (parent as Record<string | number, unknown>)[key];
    if (!isContainer(v) || rng.next() < 0.4) return { parent, key };
    const keys = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
    if (keys.length === 0) return { parent, key };
    parent = v;
    key = keys[rng.int(keys.length)];
  }
}

const REPLACEMENTS: ((x: unknown, rng: Rng) => unknown)[] = [
  () => NaN,
  () => -1,
  (x) => (typeof x === 'number' ? -x : x),
  () => 1e308,
  () => Infinity,
  () => -Infinity,
  () => 'x',
  (x) => String(x),
  () => null,
  () => undefined,
  () => true,
  () => ({}),
  () => [],
  (x) => (typeof x === 'number' ? x + 1 : 1),
  (x) => (typeof x === 'number' ? x - 1 : 0),
  (x) => (typeof x === 'number' ? x * 2 : x),
  (x) => (typeof x === 'number' ? x / 3 : x),
  () => 0,
  () => 0.5,
  (x) => (typeof x === 'number' ? x + 1e-12 : x),
  (x) => (typeof x === 'number' ? Math.round(x) + 0.5 : x),
  (x) => (typeof x === 'boolean' ? !x : x),
  (_x, rng) => rng.next(),
  () => -0,
  () => 2 ** 53 + 2,
];

/** One random mutation that changes something (tried up to 20 times), in place. */
function mutate(rng: Rng, s: Record<string, unknown>): string {
  for (let i = 0; i < 20; i++) {
    const before = JSON.stringify(s, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v === undefined ? '(undefined)' : v));
    const what = tryMutate(rng, s);
    const after = JSON.stringify(s, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v === undefined ? '(undefined)' : v));
    if (before !== after) return what;
  }
  return 'none';
}

function tryMutate(rng: Rng, s: Record<string, unknown>): string {
  const { parent, key } = pick(rng, s);
  const p = parent as Record<string | number, unknown>;
  const v = p[key];
  switch (rng.int(10)) {
    case 0: // delete
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete p[key];
      return `delete ${key} (${String(v).slice(0, 20)})`;
    case 1: {
      // an unknown field, or a misspelt known one
      const target = isContainer(v) && !Array.isArray(v) ? (v as Record<string, unknown>) : Array.isArray(parent) ? undefined : p;
      if (target === undefined) return 'none';
      const keys = Object.keys(target);
      if (keys.length > 0 && rng.next() < 0.5) {
        const k = keys[rng.int(keys.length)];
        const typo = k.length > 1 ? k.slice(0, -1) : `${k}x`;
        target[typo] = target[k];
        delete target[k];
        return `rename ${k} → ${typo}`;
      }
      target[`extra${rng.int(3)}`] = rng.int(2) === 0 ? 1 : [1];
      return 'add field';
    }
    case 2:
    case 3:
    case 4: {
      const f = REPLACEMENTS[rng.int(REPLACEMENTS.length)];
      p[key] = f(v, rng);
      return `replace ${key}: ${String(v).slice(0, 20)} → ${String(p[key]).slice(0, 20)}`;
    }
    case 5: // truncate or extend an array
      if (!Array.isArray(v)) return 'none';
      if (rng.next() < 0.5) v.pop();
      else v.push(v.length > 0 ? structuredClone(v[v.length - 1]) : 0);
      return `resize ${key}`;
    case 6: {
      // swap two values (array entries or sibling fields)
      const c = isContainer(v) ? v : parent;
      const keys = Array.isArray(c) ? c.map((_, i) => i) : Object.keys(c);
      if (keys.length < 2) return 'none';
      const a = keys[rng.int(keys.length)];
      const b = keys[rng.int(keys.length)];
      const o = c as Record<string | number, unknown>;
      [o[a], o[b]] = [o[b], o[a]];
      return `swap ${String(key)}: ${a} ${b}`;
    }
    case 7: {
      // scale a distribution (or any number array)
      const fields = ['mu', 'h', 'piBar', 'weights', 'base', 'importance', 'rewards', 'nOwn'];
      const f = fields[rng.int(fields.length)];
      const a = s[f];
      if (!Array.isArray(a)) return 'none';
      const factor = [0, 0.5, 2, 1 + 1e-12, 1 + 1e-6, -1, 1][rng.int(7)];
      s[f] = a.map((x) => (typeof x === 'number' ? x * factor : x));
      return `scale ${f} ${factor}`;
    }
    case 8: {
      // an extreme but legal value where any finite number is legal: a law, a reward, a loss
      const extreme = [1e308, -1e308, 1e-308, 1e5, -1e5, 700, -700][rng.int(7)];
      const laws = s.laws as ([number, number, number] | null)[] | undefined;
      const rewards = s.rewards as number[] | undefined;
      const loss = (s.history as { loss?: (number | null)[][] } | undefined)?.loss;
      if (Array.isArray(laws) && laws.length > 0) {
        const k = rng.int(laws.length);
        if (!Array.isArray(laws[k])) return 'none';
        laws[k]![rng.int(3)] = extreme;
        return `law ${k} ${extreme}`;
      }
      if (Array.isArray(rewards) && rewards.length > 0) {
        rewards[rng.int(rewards.length)] = extreme;
        return `reward ${extreme}`;
      }
      if (Array.isArray(loss) && Array.isArray(loss[0]) && loss[0].length > 0) {
        loss[0][rng.int(loss[0].length)] = Math.abs(extreme);
        return `loss ${Math.abs(extreme)}`;
      }
      return 'none';
    }
    default: {
      // the step or the history's row bookkeeping
      const h = s.history as Record<string, unknown> | undefined;
      const d = rng.next() < 0.5 ? 1 : -1;
      if (h && isContainer(h) && rng.next() < 0.5) {
        const f = rng.next() < 0.5 ? 'rows' : 'firstStep';
        h[f] = typeof h[f] === 'number' ? (h[f] as number) + d : d;
      } else s.step = typeof s.step === 'number' ? s.step + d : d;
      return 'step';
    }
  }
}

/** A few steps after the snapshot's last one: finite mixtures summing to 1, 0 on exhausted domains. */
function observeStill(p: MixturePolicy, step: number, rng: Rng): void {
  const K = p.domains.length;
  const exhausted = (p.snapshot().exhausted as boolean[]) ?? [];
  for (let i = 1, t = step + 1; i <= 3; i++, t++) {
    const count = Array.from({ length: K }, (_, k) => (exhausted[k] ? 0 : rng.int(5)));
    count[count.findIndex((_, k) => !exhausted[k])] += 1;
    const loss = count.map((c) => (c > 0 ? 0.5 + rng.next() * 4 : NaN));
    const w = p.observe({ step: t, loss, count });
    let sum = 0;
    for (let k = 0; k < K; k++) {
      if (!(Number.isFinite(w[k]) && w[k] >= 0)) throw new Error(`weights[${k}] = ${w[k]} after step ${t}`);
      if (exhausted[k] && w[k] !== 0) throw new Error(`exhausted domain ${k} has weight ${w[k]}`);
      sum += w[k];
    }
    if (!(Math.abs(sum - 1) <= 1e-9)) throw new Error(`weights sum to ${sum} after step ${t}`);
  }
}

describe('restorePolicy under random snapshot mutations', () => {
  it('accepts (and then works) or rejects naming the kind and the field, never crashes', async () => {
    const bases: PolicySnapshot[] = [adoSnapshot(), adoSnapshot({ target: [3, 1, 1] } as never), adoEarlySnapshot(), odmSnapshot('exp3'), odmSnapshot('smoothed'), ...staticSnapshots()];
    const trials = [900, 450, 250, 350, 350, 250, 250, 200]; // 3000 in all, most on ADO's large state
    const rng = new Rng(20240611);
    const tally: Record<string, { accepted: number; rejected: number }> = {};
    const failures: string[] = [];
    for (let b = 0; b < bases.length; b++) {
      for (let i = 0; i < trials[b]; i++) {
        const s = structuredClone(bases[b]) as Record<string, unknown>;
        const what: string[] = [];
        const n = 1 + rng.int(3);
        for (let j = 0; j < n; j++) what.push(mutate(rng, s));
        const kind = String(bases[b].kind);
        const t = (tally[kind] ??= { accepted: 0, rejected: 0 });
        let p: MixturePolicy | undefined;
        try {
          p = restorePolicy(s, { refitRunner: fixedLawRunner([[1, 0, 0.3], [1.5, 0, 0.2], [2, 0, 0.4], [1, 0, 0.5]]).runner });
        } catch (err) {
          t.rejected++;
          const e = err as Error;
          if (e.constructor !== Error || !FIELD_MESSAGE.test(e.message)) failures.push(`${kind} [${what.join('; ')}]: ${e.constructor.name}: ${e.message}`);
          continue;
        }
        t.accepted++;
        try {
          const again = JSON.stringify(p.snapshot());
          const q = restorePolicy(JSON.parse(again), { refitRunner: fixedLawRunner([[1, 0, 0.3], [1.5, 0, 0.2], [2, 0, 0.4], [1, 0, 0.5]]).runner });
          if (JSON.stringify(q.snapshot()) !== again) throw new Error('the restored snapshot does not round-trip');
          observeStill(p, p.snapshot().step, rng);
          await p.close();
          await q.close();
        } catch (err) {
          failures.push(`${kind} [${what.join('; ')}] accepted, then: ${(err as Error).message}`);
        }
      }
    }
    const counts = Object.entries(tally).map(([k, c]) => `${k} ${c.accepted} accepted / ${c.rejected} rejected`);
    console.log(`restore fuzz: ${counts.join(', ')}`);
    expect(failures.slice(0, 10)).toEqual([]);
    for (const c of Object.values(tally)) {
      expect(c.accepted).toBeGreaterThan(0);
      expect(c.rejected).toBeGreaterThan(0);
    }
  });
});
