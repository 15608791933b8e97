// Hop-by-hop headers (RFC 9110 §7.6.1) never cross the gateway in either direction,
// nor does any header a peer names in its own `Connection` header.

export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Lower-case names listed in every `Connection` header value (comma-separated tokens). */
export function connectionNamedHeaders(values: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const value of values) {
    for (const part of value.split(',')) {
      const name = part.trim().toLowerCase();
      if (name) names.add(name);
    }
  }
  return names;
}
