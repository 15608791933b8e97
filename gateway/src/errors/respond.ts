// The one place that writes the gateway's own answers on the wire: refusals (before or instead
// of forwarding) and preflights. Every answer carries the CORS headers and the request id.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorResponse, type Denial } from './reasons.js';

/**
 * What the responder takes of a matched route: its Allow header, for a 405. The route type is a
 * parameter so that errors/ depends on no stage (pipeline/route/table.ts's CompiledRoute is it).
 */
export interface AllowingRoute {
  readonly allow: readonly string[];
}

/** What the responder takes of the CORS policy (pipeline/cors/policy.ts). */
export interface ResponderCors<Route> {
  responseHeaders(origin: string | undefined): Readonly<Record<string, string>>;
  preflightHeaders(origin: string | undefined, route: Route): Readonly<Record<string, string>>;
}

export interface Responder<Route extends AllowingRoute> {
  /** Writes the refusal; returns the status written. */
  deny(req: IncomingMessage, res: ServerResponse, requestId: string, denial: Denial, options?: DenyOptions<Route>): number;
  /** The 204 answer to a CORS preflight of a known route. */
  preflight(req: IncomingMessage, res: ServerResponse, requestId: string, route: Route): number;
  /** CORS headers for an ordinary (forwarded) response to this request. */
  corsHeaders(req: IncomingMessage): Readonly<Record<string, string>>;
}

export interface DenyOptions<Route extends AllowingRoute> {
  /** Gives 405 its Allow header. */
  readonly route?: Route | undefined;
  /** The request body was not read to its end: the connection cannot carry another request. */
  readonly close?: boolean;
}

export function createResponder<Route extends AllowingRoute>(realm: string, cors: ResponderCors<Route>): Responder<Route> {
  const corsHeaders = (req: IncomingMessage) => cors.responseHeaders(headerValue(req.headers.origin));
  return {
    corsHeaders,
    deny(req, res, requestId, denial, options = {}) {
      const response = errorResponse(denial, { requestId, realm, ...(options.route ? { allow: options.route.allow } : {}) });
      const body = JSON.stringify(response.body);
      const headers: Record<string, string> = { ...response.headers, ...corsHeaders(req), 'x-request-id': requestId, 'content-length': String(Buffer.byteLength(body)) };
      if (options.close) headers['connection'] = 'close';
      res.writeHead(response.status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
      return response.status;
    },
    preflight(req, res, requestId, route) {
      res.writeHead(204, { ...cors.preflightHeaders(headerValue(req.headers.origin), route), 'x-request-id': requestId });
      res.end();
      return 204;
    },
  };
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}
