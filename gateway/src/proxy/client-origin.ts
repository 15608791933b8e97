import type { IncomingHttpHeaders } from 'node:http';

/**
 * The origin the client used (`http://gateway.example:8080`), for rewriting the upstream's
 * Location headers. A proxy's X-Forwarded-Proto/-Host count only when that proxy is trusted;
 * a Host with anything but host characters gives no origin at all (relative rewrite).
 */
export function clientOrigin(headers: IncomingHttpHeaders, trusted: boolean): string | undefined {
  const forwardedProto = trusted ? single(headers['x-forwarded-proto']) : undefined;
  const forwardedHost = trusted ? single(headers['x-forwarded-host']) : undefined;
  const host = forwardedHost ?? headers.host;
  if (!host || /[^A-Za-z0-9.:\[\]-]/.test(host)) return undefined;
  const proto = forwardedProto === 'https' ? 'https' : 'http';
  return `${proto}://${host}`;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}
