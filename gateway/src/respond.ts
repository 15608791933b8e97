import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CorsPolicy } from './cors/index.js';
import { errorResponse, type Denial } from './errors.js';
import './request-state.js';

export interface Responder {
  /** CORS headers for an ordinary (non-preflight) response to this request. */
  corsHeaders(request: FastifyRequest): Readonly<Record<string, string>>;
  /** A refusal through fastify's reply, before anything was forwarded. */
  deny(request: FastifyRequest, reply: FastifyReply, denial: Denial, allow?: readonly string[]): FastifyReply;
  /** A refusal on the raw response of a hijacked (forwarding) request whose head is not sent yet. */
  denyRaw(request: FastifyRequest, res: ServerResponse, denial: Denial): void;
}

/** Writes errors.ts's answers on the wire, with CORS and the request id, in both of the gateway's reply paths. */
export function createResponder(realm: string, cors: CorsPolicy): Responder {
  const corsHeaders = (request: FastifyRequest) => cors.responseHeaders(headerValue(request.headers.origin));
  return {
    corsHeaders,
    deny(request, reply, denial, allow) {
      request.gateway.denial = denial.reason;
      const response = errorResponse(denial, { requestId: request.id, realm, ...(allow ? { allow } : {}) });
      return reply
        .code(response.status)
        .headers({ ...response.headers, ...corsHeaders(request), 'x-request-id': request.id })
        .send(response.body);
    },
    denyRaw(request, res, denial) {
      request.gateway.denial = denial.reason;
      const response = errorResponse(denial, { requestId: request.id, realm });
      const body = JSON.stringify(response.body);
      const headers: Record<string, string> = { ...response.headers, ...corsHeaders(request), 'x-request-id': request.id, 'content-length': String(Buffer.byteLength(body)) };
      // A body we did not read to the end cannot leave the connection reusable.
      if (!request.raw.complete) headers['connection'] = 'close';
      res.writeHead(response.status, headers);
      res.end(request.method === 'HEAD' ? undefined : body);
    },
  };
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}
