/**
 * The runs' HTTP routes (all under /v1). Schemas check shapes and ranges at the edge; the
 * run checks the rest (rank < R, one entry per domain, counts and sums that agree) and
 * names the field in its 400.
 */
import type { FastifyInstance } from 'fastify';
import type { ServeMetrics } from './metrics.js';
import { livePage } from './page.js';
import type { RunRegistry } from './RunRegistry.js';
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
  },
} as const;

const eventQuery = { afterStep: { type: 'integer', minimum: 0, description: 'Apply right after this step (default: after the next step).' } } as const;

export function registerRunRoutes(app: FastifyInstance, runs: RunRegistry, metrics: ServeMetrics, page: { pageRefreshSeconds: number }): void {
  app.post('/v1/runs', { schema: { body: runSpecSchema } }, async (request, reply) => {
    const { entry, created } = runs.create(request.body);
    reply.code(created ? 201 : 200);
    return { created, ...entry.run.status(Date.now()) };
  });

  app.get('/v1/runs', async () => ({ runs: runs.list().map((e) => e.run.status(Date.now())) }));

  app.get('/v1/runs/:run', { schema: { params: runParams } }, async (request) => runs.get((request.params as { run: string }).run).run.status(Date.now()));

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
      const { run } = runs.get((request.params as { run: string }).run);
      const result = run.report(request.body as Parameters<typeof run.report>[0], Date.now());
      metrics.reportSeconds.observe({ run: run.id }, (performance.now() - started) / 1000);
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
      const { run } = runs.get((request.params as { run: string }).run);
      const { step, wait } = request.query as { step: number; wait?: number };
      let answer = run.weightsFor(step);
      if (answer === undefined) {
        const waitStart = performance.now();
        await run.waitForWeights(step, wait ?? 10_000);
        metrics.waitSeconds.observe({ run: run.id }, (performance.now() - waitStart) / 1000);
        answer = run.weightsFor(step);
      }
      metrics.weightsSeconds.observe({ run: run.id }, (performance.now() - started) / 1000);
      if (answer === undefined) {
        const status = run.status(Date.now());
        const latest = run.weightsFor(run.applied + 1 + run.spec.lag)!;
        return reply.code(503).header('retry-after', '1').send({
          error: `the weights of step ${step} are not ready: step ${Math.max(step - 1 - run.spec.lag, -1)} is not applied yet (applied: ${run.applied})`,
          code: 'not_ready',
          waitingFor: status.waitingFor,
          stalled: status.stalled,
          latest: { step: latest.step, basedOn: latest.basedOn, domains: run.domains, weights: Array.from(latest.weights) },
        });
      }
      return { step, basedOn: answer.basedOn, domains: run.domains, weights: Array.from(answer.weights) };
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
      return { event: runs.get((request.params as { run: string }).run).run.addDomain(name, prior, afterStep) };
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
      return { event: runs.get((request.params as { run: string }).run).run.markExhausted(domain, afterStep) };
    },
  );

  app.get('/v1/runs/:run/page', { schema: { params: runParams, hide: true } }, async (request, reply) => {
    const entry = runs.get((request.params as { run: string }).run);
    reply.type('text/html; charset=utf-8');
    return livePage(entry, page.pageRefreshSeconds);
  });

}
