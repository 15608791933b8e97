import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/**
 * preValidation hook: trims a string `title` before the schema checks it, so the
 * 1–200 limit applies to the trimmed text and a title of spaces is rejected.
 * (ajv cannot modify the value it is validating.)
 */
export function trimTitle(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const body = request.body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const fields = body as { title?: unknown };
    if (typeof fields.title === 'string') fields.title = fields.title.trim();
  }
  done();
}
