import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdomixClient, AdomixHttpError, WeightsNotReady } from '../../src/client/index.js';
import { AdoPolicy } from '../../src/mixing/index.js';
import { Rng } from '../../src/random/index.js';
import { buildServer, type AdomixServer } from '../../src/serve/index.js';
import { adomixAsync, adomixServe } from '../helpers/cli.js';
import { QUICK_ADO, quickAdo, RankedRun, summed, type PlainReport } from './helpers.js';

const DOMAINS = ['code', 'prose', 'math', 'json', 'web'];
const PRIOR = [0.3, 0.3, 0.2, 0.1, 0.1];
const TOKEN = 'test-token-0123456789abcdef';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'adomix-serve-http-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * R ranks over HTTP, as a data-parallel job runs them: each step every rank fetches its
 * weights, draws its batch, and reports; the step ends when all ranks are done (the
 * gradient all-reduce). Returns every report sent.
 */
async function trainRanks(client: AdomixClient, run: string, data: RankedRun, from: number, to: number): Promise<PlainReport[]> {
  const sent: PlainReport[] = [];
  for (let t = from; t < to; t++) {
    const weights = await Promise.all(Array.from({ length: data.ranks }, () => client.weights(run, t, { wait: 5000 })));
    for (const w of weights.slice(1)) expect(w.weights).toEqual(weights[0].weights); // every rank, the same weights
    const reports = data.reports(t, weights[0].weights);
    await Promise.all(reports.map((r) => client.report(run, r)));
    sent.push(...reports);
  }
  return sent;
}

/** The outputs of one AdoPolicy fed the summed steps: outs[s + 1] after step s, outs[0] initial. */
function reference(sent: PlainReport[], steps: number, ref = quickAdo(DOMAINS, PRIOR)): Float64Array[] {
  const outs = [ref.weights()];
  for (let t = 0; t < steps; t++) outs.push(ref.observe({ step: t, ...summed(sent.filter((r) => r.step === t), DOMAINS.length) }));
  return outs;
}

describe('adomix serve over HTTP', () => {
  let server: AdomixServer;
  let url: string;
  let client: AdomixClient;
  beforeAll(async () => {
    server = await buildServer({ stateDir: tempDir() });
    url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    client = new AdomixClient(url);
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('serves 8 ranks the same weights, equal bit for bit to one policy fed the summed steps', async () => {
    const spec = { id: 'eight', domains: DOMAINS, prior: PRIOR, policy: QUICK_ADO, ranks: 8, lag: 1 };
    expect(await client.createRun(spec)).toMatchObject({ created: true, applied: -1 });
    expect(await client.createRun(spec)).toMatchObject({ created: false }); // idempotent
    await expect(client.createRun({ ...spec, lag: 2 })).rejects.toThrow(/HTTP 409: run eight exists with a different spec/);
    const sent = await trainRanks(client, 'eight', new RankedRun(11, 8, 4), 0, 120);
    const outs = reference(sent, 120);
    const last = await client.weights('eight', 121);
    expect(last.basedOn).toBe(119);
    expect(last.weights).toEqual(Array.from(outs[120]));
    const status = await client.status('eight');
    expect(status).toMatchObject({ applied: 119, waitingFor: null, stalled: [], counts: { reports: 960, duplicates: 0, stepsApplied: 120 } });
    expect((status.laws as unknown[]).every((l) => l !== null)).toBe(true);
  });

  it('answers 503 with the latest weights when a step is not ready in time, naming the ranks it waits for', async () => {
    await client.createRun({ id: 'slow', domains: DOMAINS, ranks: 2 });
    await client.report('slow', { step: 0, rank: 1, count: [3, 0, 0, 0, 1], lossSum: [6, null, null, null, 2] });
    const err = await client.weights('slow', 1, { wait: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsNotReady);
    expect((err as WeightsNotReady).message).toMatch(/HTTP 503: the weights of step 1 are not ready: step 0 is not applied yet \(applied: -1\)/);
    expect((err as WeightsNotReady).body.waitingFor).toMatchObject({ step: 0, ranks: [0] });
    expect((err as WeightsNotReady).latest).toMatchObject({ step: 0, basedOn: -1, weights: [0.2, 0.2, 0.2, 0.2, 0.2] });
    // A waiting request is answered as soon as the step is applied.
    const waiting = client.weights('slow', 1, { wait: 5000 });
    await client.report('slow', { step: 0, rank: 0, count: [1, 1, 1, 1, 0], loss: [2, 3, 1, 2, null] });
    expect((await waiting).basedOn).toBe(0);
  });

  it('refuses malformed requests with a 4xx naming the field', async () => {
    await client.createRun({ id: 'strict', domains: DOMAINS });
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/v1/runs/strict/reports', { step: 0, rank: 0, count: [1, 0, 0, 0, 0], lossSum: [1, 0, 0, 0, 0], extra: 1 }, 400, /body has an unknown field "extra"/],
      ['POST', '/v1/runs/strict/reports', { step: 'x', rank: 0, count: [1] }, 400, /body\/step must be integer/],
      ['POST', '/v1/runs/strict/reports', { step: 0, rank: 0, count: [1, -2, 0, 0, 0], lossSum: [1, 0, 0, 0, 0] }, 400, /body\/count\/1 must be >= 0/],
      ['POST', '/v1/runs/strict/reports', { rank: 0, count: [1] }, 400, /body\/step is required/],
      ['POST', '/v1/runs/nope/reports', { step: 0, rank: 0, count: [1, 0, 0, 0, 0], lossSum: [1, 0, 0, 0, 0] }, 404, /no run "nope"/],
      ['POST', '/v1/runs', { id: '../etc', domains: ['a'] }, 400, /body\/id must match pattern/],
      ['POST', '/v1/runs', { id: 'dup', domains: ['a', 'a'] }, 400, /body\/domains\/1: domain "a" is listed twice/],
      ['POST', '/v1/runs', { id: 'p', domains: ['a', 'b'], prior: [1] }, 400, /body\/prior has 1 entries for 2 domains/],
      ['POST', '/v1/runs', { id: 'p', domains: ['a', 'b'], policy: { kind: 'ado', startStpe: 3 } }, 400, /body\/policy: .*startStpe/],
      ['POST', '/v1/runs', { id: 'p', domains: ['a', 'b'], policy: { kind: 'ado', refitRunner: {} } }, 400, /body\/policy\/refitRunner: set by the server/],
      ['POST', '/v1/runs', { id: 'p', domains: ['a', 'b'], policy: { kind: 'natural' } }, 400, /body\/prior is required for the natural policy/],
      ['GET', '/v1/runs/strict/weights', undefined, 400, /querystring\/step is required/],
      ['GET', '/v1/runs/strict/weights?step=-1', undefined, 400, /querystring\/step must be >= 0/],
      ['GET', '/v1/runs/..%2F..%2Fetc/weights?step=0', undefined, 400, /params\/run must match pattern/],
      ['POST', '/v1/runs/strict/domains', { name: 'code', prior: 0.1 }, 409, /domain "code" already exists in run strict/],
      ['POST', '/v1/runs/strict/exhausted', { domain: 'nope' }, 404, /run strict has no domain "nope"/],
      ['GET', '/v2/anything', undefined, 404, /no route GET \/v2\/anything/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const res = await fetch(url + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(JSON.parse(text).error).toMatch(message);
    }
    const bad = await fetch(`${url}/v1/runs/strict/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"step": 0, ' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/JSON/);
  });

  it('survives a fuzzer: no request it sends earns a 5xx or changes a run', async () => {
    await client.createRun({ id: 'fuzz', domains: ['a', 'b'], ranks: 2 });
    await client.report('fuzz', { step: 0, rank: 0, count: [1, 1], lossSum: [1, 2] });
    const before = await client.status('fuzz');
    const rng = new Rng(99);
    const atoms: unknown[] = [null, true, 0, -1, 1.5, 1e308, -0, '', 'a', '__proto__', [], {}, [1, 2], [null, null], { step: 0 }, 'x'.repeat(300)];
    const value = (depth: number): unknown => {
      const pick = rng.int(depth > 2 ? atoms.length : atoms.length + 2);
      if (pick < atoms.length) return atoms[pick];
      if (pick === atoms.length) return Array.from({ length: rng.int(4) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      for (const key of ['step', 'rank', 'count', 'lossSum', 'loss', 'id', 'domains', 'prior', 'policy', 'name', 'domain', 'afterStep', '__proto__', 'constructor'])
        if (rng.next() < 0.4) o[key] = value(depth + 1);
      return o;
    };
    const paths = ['/v1/runs', '/v1/runs/fuzz', '/v1/runs/fuzz/reports', '/v1/runs/fuzz/weights?wait=0&step=', '/v1/runs/fuzz/domains', '/v1/runs/fuzz/exhausted', '/v1/runs/fuzz/page', '/metrics', '/v1/runs/%00', '/v1/runs/fuzz/weights?step=1&wait=abc'];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 600; i++) {
      const path = paths[rng.int(paths.length)] + (rng.next() < 0.3 ? String(rng.int(5000) - 10) : '');
      const method = rng.next() < 0.6 ? 'POST' : 'GET';
      const raw = rng.next() < 0.15;
      const body = method === 'POST' ? (raw ? String.fromCharCode(...Array.from({ length: rng.int(40) }, () => rng.int(256))) : JSON.stringify(value(0))) : undefined;
      const res = await fetch(url + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      // 503 is "not ready yet, here are the latest weights", not a failure.
      if (res.status === 503) expect(JSON.parse(text).code).toBe('not_ready');
      else expect(res.status, `${method} ${path} ${body}`).toBeLessThan(500);
    }
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    const after = await client.status('fuzz');
    // None of it became a report, an event or a run (this seed's bodies hold no valid report for rank 1).
    expect({ applied: after.applied, counts: after.counts, events: after.events }).toEqual({ applied: before.applied, counts: before.counts, events: before.events });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('publishes an OpenAPI document, Prometheus metrics and a live page', async () => {
    const doc = await (await fetch(`${url}/openapi.json`)).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/runs', '/v1/runs/{run}/reports', '/v1/runs/{run}/weights', '/v1/runs/{run}/domains']));
    expect(doc.paths['/v1/runs/{run}/reports'].post.requestBody.content['application/json'].schema.required).toEqual(['step', 'rank', 'count']);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/adomix_steps_applied_total\{run="eight"\} 120/);
    expect(metrics).toMatch(/adomix_reports_total\{run="eight"\} 960/);
    expect(metrics).toMatch(/adomix_domain_weight\{run="eight",domain="code"\} 0\.\d+/);
    expect(metrics).toMatch(/adomix_law_alpha\{run="eight",domain="math"\} \d/);
    expect(metrics).toMatch(/adomix_report_seconds_count\{run="eight"\} 960/);
    expect(metrics).toMatch(/adomix_refits_total\{run="eight"\} [1-9]/);
    const page = await fetch(`${url}/v1/runs/eight/page`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toMatch(/<meta http-equiv="refresh" content="10">/);
    expect(html).toMatch(/id="live-status">run <b>eight<\/b> · policy ado · 8 ranks · applied step 119/);
    expect(html).toMatch(/<svg/);
  });
});

describe('adomix serve: tokens', () => {
  it('requires the bearer token on every route when one is set', async () => {
    const server = await buildServer({ token: TOKEN });
    const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      for (const path of ['/v1/runs', '/metrics', '/openapi.json']) {
        const res = await fetch(url + path);
        expect(res.status).toBe(401);
        expect((await res.json()).error).toMatch(/missing or wrong bearer token/);
      }
      expect((await fetch(`${url}/v1/runs`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
      const good = new AdomixClient(url, { token: TOKEN });
      expect(await good.createRun({ id: 'sec', domains: ['a'] })).toMatchObject({ created: true });
      await good.close();
      const bad = new AdomixClient(url);
      await expect(bad.status('sec')).rejects.toBeInstanceOf(AdomixHttpError);
      await bad.close();
    } finally {
      await server.close();
    }
  });

  it('refuses to bind a non-loopback address without --token-file, and a short token', async () => {
    const noToken = await adomixAsync(['serve', '--host', '0.0.0.0', '--port', '0', '--state', tempDir()]);
    expect(noToken.status).toBe(1);
    expect(noToken.stderr).toMatch(/--host 0.0.0.0 is not a loopback address: give --token-file/);
    const short = join(tempDir(), 'token');
    writeFileSync(short, 'abc\n');
    const tooShort = await adomixAsync(['serve', '--host', '0.0.0.0', '--port', '0', '--token-file', short, '--state', tempDir()]);
    expect(tooShort.stderr).toMatch(/the token must be at least 16 characters \(it has 3\)/);
  });
});

/** `adomix serve` on a free port with its state in `state`. */
const startCli = (state: string) => adomixServe(['--state', state]);

describe('adomix serve: kill -9, restart, replay', () => {
  it('resumes a run exactly after SIGKILL and after SIGTERM, and its step log replays to the same weights', async () => {
    const state = tempDir();
    // Settings `adomix replay` has flags for, so the replay below is the same policy.
    const policy = { kind: 'ado', startStep: 200, refitInterval: 100, ignoreSteps: 0 } as const;
    const spec = { id: 'durable', domains: DOMAINS, prior: PRIOR, policy, ranks: 4, lag: 1, checkpointEvery: 25 };
    const data = new RankedRun(21, 4, 4);
    const sent: PlainReport[] = [];

    let server = await startCli(state);
    let client = new AdomixClient(server.url);
    await client.createRun(spec);
    sent.push(...(await trainRanks(client, 'durable', data, 0, 160)));
    // Step 160 half reported, then kill -9 (the last checkpoint was after step 149).
    const partial = data.reports(160, (await client.weights('durable', 160)).weights);
    await client.report('durable', partial[0]);
    await client.report('durable', partial[1]);
    server.child.child.kill('SIGKILL');
    await server.child.done;
    await client.close();

    server = await startCli(state);
    client = new AdomixClient(server.url);
    expect(await client.status('durable')).toMatchObject({ applied: 159, waitingFor: { step: 160, ranks: [2, 3] } });
    const resent = await Promise.all(partial.map((r) => client.report('durable', r)));
    expect(resent.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'accepted', 'accepted']);
    sent.push(...partial);
    sent.push(...(await trainRanks(client, 'durable', data, 161, 290)));
    server.child.child.kill('SIGTERM');
    expect((await server.child.done).status).toBe(143);
    await client.close();

    server = await startCli(state);
    client = new AdomixClient(server.url);
    expect(await client.status('durable')).toMatchObject({ applied: 289, waitingFor: null });
    sent.push(...(await trainRanks(client, 'durable', data, 290, 420)));
    const final = await client.weights('durable', 421);
    expect((await client.status('durable')).laws).not.toContain(null); // refits after 200 and 300 applied
    await client.close();
    server.child.child.kill('SIGTERM');
    await server.child.done;

    const { kind: _kind, ...options } = policy;
    const outs = reference(sent, 420, new AdoPolicy({ domains: DOMAINS, prior: PRIOR, ...options }));
    expect(final.weights).toEqual(Array.from(outs[420]));
    // The step log: every step once, with the weights it was served (lag 1: the output after step t − 2).
    const log = join(state, 'durable', 'steplog.jsonl');
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(421);
    lines.slice(1).forEach((l, t) => {
      const r = JSON.parse(l) as { step: number; weights: number[] };
      expect(r.step).toBe(t);
      expect(r.weights).toEqual(Array.from(outs[Math.max(t - 1, 0)]));
    });
    // `adomix replay` on the served log, with the run's ADO settings, gives the policy's outputs.
    const replay = await adomixAsync(['replay', log, '--start-step', '200', '--refit-interval', '100', '--ignore-steps', '0']);
    const replayed = replay.stdout.trim().split('\n').map((l) => JSON.parse(l) as { step: number; weights: number[] });
    expect(replayed).toHaveLength(420);
    replayed.forEach((r, t) => expect(r.weights).toEqual(Array.from(outs[t + 1])));
  });
});
