// Wires the stages into the listener: fastify's onRequest hook runs the pipeline, then either the
// responder answers (refusal, preflight) or the proxy forwards; the outcome value is observed once.
// What a request is handled with is one immutable state (serving/state.ts) read once per request,
// so a reload swaps it without touching requests in flight.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { deny, type Denial } from './errors/reasons.js';
import type { GatewayConfig } from './gateway-config.js';
import { deferContinue } from './proxy/continue.js';
import { buildAdminApp } from './observe/admin.js';
import { readinessOf, type LocalReadiness } from './observe/readiness.js';
import { createAccessLog } from './observe/request-log.js';
import { GatewayMetrics } from './observe/metrics.js';
import { createObserver, UNMATCHED_ROUTE, type Outcome } from './observe/outcome.js';
import { MAX_JWKS_KEYS, type Authenticator } from './pipeline/authn/index.js';
import type { Verdict } from './pipeline/index.js';
import { setUpRateLimits } from './rate-limits.js';
import { setUpRevocations } from './revocations.js';
import { ServingHolder, type PrepareResult } from './serving/holder.js';
import type { ServingState } from './serving/state.js';
import type { ForwardResult } from './proxy/proxy.js';
import type { RevocationSource } from './store/index.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export interface GatewayDeps {
  readonly logger: Logger;
  /** false in a cluster worker: the primary serves the admin port for all workers. */
  readonly adminListener?: boolean;
  /** Tests pass their own; a gateway otherwise owns one. */
  readonly metrics?: GatewayMetrics;
  /**
   * Where this gateway learns revocations when it does not own a store: a cluster worker without
   * Redis learns them from its primary. Otherwise the gateway opens the configured store itself.
   */
  readonly revocationSource?: RevocationSource;
  /** A cluster worker without Redis: its primary counts rate limits for every worker (over IPC). */
  readonly rateLimitsViaPrimary?: boolean;
}


export interface Gateway {
  readonly app: FastifyInstance;
  readonly admin: FastifyInstance;
  /** The running config's authenticator (a reload may replace it). */
  readonly authenticator: Authenticator;
  /** The running config and its hash. */
  readonly config: GatewayConfig;
  readonly configHash: string;
  readonly metrics: GatewayMetrics;
  localReadiness(): LocalReadiness;
  /** Fetches every JWKS issuer's keys and loads every revocation once; never rejects (a failure leaves /readyz false). */
  start(): Promise<void>;
  /** A reload, first half: builds (and fetches the new keys of) `config` beside the running one. */
  prepareReload(config: GatewayConfig): Promise<PrepareResult>;
  close(): Promise<void>;
}

export function buildGateway(config: GatewayConfig, deps: GatewayDeps): Gateway {
  const log = deps.logger;
  const metrics = deps.metrics ?? new GatewayMetrics();
  const authnEvents = {
    keyFetch: (issuer: string, result: string) => {
      metrics.keyFetch(issuer, result);
      if (result !== 'success') log.warn({ issuer, result }, 'key set fetch failed');
    },
    keysChanged: (issuer: string) => log.info({ issuer }, 'key set changed'),
    keysIgnored: (issuer: string, listed: number) =>
      log.warn({ issuer, keys_listed: listed, keys_read: MAX_JWKS_KEYS }, `key set lists ${listed} keys: only the first ${MAX_JWKS_KEYS} are read`),
  };
  // Revocations belong to the process, not to one config: the store is a restart key.
  const revocations = setUpRevocations(config, { log, metrics, source: deps.revocationSource });
  const rateLimits = setUpRateLimits(config, { log, metrics, viaPrimary: deps.rateLimitsViaPrimary === true });
  const serving = new ServingHolder(config, { authnEvents, revocations: revocations.list, rateStore: rateLimits.store }, (next) => {
    // Node's own limits live on the listener, outside the state: they apply to new requests.
    app.server.headersTimeout = next.limits.headerTimeoutMs;
    app.server.requestTimeout = next.limits.requestTimeoutMs;
    log.level = next.logLevel;
  });
  const observe = createObserver(metrics, createAccessLog(log));
  metrics.trackUpstream(() => serving.current.upstream);

  /**
   * Answers or forwards one decided request with the state it was decided under (held by the
   * caller, released here); resolves with its outcome once the answer is complete.
   */
  async function serve(state: ServingState, req: IncomingMessage, res: ServerResponse, requestId: string, startedAt: number, verdict: Verdict): Promise<Outcome> {
    let status: number;
    let forwarded: ForwardResult | undefined;
    try {
      if (verdict.kind === 'deny') status = state.respond.deny(req, res, requestId, verdict.denial, { route: verdict.route });
      else if (verdict.kind === 'preflight') status = state.respond.preflight(req, res, requestId, verdict.route);
      else ({ status } = forwarded = await state.forward(req, res, requestId, verdict));
    } finally {
      state.release();
    }
    const reason = verdict.kind === 'deny' ? verdict.denial.reason : forwarded?.reason;
    const identity = verdict.kind === 'preflight' ? undefined : verdict.identity;
    const tokenCached = verdict.kind === 'preflight' ? undefined : verdict.tokenCached;
    return {
      requestId,
      method: req.method ?? '',
      route: verdict.route?.template ?? UNMATCHED_ROUTE,
      status,
      durationMs: performance.now() - startedAt,
      ...(forwarded?.upstreamMs !== undefined ? { upstreamMs: forwarded.upstreamMs } : {}),
      ...(reason !== undefined ? { reason } : {}),
      ...(forwarded?.timeout !== undefined ? { timeout: forwarded.timeout } : {}),
      ...(forwarded?.retried !== undefined ? { retried: forwarded.retried } : {}),
      ...(identity ? { subject: identity.subject } : {}),
      ...(tokenCached !== undefined ? { tokenCached } : {}),
    };
  }

  /** A refusal decided outside the pipeline (a URL the router cannot take, an unexpected error). */
  function refuse(req: IncomingMessage, res: ServerResponse, requestId: string, startedAt: number, denial: Denial): void {
    if (res.headersSent || res.destroyed) return;
    void serve(serving.hold(), req, res, requestId, startedAt, { kind: 'deny', denial }).then(observe);
  }

  // Typed as a plain FastifyInstance: our pino Logger is richer than FastifyBaseLogger, which only confuses generics.
  const app: FastifyInstance = Fastify({
    // fastify's own lines (its per-address "listening" messages) are noise next to ours; its errors are not.
    loggerInstance: log.child({}, { level: log.isLevelEnabled('warn') ? 'warn' : log.level }) as FastifyBaseLogger,
    // Request lines are ours (observe/request-log.ts): one per request, with the gateway's fields.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger: a pino child per request is measurable on the hot path.
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
      // Expect: 100-continue is answered only once the request is authorized (proxy/continue.ts).
      deferContinue(server, handler);
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
    serve(state, request.raw, reply.raw, request.id, startedAt, verdict).then(observe, (error: unknown) => {
      log.error({ err: error, request_id: request.id }, 'unexpected error');
      refuse(request.raw, reply.raw, request.id, startedAt, deny('internal_error'));
    });
  });

  // Every request is answered in onRequest; this route only gives fastify's router a match.
  app.all('*', (request, reply) => {
    reply.hijack();
    refuse(request.raw, reply.raw, request.id, performance.now(), deny('internal_error'));
  });

  const localReadiness = (): LocalReadiness => ({ keys: serving.current.authenticator.ready(), revocations: revocations.loaded(), store: revocations.storeUp(), pool: serving.current.upstream.pool() });
  const admin = buildAdminApp(
    { contentType: metrics.registry.contentType, text: () => metrics.registry.metrics() },
    async () => readinessOf(localReadiness(), await serving.current.upstream.reachable()),
    // Only a gateway that owns its store takes admin writes (a cluster's primary takes them for its workers).
    revocations.ownStore && config.adminToken !== undefined && deps.adminListener !== false ? { token: config.adminToken, store: revocations.ownStore, log } : undefined,
  );

  return {
    app,
    admin,
    get authenticator() {
      return serving.current.authenticator;
    },
    get config() {
      return serving.current.config;
    },
    get configHash() {
      return serving.current.hash;
    },
    metrics,
    localReadiness,
    async start() {
      await Promise.all([serving.current.authenticator.start(), revocations.start()]);
    },
    prepareReload: (next) => serving.prepare(next),
    async close() {
      await app.close();
      await Promise.allSettled([admin.close(), serving.close()]);
      await revocations.close();
      rateLimits.close();
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

