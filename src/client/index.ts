/**
 * `adomix/client`: the TypeScript client of `adomix serve` (undici, keep-alive, one
 * connection pool per client).
 *
 *   const client = new AdomixClient('http://127.0.0.1:8470');
 *   await client.createRun({ id: 'run-1', domains, prior, ranks: 8, lag: 1 });
 *   for (let step = 0; ; step++) {
 *     const { weights } = await client.weights('run-1', step);      // draw the batch with these
 *     await client.report('run-1', { step, rank, lossSum, count });  // what the batch cost
 *   }
 *
 * Reports are idempotent: a retry after a timeout or a server restart resends the same
 * report, and the server answers `duplicate`. `report` retries on connection errors itself.
 */
import { Pool } from 'undici';

export interface CreateRunOptions {
  id: string;
  domains: string[];
  prior?: number[];
  policy?: { kind: 'ado' | 'natural' | 'balanced' | 'static' | 'odm'; [option: string]: unknown };
  ranks?: number;
  lag?: number;
  unit?: 'examples' | 'tokens';
  checkpointEvery?: number;
  rankTimeoutMs?: number;
  /** ADO's data budget: per domain the examples (or tokens, per unit) it holds, null: unlimited. */
  budget?: (number | null)[];
  /** ADO: most passes over each budget (default 1). */
  maxEpochs?: number;
  /** ADO: the run's planned number of steps, where the budget caps aim. */
  plannedSteps?: number;
}

export interface RankReportBody {
  step: number;
  rank: number;
  count: ArrayLike<number>;
  /** Per-domain sums of the per-example losses (null or 0 where the count is 0)… */
  lossSum?: ArrayLike<number | null>;
  /** …or per-domain means (exactly one of the two). */
  loss?: ArrayLike<number | null>;
  /** The `basedOn` of the weights the batch was drawn with, when the rank went on with older ones (WeightsNotReady.latest). */
  basedOn?: number;
}

export interface StepWeights {
  step: number;
  basedOn: number;
  domains: string[];
  weights: number[];
}

/** A non-2xx answer: its status and the server's `{error, ...}` body. */
export class AdomixHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: string; [k: string]: unknown },
    what: string,
  ) {
    super(`${what}: HTTP ${status}: ${body.error ?? JSON.stringify(body)}`);
    this.name = 'AdomixHttpError';
  }
}

/** The weights were not ready in time; `latest` holds the newest ones, to go on with. */
export class WeightsNotReady extends AdomixHttpError {
  get latest(): StepWeights {
    return this.body.latest as StepWeights;
  }
}

export interface ClientOptions {
  token?: string;
  /** Connections kept open to the server (default 16). */
  connections?: number;
  /** Requests in flight per connection (HTTP/1.1 pipelining; default 1: none). */
  pipelining?: number;
  /** Retries of a report after a connection error (default 5, 200 ms apart). */
  retries?: number;
}

const toArray = (v: ArrayLike<number | null> | undefined): (number | null)[] | undefined =>
  v === undefined ? undefined : Array.from(v, (x) => (x === null || Number.isNaN(x) ? null : x));

export class AdomixClient {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;
  private readonly retries: number;

  constructor(
    readonly url: string,
    options: ClientOptions = {},
  ) {
    this.pool = new Pool(url, { connections: options.connections ?? 16, pipelining: options.pipelining ?? 1, keepAliveTimeout: 60_000 });
    this.headers = { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
    this.retries = options.retries ?? 5;
  }

  /** Creates a run, or finds the same one (idempotent by id). */
  createRun(spec: CreateRunOptions): Promise<Record<string, unknown>> {
    return this.call('POST', '/v1/runs', spec, 'create run');
  }

  status(run: string): Promise<Record<string, unknown>> {
    return this.call('GET', `/v1/runs/${encodeURIComponent(run)}`, undefined, 'status');
  }

  /** Reports one rank's part of a step (retried on connection errors; the server deduplicates). */
  async report(run: string, body: RankReportBody): Promise<{ status: 'accepted' | 'duplicate'; applied: number }> {
    const payload = { step: body.step, rank: body.rank, count: Array.from(body.count), lossSum: toArray(body.lossSum), loss: toArray(body.loss), basedOn: body.basedOn };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.call('POST', `/v1/runs/${encodeURIComponent(run)}/reports`, payload, `report step ${body.step} rank ${body.rank}`);
      } catch (err) {
        if (err instanceof AdomixHttpError || attempt >= this.retries) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /**
   * The weights for `step`, waiting up to `wait` ms (default 10 s) for the server to apply the
   * step they come from. Throws WeightsNotReady (with `latest`) when they are not there in time.
   */
  weights(run: string, step: number, options: { wait?: number } = {}): Promise<StepWeights> {
    const q = `step=${step}${options.wait !== undefined ? `&wait=${options.wait}` : ''}`;
    return this.call('GET', `/v1/runs/${encodeURIComponent(run)}/weights?${q}`, undefined, `weights of step ${step}`);
  }

  addDomain(run: string, name: string, prior: number, afterStep?: number): Promise<{ event: Record<string, unknown> }> {
    return this.call('POST', `/v1/runs/${encodeURIComponent(run)}/domains`, { name, prior, ...(afterStep !== undefined ? { afterStep } : {}) }, `add domain ${name}`);
  }

  markExhausted(run: string, domain: string, afterStep?: number): Promise<{ event: Record<string, unknown> }> {
    return this.call('POST', `/v1/runs/${encodeURIComponent(run)}/exhausted`, { domain, ...(afterStep !== undefined ? { afterStep } : {}) }, `mark ${domain} exhausted`);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body: unknown, what: string): Promise<T> {
    const res = await this.pool.request({ method, path, headers: this.headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.body.text();
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(text);
    } catch {
      value = { error: text.slice(0, 500) };
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return value as T;
    if (res.statusCode === 503 && value.code === 'not_ready') throw new WeightsNotReady(res.statusCode, value, what);
    throw new AdomixHttpError(res.statusCode, value, what);
  }
}
