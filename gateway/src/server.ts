import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { createAuthenticator, type Authenticator, type Identity } from './authn/index.js';
import { compileRoutes, type CompiledRoute } from './authz/index.js';
import type { GatewayConfig } from './config/types.js';
import { createCorsPolicy, type CorsPolicy } from './cors/index.js';
import { deny, errorResponse, type Denial } from './errors.js';
import { createPeerTrust } from './forward/client-address.js';
import { identityHeaderValues } from './forward/identity-headers.js';
import { buildUpstreamHeaders } from './forward/request-headers.js';
import { buildClientHeaders } from './forward/response-headers.js';
import { createUpstream, type ForwardOutcome, type Upstream } from './forward/upstream.js';
import { buildAdminApp } from './observe/admin.js';
import { GatewayMetrics } from './observe/metrics.js';
import { logRequest } from './observe/request-log.js';
import { createPipeline, type Verdict } from './pipeline.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const UNMATCHED_ROUTE = '(none)';

/** What the gateway learned about a request, read once more when the response ends. */
interface RequestState {
  readonly startedAt: number;
  verdict?: Verdict;
  upstreamMs?: number;
  denial?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    gateway: RequestState;
  }
}

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
  const upstreamOrigin = new URL(config.upstream.url).origin;
  const peerTrusted = createPeerTrust(config.trustProxy);
  const headerPolicy = {
    identityHeaders: new Set(config.identityHeaders.map(([header]) => header)),
    forwardAuthorization: config.forwardAuthorization,
  };

  // Typed as a plain FastifyInstance: our pino Logger is richer than FastifyBaseLogger, which only confuses generics.
  const app: FastifyInstance = Fastify({
    // fastify's own lines (its per-address "listening" messages) are noise next to ours; its errors are not.
    loggerInstance: log.child({}, { level: log.isLevelEnabled('warn') ? 'warn' : log.level }) as FastifyBaseLogger,
    // Request lines are ours (observe/request-log.ts): one per request, with the gateway's fields.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger: request lines are written by observe/request-log.ts with
    // the request id as a field, and a pino child per request is measurable on the hot path.
    childLoggerFactory: (logger) => logger,
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
      request.gateway = { startedAt: performance.now() };
      observeEnd(request, reply.raw);
      sendDenial(request, reply, deny('ambiguous_path'));
    },
  });
  app.decorateRequest('gateway', null as unknown as RequestState);
  // Whatever fails unexpectedly is still answered in the contract's format, without details.
  app.setErrorHandler((error, request, reply) => {
    log.error({ err: error, request_id: request.id }, 'unexpected error');
    request.gateway ??= { startedAt: performance.now() };
    return sendDenial(request, reply, deny('internal_error'));
  });

  // The gateway never reads bodies: they stream to the upstream untouched.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  function corsHeaders(request: FastifyRequest): Record<string, string> {
    return cors.responseHeaders(headerValue(request.headers.origin));
  }

  function sendDenial(request: FastifyRequest, reply: FastifyReply, denial: Denial, allow?: readonly string[]): FastifyReply {
    request.gateway.denial = denial.reason;
    const response = errorResponse(denial, { requestId: request.id, realm: config.realm, ...(allow ? { allow } : {}) });
    return reply
      .code(response.status)
      .headers({ ...response.headers, ...corsHeaders(request), 'x-request-id': request.id })
      .send(response.body);
  }

  function observeEnd(request: FastifyRequest, res: ServerResponse): void {
    res.once('close', () => {
      const state = request.gateway;
      const verdict = state.verdict;
      const route = verdict && 'route' in verdict && verdict.route ? verdict.route.template : UNMATCHED_ROUTE;
      const identity: Identity | undefined = verdict && 'identity' in verdict ? verdict.identity : undefined;
      const observation = {
        route,
        method: request.method,
        // A response cut off before its head was sent never reached the client: 499, as nginx logs it.
        status: res.headersSent ? res.statusCode : 499,
        durationSeconds: (performance.now() - state.startedAt) / 1e3,
        ...(state.upstreamMs !== undefined ? { upstreamSeconds: state.upstreamMs / 1e3 } : {}),
        ...(state.denial ? { denial: state.denial } : {}),
      };
      metrics.observeRequest(observation);
      if (verdict && 'tokenCached' in verdict && verdict.tokenCached !== undefined) metrics.tokenVerified(verdict.tokenCached);
      logRequest(log, { ...observation, requestId: request.id, ...(identity ? { subject: identity.subject } : {}) });
    });
  }

  app.addHook('onRequest', async (request, reply) => {
    request.gateway = { startedAt: performance.now() };
    observeEnd(request, reply.raw);
    const verdict = await decide(request.raw);
    request.gateway.verdict = verdict;
    if (verdict.kind === 'deny') return sendDenial(request, reply, verdict.denial, verdict.allow);
    if (verdict.kind === 'preflight') {
      return reply
        .code(204)
        .headers({ ...cors.preflightHeaders(headerValue(request.headers.origin), verdict.route), 'x-request-id': request.id })
        .send();
    }
    return undefined;
  });

  app.all('*', (request, reply) => forward(request, reply));

  async function forward(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const verdict = request.gateway.verdict;
    if (verdict?.kind !== 'forward') {
      // Unreachable by construction (onRequest answers every other verdict); fail closed anyway.
      sendDenial(request, reply, deny('internal_error'));
      return;
    }
    reply.hijack();
    const req = request.raw;
    const trusted = peerTrusted(req.socket.remoteAddress);
    const identity = verdict.identity && !verdict.route.public ? identityHeaderValues(config.identityHeaders, verdict.identity) : [];
    const headers = buildUpstreamHeaders(req, headerPolicy, { requestId: request.id, identity, peerTrusted: trusted, protocol: 'http' });
    const cors = corsHeaders(request);
    const outcome = await upstream.forward(req, reply.raw, {
      pathAndQuery: verdict.target.path + verdict.target.query,
      headers,
      bodyLimitBytes: config.limits.bodyBytes,
      clientHeaders: (upstreamHeaders) =>
        buildClientHeaders(upstreamHeaders, { upstreamOrigin, clientOrigin: clientOrigin(request, trusted), requestId: request.id, cors }),
    });
    settle(request, reply, outcome);
  }

  function settle(request: FastifyRequest, reply: FastifyReply, outcome: ForwardOutcome): void {
    if (outcome.ok) {
      request.gateway.upstreamMs = outcome.upstreamMs;
      return;
    }
    if (outcome.failure === 'client_aborted' || outcome.failure === 'response_aborted') return;
    const res = reply.raw;
    if (res.headersSent || res.destroyed) return;
    const denial = deny(outcome.failure === 'payload_too_large' ? 'body_too_large' : outcome.failure);
    request.gateway.denial = denial.reason;
    const response = errorResponse(denial, { requestId: request.id, realm: config.realm });
    const body = JSON.stringify(response.body);
    const headers = { ...response.headers, ...corsHeaders(request), 'x-request-id': request.id, 'content-length': String(Buffer.byteLength(body)) };
    // A body we did not read to the end cannot leave the connection reusable.
    if (!request.raw.complete) Object.assign(headers, { connection: 'close' });
    res.writeHead(response.status, headers);
    res.end(request.method === 'HEAD' ? undefined : body);
  }

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

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}

function clientOrigin(request: FastifyRequest, trusted: boolean): string | undefined {
  const forwardedProto = trusted ? headerValue(request.headers['x-forwarded-proto']) : undefined;
  const forwardedHost = trusted ? headerValue(request.headers['x-forwarded-host']) : undefined;
  const host = forwardedHost ?? request.headers.host;
  if (!host || /[^A-Za-z0-9.:\[\]-]/.test(host)) return undefined;
  const proto = forwardedProto === 'https' ? 'https' : 'http';
  return `${proto}://${host}`;
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

export type { IncomingMessage };
