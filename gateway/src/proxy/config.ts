// The `upstream` and `trust_proxy` sections, read by the stage that uses them.
import { isIP } from 'node:net';
import { readHttpUrl } from '../config/network.js';
import type { Problems } from '../config/problems.js';
import { optional, readDuration, readInt, readList, readSection, readString, required, type Mapping, type Reader } from '../config/read.js';
import { UNRESOLVED } from '../config/substitute.js';
import type { TrustProxyConfig, UpstreamConfig } from '../config/types.js';

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

