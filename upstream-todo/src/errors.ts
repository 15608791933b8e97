import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface ErrorBody {
  error: string;
  message: string;
}

// 400 → "bad_request", 415 → "unsupported_media_type", …
function errorName(status: number): string {
  if (status === 413) return 'payload_too_large';
  return (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

/**
 * Turns any error into a JSON body `{error, message}`:
 * - schema validation → 400 with ajv's message ("body/title must NOT have fewer than 1 characters");
 * - other client errors (bad JSON, wrong content type, body too large) → their status with fastify's message;
 * - anything else → 500 with no details; the error itself is logged, never sent.
 */
export function errorReply(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.validation) {
    return reply.code(400).send({ error: 'bad_request', message: error.message } satisfies ErrorBody);
  }
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return reply.code(status).send({ error: errorName(status), message: error.message } satisfies ErrorBody);
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.code(500).send({ error: 'internal_error', message: 'Internal Server Error' } satisfies ErrorBody);
}

/** JSON error bodies for every failure, including unknown routes. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(errorReply);
  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send({ error: 'not_found', message: 'Route not found' } satisfies ErrorBody);
  });
}
