/**
 * `adomix serve` as a fastify app: the runs' routes, schemas at the edge (also the OpenAPI
 * document at /openapi.json), bearer auth when a token is set, Prometheus metrics at /metrics.
 * Every error is `{error: "<what was wrong, naming the field>"}` with a 4xx status; only a
 * bug is a 500.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import { existsSync, readFileSync } from 'node:fs';
import { requireToken } from './auth.js';
import { ServeError } from './errors.js';
import { createMetrics } from './metrics.js';
import { RunRegistry } from './RunRegistry.js';
import { LocalBackend, type RunBackend } from './backend.js';
import { registerRunRoutes } from './routes.js';

/** The package's version, from dist/src/serve or (under vitest) src/serve. */
function packageVersion(): string {
  for (const up of ['../../../package.json', '../../package.json']) {
    const path = new URL(up, import.meta.url);
    if (existsSync(path)) return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
}
const version = packageVersion();

export interface ServerOptions {
  /** Where runs are kept (and restored from at start); without it runs live in memory only. Ignored with `backend`. */
  stateDir?: string;
  /** Require `Authorization: Bearer <token>` on every request. */
  token?: string;
  /** fastify's logger option (pino): false by default. */
  logger?: FastifyServerOptions['logger'];
  /** A pino logger to log with (instead of `logger`). */
  loggerInstance?: FastifyServerOptions['loggerInstance'];
  /** Largest request body, bytes (default 8 MiB). */
  bodyLimit?: number;
  /** The live page reloads itself this often (default 10 s). */
  pageRefreshSeconds?: number;
  /** Where the runs live; default: this process (`LocalBackend` over `stateDir`). */
  backend?: RunBackend;
}

export interface AdomixServer {
  app: FastifyInstance;
  backend: RunBackend;
  /** Checkpoints every run, closes the app and the runs' workers. */
  close(): Promise<void>;
}

/** An ajv error as `body/count/3 must be >= 0` or `body has an unknown field "x"`: the field, then what is wrong. */
function describeSchemaError(e: { instancePath: string; message?: string; params: Record<string, unknown>; keyword: string }, dataVar: string): string {
  const at = `${dataVar}${e.instancePath}`;
  if (e.keyword === 'additionalProperties') return `${at} has an unknown field ${JSON.stringify(e.params.additionalProperty)}`;
  if (e.keyword === 'required') return `${at}/${String(e.params.missingProperty)} is required`;
  return `${at} ${e.message ?? 'is invalid'}`;
}

export async function buildServer(options: ServerOptions = {}): Promise<AdomixServer> {
  const backend: RunBackend = options.backend ?? new LocalBackend(RunRegistry.open(options.stateDir));
  const app = Fastify({
    ...(options.loggerInstance !== undefined ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? false }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 8 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    keepAliveTimeout: 60_000,
    schemaErrorFormatter: (errors, dataVar) => new Error(errors.map((e) => describeSchemaError(e, dataVar)).join('; ')),
  });
  app.setErrorHandler((err: FastifyError | ServeError, request, reply) => {
    if (err instanceof ServeError) return reply.code(err.status).send({ error: err.message, ...err.details });
    const status = err.statusCode ?? 500;
    if (status >= 500) request.log.error({ err }, 'request failed');
    return reply.code(status).send({ error: status >= 500 ? `internal error: ${err.message}` : err.message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));
  if (options.token !== undefined) requireToken(app, options.token);
  await app.register(swagger, {
    openapi: {
      info: { title: 'adomix serve', version, description: 'Online data-mixture scheduling (ADO) for any training loop and any number of ranks.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      ...(options.token !== undefined ? { security: [{ bearer: [] }] } : {}),
    },
  });
  const metrics = createMetrics(backend);
  registerRunRoutes(app, backend, metrics, { pageRefreshSeconds: options.pageRefreshSeconds ?? 10 });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true, ...backend.health?.() }));
  await app.ready();
  let closed = false;
  return {
    app,
    backend,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await backend.close();
    },
  };
}
