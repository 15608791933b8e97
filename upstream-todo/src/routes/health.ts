import type { FastifyInstance } from 'fastify';
import type { TasksRepo } from '../db/tasks-repo.js';
import { healthSchema } from './schemas.js';

/** GET /health: 200 while the database answers, 503 once it does not. */
export async function healthRoutes(app: FastifyInstance, opts: { repo: TasksRepo }): Promise<void> {
  app.get('/health', { schema: healthSchema }, async (_request, reply) => {
    if (opts.repo.ping()) return { status: 'ok' };
    return reply.code(503).send({ status: 'unavailable' });
  });
}
