// Addresses: where the gateway listens (listen, admin), the readers of an http(s) URL that
// other sections use, and the public port's keep-alive time-out.
import { BlockList, isIP } from 'node:net';
import type { Problems } from './problems.js';
import { optional, readInt, readSection, readString, type Mapping, type Reader } from './read.js';
import type { ListenConfig } from './types.js';

/** How long the public port keeps an idle keep-alive connection (clients are told: `Keep-Alive: timeout=5`). */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::']);

const LOOPBACK_V6 = new BlockList();
LOOPBACK_V6.addAddress('::1', 'ipv6');
LOOPBACK_V6.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** localhost, 127.0.0.0/8 and ::1 (URL hostnames keep IPv6 brackets, so "[::1]" too). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const family = isIP(h);
  if (family === 4) return h.startsWith('127.');
  // ::1 in any spelling, and IPv4-mapped 127.x (::ffff:127.0.0.1, which URLs write ::ffff:7f00:1).
  return family === 6 && LOOPBACK_V6.check(h, 'ipv6');
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

