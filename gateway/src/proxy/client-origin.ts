import type { IncomingHttpHeaders } from 'node:http';
import { isValidHost } from '../pipeline/target/index.js';

/**
 * The origin the client used (`http://gateway.example:8080`), for rewriting the upstream's
 * Location headers. A proxy's X-Forwarded-Proto/-Host count only when that proxy is trusted;
 * a host that is not a valid `host[:port]` (pipeline/target/host.ts) gives no origin at all
 * (relative rewrite).
 */
export function clientOrigin(headers: IncomingHttpHeaders, trusted: boolean): string | undefined {
  const forwardedProto = trusted ? single(headers['x-forwarded-proto']) : undefined;
  const forwardedHost = trusted ? single(headers['x-forwarded-host']) : undefined;
  const host = forwardedHost !== undefined && isValidHost(forwardedHost) ? forwardedHost : headers.host;
  if (!host || !isValidHost(host)) return undefined;
  const proto = forwardedProto === 'https' ? 'https' : 'http';
  return `${proto}://${host}`;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}
