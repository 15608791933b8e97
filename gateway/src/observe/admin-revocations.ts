// The admin API for revocations, on the admin port: POST /revocations, GET /revocations,
// DELETE /revocations/{id}, behind Authorization: Bearer <admin.token>.
//
// - The token is compared in constant time (SHA-256 of both sides, then timingSafeEqual, so not
//   even the length leaks), before the body is read; it is never logged.
// - A write the store cannot confirm is a 503: nothing is claimed to be stored. The caller
//   retries; a duplicate entry is harmless.
// - Every answer is JSON; a bad body names the offending key.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { toJson, type Revocation } from '../store/revocation.js';
import type { RevocationStore } from '../store/types.js';
import { readRevocationBody } from './revocation-body.js';

export const ADMIN_BODY_LIMIT = 16 * 1024;

export interface RevocationRoutes {
  /** admin.token */
  readonly token: string;
  readonly store: RevocationStore;
  /** Audit lines: who was revoked (sub) or which entry (jti/sid values are not logged). */
  readonly log?: Logger;
  readonly now?: () => number;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export function registerRevocationRoutes(admin: FastifyInstance, options: RevocationRoutes): void {
  const expected = digest(options.token);
  const now = options.now ?? Date.now;
  const { store, log } = options;

  function authorized(request: FastifyRequest): boolean {
    const raw = request.raw.rawHeaders;
    let header: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i]!.toLowerCase() !== 'authorization') continue;
      if (header !== undefined) return false; // two Authorization headers: ambiguous, refused
      header = raw[i + 1]!;
    }
    const match = header === undefined ? null : /^bearer +(\S+) *$/i.exec(header);
    return match !== null && timingSafeEqual(digest(match[1]!), expected);
  }

  function unavailable(reply: FastifyReply, error: unknown, what: string): FastifyReply {
    log?.warn({ err: error }, `revocation ${what} not confirmed by the store`);
    return reply.code(503).header('retry-after', '1').send({
      error: 'unavailable',
      reason: 'store_unavailable',
      message: `The revocation store is unreachable: the ${what} was not confirmed, so treat it as not done and retry.`,
    });
  }

  void admin.register(async (scope) => {
    // JSON only: fastify would otherwise hand a text/plain body over as a string.
    scope.removeContentTypeParser('text/plain');
    scope.addHook('onRequest', async (request, reply) => {
      if (authorized(request)) return;
      return reply.code(401).header('www-authenticate', 'Bearer realm="gateway-admin"').header('cache-control', 'no-store').send({ error: 'unauthorized', message: 'Send Authorization: Bearer <admin.token>.' });
    });

    scope.setErrorHandler((error: FastifyError, _request, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ error: 'payload_too_large', message: `The body is larger than ${ADMIN_BODY_LIMIT} bytes.` });
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send({ error: 'unsupported_media_type', message: 'Send Content-Type: application/json.' });
      if (error.statusCode === 400) return reply.code(400).send({ error: 'bad_request', key: '(body)', message: 'is not valid JSON' });
      log?.error({ err: error }, 'admin API error');
      return reply.code(500).send({ error: 'internal_error', message: 'The admin API failed to handle this request.' });
    });

    scope.post('/revocations', { bodyLimit: ADMIN_BODY_LIMIT }, async (request, reply) => {
      const read = readRevocationBody(request.body, now());
      if (!read.ok) return reply.code(400).send({ error: 'bad_request', key: read.key, message: `${read.key}: ${read.message}` });
      let entry: Revocation;
      try {
        entry = await store.add(read.draft);
      } catch (error) {
        return unavailable(reply, error, 'revocation');
      }
      log?.info({ revocation_id: entry.id, kind: entry.kind, ...(entry.kind === 'sub' ? { sub: entry.value } : {}) }, 'revocation added');
      return reply.code(201).header('location', `/revocations/${entry.id}`).send(toJson(entry));
    });

    scope.get('/revocations', async (_request, reply) => {
      let entries: Revocation[];
      try {
        entries = await store.list();
      } catch (error) {
        return unavailable(reply, error, 'listing');
      }
      entries.sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
      return reply.code(200).send({ revocations: entries.map(toJson) });
    });

    scope.delete<{ Params: { id: string } }>('/revocations/:id', { bodyLimit: ADMIN_BODY_LIMIT }, async (request, reply) => {
      let existed: boolean;
      try {
        existed = await store.remove(request.params.id);
      } catch (error) {
        return unavailable(reply, error, 'removal');
      }
      if (!existed) return reply.code(404).send({ error: 'not_found', message: 'No revocation has this id.' });
      log?.info({ revocation_id: request.params.id }, 'revocation removed');
      return reply.code(204).send();
    });
  });
}
