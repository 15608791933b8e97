import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config/types.js';
import { deny } from '../errors.js';
import type { Responder } from '../respond.js';
import '../request-state.js';
import { clientOrigin } from './client-origin.js';
import type { PeerTrust } from './client-address.js';
import { identityHeaderValues } from './identity-headers.js';
import { buildUpstreamHeaders } from './request-headers.js';
import { buildClientHeaders } from './response-headers.js';
import type { Upstream } from './upstream.js';

const ALWAYS_STRIPPED_IDENTITY = ['x-user-id', 'x-user-email'];

export interface ProxyDeps {
  readonly config: GatewayConfig;
  readonly upstream: Upstream;
  readonly peerTrusted: PeerTrust;
  readonly respond: Responder;
}

/**
 * The last step for an authorized request: the upstream's headers (strip, then inject), the
 * hop itself, and — if the upstream could not answer — a 502/504/413 in the contract's format.
 */
export function createProxy({ config, upstream, peerTrusted, respond }: ProxyDeps) {
  const upstreamOrigin = new URL(config.upstream.url).origin;
  const headerPolicy = {
    // The default names are stripped even when the config sets other headers (or none): an
    // upstream written for the defaults must never see a client's own X-User-Id.
    identityHeaders: new Set([...ALWAYS_STRIPPED_IDENTITY, ...config.identityHeaders.map(([header]) => header)]),
    forwardAuthorization: config.forwardAuthorization,
  };

  return async function proxy(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const verdict = request.gateway.verdict;
    if (verdict?.kind !== 'forward') {
      // Unreachable by construction (the pipeline answers every other verdict); fail closed anyway.
      respond.deny(request, reply, deny('internal_error'));
      return;
    }
    reply.hijack();
    const req = request.raw;
    const trusted = peerTrusted(req.socket.remoteAddress);
    const identity = verdict.identity && !verdict.route.public ? identityHeaderValues(config.identityHeaders, verdict.identity) : [];
    const headers = buildUpstreamHeaders(req, headerPolicy, { requestId: request.id, identity, peerTrusted: trusted, protocol: 'http' });
    const cors = respond.corsHeaders(request);
    const outcome = await upstream.forward(req, reply.raw, {
      pathAndQuery: verdict.target.path + verdict.target.query,
      headers,
      bodyLimitBytes: config.limits.bodyBytes,
      clientHeaders: (upstreamHeaders) =>
        buildClientHeaders(upstreamHeaders, { upstreamOrigin, clientOrigin: clientOrigin(req.headers, trusted), requestId: request.id, cors }),
    });
    if (outcome.ok) {
      request.gateway.upstreamMs = outcome.upstreamMs;
      return;
    }
    if (outcome.failure === 'client_aborted' || outcome.failure === 'response_aborted') return;
    const res = reply.raw;
    if (res.headersSent || res.destroyed) return;
    respond.denyRaw(request, res, deny(outcome.failure === 'payload_too_large' ? 'body_too_large' : outcome.failure));
  };
}
