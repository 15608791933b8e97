// The upstream request's headers for one authorized request, built from the config once: what
// the forwarder sends and what `gateway explain` shows come from this one function.
import type { IncomingMessage } from 'node:http';
import type { OutgoingHeadersConfig } from './proxy-config.js';
import type { Identity } from '../pipeline/authn/index.js';
import { createPeerTrust } from '../pipeline/client-address.js';
import { identityHeaderValues } from './identity-headers.js';
import { buildUpstreamHeaders, type UpstreamHeaderPolicy } from './request-headers.js';

const ALWAYS_STRIPPED_IDENTITY = ['x-user-id', 'x-user-email'];

export interface OutgoingHeaders {
  /** Flat [name, value, …] list for the upstream. */
  readonly headers: string[];
  /** Whether the peer is a trusted proxy (its X-Forwarded-* were believed). */
  readonly trusted: boolean;
}

export type BuildOutgoingHeaders = (req: IncomingMessage, requestId: string, identity: Identity | undefined) => OutgoingHeaders;

export function createOutgoingHeaders(config: OutgoingHeadersConfig): BuildOutgoingHeaders {
  const peerTrusted = createPeerTrust(config.trustProxy);
  const policy: UpstreamHeaderPolicy = {
    // The default names are stripped even when the config sets other headers (or none): an
    // upstream written for the defaults must never see a client's own X-User-Id.
    identityHeaders: new Set([...ALWAYS_STRIPPED_IDENTITY, ...config.identityHeaders.map(([header]) => header)]),
    forwardAuthorization: config.forwardAuthorization,
  };
  return (req, requestId, identity) => {
    const trusted = peerTrusted(req.socket.remoteAddress);
    const injected = identity ? identityHeaderValues(config.identityHeaders, identity) : [];
    return { headers: buildUpstreamHeaders(req, policy, { requestId, identity: injected, peerTrusted: trusted, protocol: 'http' }), trusted };
  };
}
