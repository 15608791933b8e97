import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface Readiness {
  /** Every JWKS issuer has keys. */
  keys(): boolean;
  upstream(): Promise<boolean>;
}

/** The admin port: metrics and probes, never on the public listener. */
export function buildAdminApp(registry: Registry, readiness: Readiness): FastifyInstance {
  const admin = Fastify({ logger: false });
  admin.get('/healthz', async () => ({ status: 'ok' }));
  admin.get('/readyz', async (_request, reply) => {
    const keys = readiness.keys();
    const upstream = await readiness.upstream();
    const ready = keys && upstream;
    return reply.code(ready ? 200 : 503).send({ ready, checks: { config: true, keys, upstream } });
  });
  admin.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return admin;
}
