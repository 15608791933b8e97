import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import type { Db } from './db/open.js';
import { createTasksRepo } from './db/tasks-repo.js';
import { errorReply, installErrorHandling } from './errors.js';
import { healthRoutes } from './routes/health.js';
import { sharedSchemas } from './routes/schemas.js';
import { taskRoutes } from './routes/tasks.js';

export interface BuildAppOptions {
  /** An open database (see openDatabase); the caller owns it and closes it. */
  db: Db;
  /**
   * false/undefined: silent. true: pino at info. An object with `level`: pino
   * options. A pino (or compatible) logger instance: used as is.
   */
  logger?: boolean | FastifyBaseLogger | { level?: string };
}

// Requests are tiny (a title and a description); a bigger body is a mistake or an attack.
const BODY_LIMIT = 64 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

// Keep the gateway's request id (it sets x-request-id) so logs of both correlate;
// a missing or odd-looking one is replaced rather than written to the log.
function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

function isLoggerInstance(logger: BuildAppOptions['logger']): logger is FastifyBaseLogger {
  return typeof logger === 'object' && logger !== null && typeof (logger as FastifyBaseLogger).child === 'function';
}

function loggerOptions(logger: BuildAppOptions['logger']): Pick<FastifyServerOptions, 'logger'> & {
  loggerInstance?: FastifyBaseLogger;
} {
  if (isLoggerInstance(logger)) return { loggerInstance: logger };
  if (logger === true) return { logger: { level: 'info' } };
  if (typeof logger === 'object' && logger !== null) return { logger: { level: logger.level ?? 'info' } };
  return { logger: false };
}

/**
 * The task service as a fastify instance, not yet listening: call `listen()`,
 * or `ready()` before `inject()`. Plugins load in registration order, so the
 * swagger hook sees every route registered after it.
 */
export function buildApp(options: BuildAppOptions): FastifyInstance {
  const app = Fastify({
    ...loggerOptions(options.logger),
    bodyLimit: BODY_LIMIT,
    // fastify disables Node's request timeout by default; a client that never
    // finishes sending its request must not hold a socket forever.
    requestTimeout: 30_000,
    // One log line per request is written by the onResponse hook below instead
    // of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    // user_id may be up to 255 characters, percent-encoded up to three times as
    // long; the schema enforces the real limit with a clear 400.
    routerOptions: { maxParamLength: 1024 },
    ajv: {
      customOptions: {
        // Unknown fields are an error, not silently dropped, and "1" is not true.
        removeAdditional: false,
        coerceTypes: false,
        allErrors: false,
      },
    },
    frameworkErrors: errorReply,
  });

  // Empty JSON bodies (content-length 0 or an empty chunked body) are "no body",
  // not a parse error: a route that needs a body then fails its schema with 400.
  const defaultJsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else defaultJsonParser(request, body as string, done);
  });

  installErrorHandling(app);
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      { method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime },
      'request completed',
    );
    done();
  });

  for (const schema of sharedSchemas) app.addSchema(schema);
  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'upstream-todo',
        version: '0.1.0',
        description:
          'Reference task service. It performs no authentication and trusts the user_id in the URL: ' +
          'run it only behind the gateway.',
      },
    },
    // Component names are the schemas' $id ("Task", "Error") rather than def-0, def-1.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });

  const repo = createTasksRepo(options.db);
  app.register(healthRoutes, { repo });
  app.register(taskRoutes, { repo });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}
