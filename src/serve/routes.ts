/**
 * The runs' HTTP routes (all under /v1). Schemas check shapes and ranges at the edge; the
 * run checks the rest (rank < R, one entry per domain, counts and sums that agree) and
 * names the field in its 400.
 */
import type { FastifyInstance } from 'fastify';
import type { ServeMetrics } from './metrics.js';
import type { RunBackend } from './backend.js';
import { MAX_DOMAINS, RUN_ID_PATTERN, runSpecSchema } from './runSpec.js';

const runParams = { type: 'object', required: ['run'], properties: { run: { type: 'string', pattern: RUN_ID_PATTERN } } } as const;
const numbers = { type: 'array', maxItems: MAX_DOMAINS, items: { type: ['number', 'null'] } } as const;
const error = { type: 'object', properties: { error: { type: 'string' } }, additionalProperties: true } as const;
const weights = {
  type: 'object',
  properties: {
    step: { type: 'integer' },
    basedOn: { type: 'integer', description: 'The step whose policy output these weights are (−1: the initial mixture).' },
    domains: { type: 'array', items: { type: 'string' } },
    weights: { type: 'array', items: { type: 'number' } },
  },
} as const;

const reportBody = {
  type: 'object',
  required: ['step', 'rank', 'count'],
  additionalProperties: false,
  description: 'One rank\'s part of one step: per-domain loss sums (or means) and counts. Exactly one of lossSum and loss.',
  properties: {
    step: { type: 'integer', minimum: 0 },
    rank: { type: 'integer', minimum: 0 },
    count: { type: 'array', maxItems: MAX_DOMAINS, items: { type: 'integer', minimum: 0 } },
    lossSum: numbers,
    loss: numbers,
    basedOn: { type: 'integer', minimum: -1, description: 'The basedOn of the weights the batch was drawn with, when the rank went on with older ones.' },
  },
} as const;

const eventQuery = { afterStep: { type: 'integer', minimum: 0, description: 'Apply right after this step (default: after the next step).' } } as const;

export function registerRunRoutes(app: FastifyInstance, runs: RunBackend, metrics: ServeMetrics, page: { pageRefreshSeconds: number }): void {
  const runId = (request: { params: unknown }): string => (request.params as { run: string }).run;

  app.post('/v1/runs', { schema: { body: runSpecSchema } }, async (request, reply) => {
    const { created, status } = await runs.create(request.body);
    reply.code(created ? 201 : 200);
    return { created, ...status };
  });

  app.get('/v1/runs', async () => ({ runs: await runs.list() }));

  app.get('/v1/runs/:run', { schema: { params: runParams } }, async (request) => runs.status(runId(request)));

  app.post(
    '/v1/runs/:run/reports',
    {
      schema: {
        params: runParams,
        body: reportBody,
        response: {
          200: { type: 'object', properties: { status: { type: 'string', enum: ['accepted', 'duplicate'] }, applied: { type: 'integer' } } },
          400: error,
          409: error,
        },
      },
    },
    async (request) => {
      const started = performance.now();
      const id = runId(request);
      const result = await runs.report(id, request.body as Parameters<RunBackend['report']>[1]);
      for (const w of runs.takeWarnings?.(id) ?? []) request.log.warn({ run: id, step: w.step, kind: w.kind, ...(w.domain !== undefined ? { domain: w.domain } : {}) }, w.message);
      metrics.reportSeconds.observe({ run: id }, (performance.now() - started) / 1000);
      return result;
    },
  );

  app.get(
    '/v1/runs/:run/weights',
    {
      schema: {
        params: runParams,
        querystring: {
          type: 'object',
          required: ['step'],
          additionalProperties: false,
          properties: {
            step: { type: 'integer', minimum: 0 },
            wait: { type: 'integer', minimum: 0, maximum: 300_000, description: 'Wait up to this many ms for the step (default 10,000).' },
          },
        },
        response: { 200: weights, 503: error, 410: error },
      },
    },
    async (request, reply) => {
      const started = performance.now();
      const id = runId(request);
      const { step, wait } = request.query as { step: number; wait?: number };
      const result = await runs.weights(id, step, wait ?? 10_000);
      if (result.waitedMs > 0) metrics.waitSeconds.observe({ run: id }, result.waitedMs / 1000);
      metrics.weightsSeconds.observe({ run: id }, (performance.now() - started) / 1000);
      if (!result.ready) return reply.code(503).header('retry-after', '1').send(result.body);
      return result.body;
    },
  );

  app.post(
    '/v1/runs/:run/domains',
    {
      schema: {
        params: runParams,
        body: {
          type: 'object',
          required: ['name', 'prior'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 256 }, prior: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }, ...eventQuery },
        },
      },
    },
    async (request) => {
      const { name, prior, afterStep } = request.body as { name: string; prior: number; afterStep?: number };
      return { event: await runs.addDomain(runId(request), name, prior, afterStep) };
    },
  );

  app.post(
    '/v1/runs/:run/exhausted',
    {
      schema: {
        params: runParams,
        body: { type: 'object', required: ['domain'], additionalProperties: false, properties: { domain: { type: 'string', minLength: 1, maxLength: 256 }, ...eventQuery } },
      },
    },
    async (request) => {
      const { domain, afterStep } = request.body as { domain: string; afterStep?: number };
      return { event: await runs.markExhausted(runId(request), domain, afterStep) };
    },
  );

  app.get('/v1/runs/:run/steplog', { schema: { params: runParams, description: 'The run\'s step log (JSONL), for adomix replay, fit and report.' } }, async (request, reply) => {
    reply.type('application/x-ndjson; charset=utf-8');
    return runs.steplog(runId(request));
  });

  app.get('/v1/runs/:run/page', { schema: { params: runParams, hide: true } }, async (request, reply) => {
    reply.type('text/html; charset=utf-8');
    return runs.page(runId(request), page.pageRefreshSeconds);
  });
}
