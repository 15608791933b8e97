// The gateway of one process: the public app (serving/public-app.ts) over the running config,
// the revocations and rate-limit counters of the process, its metrics and its admin port, and
// how it starts, drains (serving/drain.ts) and closes.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { GatewayConfig } from './gateway-config.js';
import { buildAdminApp } from './observe/admin.js';
import { readinessOf, type LocalReadiness } from './observe/readiness.js';
import { createAccessLog } from './observe/request-log.js';
import { GatewayMetrics } from './observe/metrics.js';
import { keyFetchEvents } from './observe/key-events.js';
import { createObserver } from './observe/observer.js';
import type { Authenticator, KeySourceFactory } from './pipeline/authn/index.js';
import { setUpRateLimits } from './rate-limits.js';
import { setUpRevocations } from './revocations.js';
import { ServingHolder, type PrepareResult } from './serving/holder.js';
import { buildPublicApp } from './serving/public-app.js';
import type { RevocationSource } from './store/index.js';

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
  /** A cluster worker: its key sets get the documents its primary fetched (alone, a gateway fetches its own). */
  readonly keySources?: KeySourceFactory;
}


export interface Gateway {
  /** The public port's server (node:http: serving/public-app.ts). */
  readonly server: Server;
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
  /**
   * Stops taking connections and lets the open ones end without a reset (serving/drain.ts);
   * resolves once all have closed. From then on /readyz is 503 `draining`. Then close().
   */
  drain(): Promise<void>;
  /** The drain's deadline passed: destroys the connections still open. */
  forceDrain(): void;
  close(): Promise<void>;
}

export function buildGateway(config: GatewayConfig, deps: GatewayDeps): Gateway {
  const log = deps.logger;
  const metrics = deps.metrics ?? new GatewayMetrics();
  const authnEvents = {
    ...keyFetchEvents(log, (issuer, result) => metrics.keyFetch(issuer, result)),
    keysChanged: (issuer: string) => log.info({ issuer }, 'key set changed'),
    kidWait: (issuer: string, outcome: string) => metrics.kidWait(issuer, outcome),
  };
  // Revocations belong to the process, not to one config: the store is a restart key.
  const revocations = setUpRevocations(config, { log, metrics, source: deps.revocationSource });
  const rateLimits = setUpRateLimits(config, { log, metrics, viaPrimary: deps.rateLimitsViaPrimary === true });
  const stateDeps = { authnEvents, revocations: revocations.list, rateStore: rateLimits.store, ...(deps.keySources ? { keySources: deps.keySources } : {}) };
  const serving = new ServingHolder(config, stateDeps, (next) => {
    // Node's own limits live on the listener, outside the state: they apply to new requests.
    server.headersTimeout = next.limits.headerTimeoutMs;
    server.requestTimeout = next.limits.requestTimeoutMs;
    log.level = next.logLevel;
  });
  const observe = createObserver(metrics, createAccessLog(log));
  metrics.trackUpstream(() => serving.current.upstream);

  const { server, drain } = buildPublicApp(log, serving, observe, config.limits);

  const localReadiness = (): LocalReadiness => ({ keys: serving.current.authenticator.ready(), revocations: revocations.loaded(), store: revocations.storeUp(), pool: serving.current.upstream.pool() });
  const admin = buildAdminApp(
    { contentType: metrics.registry.contentType, text: () => metrics.registry.metrics() },
    async () => ({ ...readinessOf(localReadiness(), await serving.current.upstream.reachable()), draining: drain.draining }),
    // Only a gateway that owns its store takes admin writes (a cluster's primary takes them for its workers).
    revocations.ownStore && config.adminToken !== undefined && deps.adminListener !== false ? { token: config.adminToken, store: revocations.ownStore, log } : undefined,
  );

  return {
    server,
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
    drain: () => drain.start(serving.current.config.shutdown.idleGraceMs),
    forceDrain: () => drain.force(),
    async close() {
      await closeServer(server);
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
    await listen(gateway.server, config.listen.host, config.listen.port);
    if (deps.adminListener !== false) await gateway.admin.listen({ host: config.admin.host, port: config.admin.port });
  } catch (error) {
    await gateway.close().catch(() => {});
    throw error;
  }
  await gateway.start();
  return {
    gateway,
    url: urlOf(config.listen.host, gateway.server.address() as AddressInfo),
    adminUrl: deps.adminListener === false ? '' : urlOf(config.admin.host, gateway.admin.server.address() as AddressInfo),
    close: () => gateway.close(),
  };
}

export function urlOf(host: string, address: AddressInfo): string {
  const shown = host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${address.port}`;
}

/** Listens; rejects on EADDRINUSE and the like instead of emitting an error. */
function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once('error', failed);
    server.listen({ host, port }, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

/** Closes the public server: idle keep-alive sockets at once, the rest when their answers end (after a drain, none is left). */
function closeServer(server: Server): Promise<void> {
  if (!server.listening) {
    server.closeAllConnections();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
