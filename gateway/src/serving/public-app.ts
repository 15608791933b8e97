// The public port's fastify app: the onRequest hook runs the pipeline, then either the responder
// answers (refusal, preflight) or the proxy forwards; the outcome value is observed once.
// What a request is handled with is one immutable state (state.ts) read once per request, so a
// reload swaps it without touching requests in flight.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { LimitsConfig } from '../config/types.js';
import { deny, type Denial } from '../errors/reasons.js';
import type { Observe } from '../observe/outcome.js';
import type { Verdict } from '../pipeline/index.js';
import { answer } from './answer.js';
import type { ConnectionDrain } from './drain.js';
import type { ServingHolder } from './holder.js';
import { createListener } from './listener.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export interface PublicApp {
  readonly app: FastifyInstance;
  /** The listener's connections, for a graceful stop. */
  readonly drain: ConnectionDrain;
}

export function buildPublicApp(log: Logger, serving: ServingHolder, observe: Observe, limits: LimitsConfig): PublicApp {
  let drain: ConnectionDrain | undefined;

  /** A refusal decided outside the pipeline (a URL the router cannot take, an unexpected error). */
  function refuse(req: IncomingMessage, res: ServerResponse, requestId: string, startedAt: number, denial: Denial): void {
    if (res.headersSent || res.destroyed) return;
    void answer(serving.hold(), req, res, requestId, startedAt, { kind: 'deny', denial }).then(observe);
  }

  // Typed as a plain FastifyInstance: our pino Logger is richer than FastifyBaseLogger, which only confuses generics.
  const app: FastifyInstance = Fastify({
    // fastify's own lines (its per-address "listening" messages) are noise next to ours; its errors are not.
    loggerInstance: log.child({}, { level: log.isLevelEnabled('warn') ? 'warn' : log.level }) as FastifyBaseLogger,
    // Request lines are ours (observe/request-log.ts): one per request, with the gateway's fields.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger: a pino child per request is measurable on the hot path.
    childLoggerFactory: (logger) => logger,
    // Stopping is the drain's (drain.ts): by the time fastify closes, no connection is left. Should
    // one still be, what arrives on it is served, not answered with fastify's own 503 body.
    return503OnClosing: false,
    serverFactory: (handler) => {
      const listener = createListener(limits, handler);
      drain = listener.drain;
      return listener.server;
    },
    genReqId: (req) => {
      const sent = req.headers['x-request-id'];
      return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
    },
    // A URL the router cannot decode is still answered in the gateway's own format.
    frameworkErrors: (_error, request, reply) => {
      reply.hijack();
      refuse(request.raw, reply.raw, request.id, performance.now(), deny('ambiguous_path'));
    },
  });
  // Whatever fails unexpectedly is still answered in the contract's format, without details.
  app.setErrorHandler((error, request, reply) => {
    log.error({ err: error, request_id: request.id }, 'unexpected error');
    reply.hijack();
    refuse(request.raw, reply.raw, request.id, performance.now(), deny('internal_error'));
  });

  // The gateway never reads bodies: they stream to the upstream untouched.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  // Every request is decided and answered here, at the first lifecycle step, with the reply
  // hijacked: the body stays unread, and fastify's later stages (content-type parsing above all,
  // which refuses media types the upstream may accept) never see a request the gateway passes on.
  app.addHook('onRequest', async (request, reply) => {
    const startedAt = performance.now();
    const state = serving.hold();
    let verdict: Verdict;
    try {
      verdict = await state.decide(request.raw);
    } catch (error) {
      state.release();
      throw error;
    }
    reply.hijack();
    answer(state, request.raw, reply.raw, request.id, startedAt, verdict).then(observe, (error: unknown) => {
      log.error({ err: error, request_id: request.id }, 'unexpected error');
      refuse(request.raw, reply.raw, request.id, startedAt, deny('internal_error'));
    });
  });

  // Every request is answered in onRequest; this route only gives fastify's router a match.
  app.all('*', (request, reply) => {
    reply.hijack();
    refuse(request.raw, reply.raw, request.id, performance.now(), deny('internal_error'));
  });

  if (!drain) throw new Error('fastify did not call serverFactory');
  return { app, drain };
}
