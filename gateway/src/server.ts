import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createAuthenticator, type Authenticator } from './authn/index.js';
import { compileRoutes } from './authz/index.js';
import type { GatewayConfig } from './config/types.js';
import { createCorsPolicy } from './cors/index.js';
import { deny } from './errors.js';
import { createPeerTrust } from './forward/client-address.js';
import { createProxy } from './forward/proxy.js';
import { createUpstream } from './forward/upstream.js';
import { buildAdminApp } from './observe/admin.js';
import { GatewayMetrics } from './observe/metrics.js';
import { createRequestObserver } from './observe/request-observer.js';
import { createPipeline } from './pipeline.js';
import { newRequestState, type RequestState } from './request-state.js';
import { createResponder, headerValue } from './respond.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export interface GatewayDeps {
  readonly logger: Logger;
  /** false in a cluster worker: the primary serves the admin port for all workers. */
  readonly adminListener?: boolean;
  /** Tests pass their own; a gateway otherwise owns one. */
  readonly metrics?: GatewayMetrics;
}

export interface Gateway {
  readonly app: FastifyInstance;
  readonly admin: FastifyInstance;
  readonly authenticator: Authenticator;
  readonly metrics: GatewayMetrics;
  /** Fetches every JWKS issuer's keys once; never rejects (a failure leaves /readyz false). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function buildGateway(config: GatewayConfig, deps: GatewayDeps): Gateway {
  const log = deps.logger;
  const metrics = deps.metrics ?? new GatewayMetrics();
  const authenticator = createAuthenticator(config.auth, {
    keyFetch: (issuer, result) => {
      metrics.keyFetch(issuer, result);
      if (result !== 'success') log.warn({ issuer, result }, 'key set fetch failed');
    },
    keysChanged: (issuer) => log.info({ issuer }, 'key set changed'),
  });
  const routes = compileRoutes(config.routes);
  const cors = createCorsPolicy(config.cors);
  const decide = createPipeline({ routes, cors, authenticator });
  const upstream = createUpstream(config.upstream);
  const respond = createResponder(config.realm, cors);
  const proxy = createProxy({ config, upstream, peerTrusted: createPeerTrust(config.trustProxy), respond });
  const observe = createRequestObserver(metrics, log);

  // Typed as a plain FastifyInstance: our pino Logger is richer than FastifyBaseLogger, which only confuses generics.
  const app: FastifyInstance = Fastify({
    // fastify's own lines (its per-address "listening" messages) are noise next to ours; its errors are not.
    loggerInstance: log.child({}, { level: log.isLevelEnabled('warn') ? 'warn' : log.level }) as FastifyBaseLogger,
    // Request lines are ours (observe/request-log.ts): one per request, with the gateway's fields.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger: request lines are written by observe/request-log.ts with
    // the request id as a field, and a pino child per request is measurable on the hot path.
    childLoggerFactory: (logger) => logger,
    // While stopping, a request that still arrives on an open connection is served, not answered
    // with fastify's own 503 body: in-flight work finishes, then the connections close.
    return503OnClosing: false,
    // Node's own limits are the first line against slow clients; checked every second, not every 30.
    serverFactory: (handler) => {
      const server = createServer(
        {
          headersTimeout: config.limits.headerTimeoutMs,
          requestTimeout: config.limits.requestTimeoutMs,
          connectionsCheckingInterval: 1_000,
          keepAliveTimeout: 5_000,
          requireHostHeader: true,
        },
        handler,
      );
      // Node's parser frames the request by every header, but by default hands JS only the first
      // ~1000: a Content-Length or Transfer-Encoding past them escaped the body limit and the body
      // was dropped. No count limit: the 16 KiB header-size limit (431) bounds them instead.
      server.maxHeadersCount = 0;
      return server;
    },
    genReqId: (req) => {
      const sent = req.headers['x-request-id'];
      return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
    },
    // A URL the router cannot decode is still answered in the gateway's own format.
    frameworkErrors: (_error, request, reply) => {
      request.gateway = newRequestState();
      observe(request, reply.raw);
      respond.deny(request, reply, deny('ambiguous_path'));
    },
  });
  app.decorateRequest('gateway', null as unknown as RequestState);
  // Whatever fails unexpectedly is still answered in the contract's format, without details.
  app.setErrorHandler((error, request, reply) => {
    log.error({ err: error, request_id: request.id }, 'unexpected error');
    request.gateway ??= newRequestState();
    return respond.deny(request, reply, deny('internal_error'));
  });

  // The gateway never reads bodies: they stream to the upstream untouched.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  app.addHook('onRequest', async (request, reply) => {
    request.gateway = newRequestState();
    observe(request, reply.raw);
    const verdict = await decide(request.raw);
    request.gateway.verdict = verdict;
    if (verdict.kind === 'deny') return respond.deny(request, reply, verdict.denial, verdict.allow);
    if (verdict.kind === 'preflight') {
      return reply
        .code(204)
        .headers({ ...cors.preflightHeaders(headerValue(request.headers.origin), verdict.route), 'x-request-id': request.id })
        .send();
    }
    // Forwarded right here, hijacking the reply: the body stays unread and fastify's later
    // stages (content-type parsing above all, which refuses media types the upstream may
    // accept) never see a request the gateway has already decided to pass on.
    return proxy(request, reply);
  });

  // Every request is answered in onRequest; this route only gives fastify's router a match.
  app.all('*', (request, reply) => respond.deny(request, reply, deny('internal_error')));

  const admin = buildAdminApp(
    { contentType: metrics.registry.contentType, text: () => metrics.registry.metrics() },
    { keys: () => authenticator.ready(), upstream: () => upstream.reachable() },
  );

  return {
    app,
    admin,
    authenticator,
    metrics,
    start: () => authenticator.start(),
    async close() {
      await app.close();
      await Promise.allSettled([admin.close(), upstream.close()]);
      authenticator.close();
    },
  };
}

export interface RunningGateway {
  readonly gateway: Gateway;
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly adminUrl: string;
  close(): Promise<void>;
}

/** Builds, fetches keys, and listens on both ports. Rejects (after cleaning up) if a port is taken. */
export async function startGateway(config: GatewayConfig, deps: GatewayDeps): Promise<RunningGateway> {
  const gateway = buildGateway(config, deps);
  try {
    await gateway.app.listen({ host: config.listen.host, port: config.listen.port });
    if (deps.adminListener !== false) await gateway.admin.listen({ host: config.admin.host, port: config.admin.port });
  } catch (error) {
    await gateway.close().catch(() => {});
    throw error;
  }
  await gateway.start();
  return {
    gateway,
    url: urlOf(config.listen.host, gateway.app.server.address() as AddressInfo),
    adminUrl: deps.adminListener === false ? '' : urlOf(config.admin.host, gateway.admin.server.address() as AddressInfo),
    close: () => gateway.close(),
  };
}

export function urlOf(host: string, address: AddressInfo): string {
  const shown = host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${address.port}`;
}

