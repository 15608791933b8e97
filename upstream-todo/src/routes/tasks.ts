import type { FastifyInstance, FastifyReply } from 'fastify';
import type { NewTask, TaskChanges, TasksRepo } from '../db/tasks-repo.js';
import {
  createTaskSchema,
  deleteTaskSchema,
  getTaskSchema,
  listTasksSchema,
  toggleTaskSchema,
  updateTaskSchema,
} from './schemas.js';
import { trimTitle } from './trim-title.js';

interface UserParams {
  user_id: string;
}
interface TaskParams extends UserParams {
  id: string; // validated against TASK_ID_PATTERN, so Number() is exact
}

// Missing and someone else's are the same answer, byte for byte.
function taskNotFound(reply: FastifyReply) {
  return reply.code(404).send({ error: 'not_found', message: 'Task not found' });
}

/** The six task routes under /api/:user_id/tasks. */
export async function taskRoutes(app: FastifyInstance, opts: { repo: TasksRepo }): Promise<void> {
  const { repo } = opts;

  app.get<{ Params: UserParams }>('/api/:user_id/tasks', { schema: listTasksSchema }, async (request) => {
    return repo.list(request.params.user_id);
  });

  app.post<{ Params: UserParams; Body: NewTask }>(
    '/api/:user_id/tasks',
    { schema: createTaskSchema, preValidation: trimTitle },
    async (request, reply) => {
      const { user_id } = request.params;
      const task = repo.create(user_id, request.body);
      return reply
        .code(201)
        .header('location', `/api/${encodeURIComponent(user_id)}/tasks/${task.id}`)
        .send(task);
    },
  );

  app.get<{ Params: TaskParams }>('/api/:user_id/tasks/:id', { schema: getTaskSchema }, async (request, reply) => {
    const task = repo.get(request.params.user_id, Number(request.params.id));
    return task ?? taskNotFound(reply);
  });

  app.put<{ Params: TaskParams; Body: TaskChanges }>(
    '/api/:user_id/tasks/:id',
    { schema: updateTaskSchema, preValidation: trimTitle },
    async (request, reply) => {
      const task = repo.update(request.params.user_id, Number(request.params.id), request.body);
      return task ?? taskNotFound(reply);
    },
  );

  // DELETE and PATCH /complete take no body: they live in a child context whose
  // only content-type parser accepts and discards anything (still bounded by
  // bodyLimit), so a client that always sends `Content-Type: application/json`
  // with an empty body, or any other type, is not refused.
  await app.register(async (bodiless) => {
    bodiless.removeAllContentTypeParsers();
    bodiless.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));

    bodiless.delete<{ Params: TaskParams }>(
      '/api/:user_id/tasks/:id',
      { schema: deleteTaskSchema },
      async (request, reply) => {
        if (!repo.remove(request.params.user_id, Number(request.params.id))) return taskNotFound(reply);
        return reply.code(204).send();
      },
    );

    bodiless.patch<{ Params: TaskParams }>(
      '/api/:user_id/tasks/:id/complete',
      { schema: toggleTaskSchema },
      async (request, reply) => {
        const task = repo.toggle(request.params.user_id, Number(request.params.id));
        return task ?? taskNotFound(reply);
      },
    );
  });
}
