import Fastify, { type FastifyInstance } from 'fastify';

export interface Readiness {
  /** Every JWKS issuer has keys (in every worker). */
  keys(): boolean | Promise<boolean>;
  upstream(): Promise<boolean>;
}

export interface MetricsSource {
  readonly contentType: string;
  text(): Promise<string>;
}

/** The admin port: metrics and probes, never on the public listener. */
export function buildAdminApp(metrics: MetricsSource, readiness: Readiness): FastifyInstance {
  const admin = Fastify({ logger: false });
  admin.get('/healthz', async () => ({ status: 'ok' }));
  admin.get('/readyz', async (_request, reply) => {
    const [keys, upstream] = await Promise.all([readiness.keys(), readiness.upstream()]);
    const ready = keys && upstream;
    return reply.code(ready ? 200 : 503).send({ ready, checks: { keys, upstream } });
  });
  admin.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.contentType);
    return metrics.text();
  });
  return admin;
}
