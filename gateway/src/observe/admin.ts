import Fastify, { type FastifyInstance } from 'fastify';
import type { PoolSnapshot } from '../proxy/upstream-load.js';
import { registerRevocationRoutes, type RevocationRoutes } from './admin-revocations.js';

export const READINESS_CHECKS = ['keys', 'upstream', 'upstream_capacity', 'revocations', 'store'] as const;
export type ReadinessCheck = (typeof READINESS_CHECKS)[number];

/**
 * keys: every JWKS issuer has keys; upstream: it accepts a connection; upstream_capacity: the
 * pool can take requests (queued requests got a connection lately, and the last forwards did
 * not all time out waiting for a head — a frozen or saturated upstream still accepts TCP);
 * revocations: every live revocation has been loaded at least once; store: the revocation store
 * is reachable now (always, in memory). In a cluster, each holds for every worker that serves
 * ready (for every worker, when none does): the cluster is ready while one worker is.
 */
export type ReadinessChecks = Readonly<Record<ReadinessCheck, boolean>>;

export interface Readiness {
  readonly checks: ReadinessChecks;
  /** The upstream pool's saturation (summed over a cluster's workers), reported beside the checks. */
  readonly pool?: PoolSnapshot;
  /** A cluster's workers: the config's count, those alive (asked) and those that answered ready. */
  readonly workers?: WorkerCounts;
  /** Shutting down (SIGTERM): not ready whatever the checks say, and no `exclude` changes that. */
  readonly draining?: boolean;
}

export interface WorkerCounts {
  readonly expected: number;
  readonly alive: number;
  readonly ready: number;
}

export interface MetricsSource {
  readonly contentType: string;
  text(): Promise<string>;
}

function poolReport(s: PoolSnapshot) {
  return {
    connections: s.connections,
    in_flight: s.inFlight,
    busy: s.busy,
    free: s.free,
    queued: s.queued,
    stalled_ms: s.stalledMs,
    consecutive_head_timeouts: s.consecutiveHeadTimeouts,
  };
}

/**
 * The admin port: metrics and probes, never on the public listener; with admin.token, the
 * revocations API too. `/readyz?exclude=store` (repeatable, as kube-apiserver's /readyz)
 * leaves a check out of the verdict while still reporting it: a load balancer that should keep
 * sending traffic through a Redis outage (the last known revocations stay enforced) checks that.
 */
export function buildAdminApp(metrics: MetricsSource, readiness: (excluded: readonly ReadinessCheck[]) => Promise<Readiness>, revocations?: RevocationRoutes): FastifyInstance {
  const admin = Fastify({ logger: false });
  admin.get('/healthz', async () => ({ status: 'ok' }));
  admin.get<{ Querystring: { exclude?: string | string[] } }>('/readyz', async (request, reply) => {
    const raw = request.query.exclude;
    const names = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const unknown = names.find((name) => !(READINESS_CHECKS as readonly string[]).includes(name));
    if (unknown !== undefined) {
      return reply.code(400).send({ error: 'bad_request', message: `exclude: unknown check ${JSON.stringify(unknown)}; checks: ${READINESS_CHECKS.join(', ')}` });
    }
    const excluded = names as ReadinessCheck[];
    const { checks, pool, workers, draining = false } = await readiness(excluded);
    const ready = !draining && READINESS_CHECKS.every((name) => checks[name] || excluded.includes(name));
    return reply.code(ready ? 200 : 503).send({ ready, ...(draining ? { draining } : {}), checks, ...(pool ? { pool: poolReport(pool) } : {}), ...(workers ? { workers } : {}), ...(excluded.length > 0 ? { excluded } : {}) });
  });
  admin.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.contentType);
    return metrics.text();
  });
  if (revocations) registerRevocationRoutes(admin, revocations);
  return admin;
}
