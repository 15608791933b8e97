// Addresses: where the gateway listens, where it forwards, whom it believes about client
// addresses, and which browser origins may call it.
import { isIP } from 'node:net';
import { indexPath, type Problems } from './problems.js';
import { optional, readDuration, readInt, readList, readSection, readString, required, type Mapping, type Reader } from './read.js';
import { UNRESOLVED } from './substitute.js';
import type { CorsConfig, ListenConfig, TrustProxyConfig, UpstreamConfig } from './types.js';

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::']);

/** localhost, 127.0.0.0/8 and ::1 (URL hostnames keep IPv6 brackets, so "[::1]" too). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

const readHost: Reader<string> = (value, path, p) => {
  const host = readString()(value, path, p);
  if (host === undefined) return undefined;
  if (host.startsWith('[') && host.endsWith(']')) {
    p.add(path, `write an IPv6 address without brackets (${host.slice(1, -1)})`);
    return undefined;
  }
  if (isIP(host) === 0 && !HOSTNAME.test(host)) {
    p.add(path, 'must be an IP address (0.0.0.0 for every IPv4 interface, :: for every interface) or a host name');
    return undefined;
  }
  return host;
};

/** `otherKeys`: keys of the same section that another reader owns (admin.token). */
export function readListen(root: Mapping, key: 'listen' | 'admin', p: Problems, fallback: ListenConfig, otherKeys: readonly string[] = []): ListenConfig | undefined {
  const raw = readSection(root, key, '', p, ['host', 'port', ...otherKeys]);
  if (!raw) return undefined;
  const host = optional(raw, 'host', key, p, readHost, fallback.host);
  const port = optional(raw, 'port', key, p, readInt(0, 65535), fallback.port);
  return host === undefined || port === undefined ? undefined : { host, port };
}

/** Two sockets that cannot both bind: same port, and the same host or a wildcard on either side. */
export function sameSocket(a: ListenConfig, b: ListenConfig): boolean {
  if (a.port === 0 || a.port !== b.port) return false;
  const ha = a.host.toLowerCase();
  const hb = b.host.toLowerCase();
  return ha === hb || WILDCARD_HOSTS.has(ha) || WILDCARD_HOSTS.has(hb) || (isLoopbackHost(ha) && isLoopbackHost(hb));
}

/** An absolute http(s) URL; the caller checks the parts it cares about. Returns the text as written too. */
export function readHttpUrl(value: unknown, path: string, p: Problems): { url: URL; text: string } | undefined {
  const text = readString()(value, path, p);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    p.add(path, 'must be an absolute http:// or https:// URL');
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    p.add(path, `must use http or https, not ${url.protocol.slice(0, -1)}`);
    return undefined;
  }
  return { url, text };
}

const readUpstreamUrl: Reader<string> = (value, path, p) => {
  const parsed = readHttpUrl(value, path, p);
  if (!parsed) return undefined;
  const { url, text } = parsed;
  const wrong: string[] = [];
  if (url.username !== '' || url.password !== '') wrong.push('must not contain a user name or password');
  if (url.pathname !== '/') wrong.push(`must not have a path (${url.pathname}): requests are forwarded with exactly the path that was authorized; route on the upstream instead`);
  if (text.includes('?')) wrong.push('must not have a query string: the forwarded query is exactly the client\'s');
  if (text.includes('#')) wrong.push('must not have a fragment ("#...")');
  for (const w of wrong) p.add(path, w);
  return wrong.length > 0 ? undefined : url.origin;
};

export const UPSTREAM_DEFAULTS = { timeoutMs: 10_000, connections: 64 } as const;

export function readUpstream(root: Mapping, p: Problems): UpstreamConfig | undefined {
  if (!Object.hasOwn(root, 'upstream')) {
    p.add('upstream', 'is required: { url: http://host:port } of the service behind the gateway');
    return undefined;
  }
  const raw = readSection(root, 'upstream', '', p, ['url', 'timeout', 'connections']);
  if (!raw) return undefined;
  const url = required(raw, 'url', 'upstream', p, readUpstreamUrl);
  const timeoutMs = optional(raw, 'timeout', 'upstream', p, readDuration(1), UPSTREAM_DEFAULTS.timeoutMs);
  const connections = optional(raw, 'connections', 'upstream', p, readInt(1, 10_000), UPSTREAM_DEFAULTS.connections);
  if (url === undefined || timeoutMs === undefined || connections === undefined) return undefined;
  return { url, timeoutMs, connections };
}

const readProxyAddress: Reader<string> = (value, path, p) => {
  const text = readString()(value, path, p);
  if (text === undefined) return undefined;
  const entry = text.trim();
  const [address = '', prefix, extra] = entry.split('/');
  const family = address.includes('%') ? 0 : isIP(address);
  const maxPrefix = family === 6 ? 128 : 32;
  const prefixOk = prefix === undefined || (/^(0|[1-9][0-9]{0,2})$/.test(prefix) && Number(prefix) <= maxPrefix);
  if (family === 0 || !prefixOk || extra !== undefined) {
    p.add(path, `must be an IP address or a CIDR block like 10.0.0.0/8 or fd00::/8, got ${JSON.stringify(text)}`);
    return undefined;
  }
  if (prefix === '0') p.warn(path, `${entry} trusts every peer, like trust_proxy: true`);
  return entry;
};

/**
 * false, true, a list of IPs/CIDRs, or (after ${...} substitution) a string of them separated
 * by commas: `trust_proxy: ${TRUSTED_PROXIES:-false}`.
 */
export const readTrustProxy: Reader<TrustProxyConfig> = (value, path, p) => {
  if (value === UNRESOLVED) return undefined;
  let result: TrustProxyConfig | undefined;
  if (value === true || value === 'true') result = true;
  else if (value === false || value === 'false') result = false;
  else if (typeof value === 'string' && value.trim() !== '') {
    const parts = value.split(',');
    const entries = parts.map((part, i) => readProxyAddress(part, parts.length > 1 ? `${path} (entry ${i + 1})` : path, p));
    result = entries.some((e) => e === undefined) ? undefined : (entries as string[]);
  } else if (Array.isArray(value)) {
    result = readList(readProxyAddress)(value, path, p);
  } else {
    p.add(path, 'must be false, true, or a list of proxy addresses/CIDR blocks like [10.0.0.0/8]');
    return undefined;
  }
  if (Array.isArray(result) && result.length === 0) return false;
  if (result === true) {
    p.warn(path, 'true believes X-Forwarded-* from every client, so anyone can claim any address; list your proxies\' addresses instead');
  }
  return result;
};

const readOrigin: Reader<string> = (value, path, p) => {
  if (value === '*') {
    p.add(path, '"*" is refused: requests carry credentials (Authorization), so list each allowed origin');
    return undefined;
  }
  if (value === 'null') {
    p.add(path, '"null" is refused: sandboxed and file:// pages all send it, so it identifies nobody');
    return undefined;
  }
  const parsed = readHttpUrl(value, path, p);
  if (!parsed) return undefined;
  const { url, text } = parsed;
  const wrong: string[] = [];
  if (url.username !== '' || url.password !== '') wrong.push('must not contain a user name or password');
  if (url.pathname !== '/' || text.includes('?') || text.includes('#')) wrong.push('must be scheme://host[:port] only, with no path, query or fragment');
  else if (text.endsWith('/')) wrong.push('must not end with "/": browsers send Origin as scheme://host[:port]');
  for (const w of wrong) p.add(path, w);
  return wrong.length > 0 ? undefined : url.origin;
};

const readOrigins: Reader<string[]> = (value, path, p) => {
  const origins = readList(readOrigin, { example: '[https://app.example.com]' })(value, path, p);
  if (origins === undefined) return undefined;
  const dup = origins.findIndex((o, i) => origins.indexOf(o) !== i);
  if (dup >= 0) {
    p.add(indexPath(path, dup), `${origins[dup]} is listed twice`);
    return undefined;
  }
  return origins;
};

export const CORS_DEFAULTS = { origins: [] as string[], maxAgeSeconds: 600 };

const readMaxAge: Reader<number> = (value, path, p) => {
  const ms = readDuration(0)(value, path, p);
  if (ms === undefined) return undefined;
  if (ms % 1000 !== 0) {
    p.add(path, 'must be a whole number of seconds (Access-Control-Max-Age is in seconds)');
    return undefined;
  }
  return ms / 1000;
};

export function readCors(root: Mapping, p: Problems): CorsConfig | undefined {
  const raw = readSection(root, 'cors', '', p, ['origins', 'max_age']);
  if (!raw) return undefined;
  const origins = optional(raw, 'origins', 'cors', p, readOrigins, CORS_DEFAULTS.origins);
  const maxAgeSeconds = optional(raw, 'max_age', 'cors', p, readMaxAge, CORS_DEFAULTS.maxAgeSeconds);
  return origins === undefined || maxAgeSeconds === undefined ? undefined : { origins, maxAgeSeconds };
}

