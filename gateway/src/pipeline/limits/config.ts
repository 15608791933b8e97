// The fair-share settings the limits stage enforces: `rate_limit` (top level and per route) and
// `limits.concurrent_per_subject`. Every rule about their values lives here; the route reader
// and gateway-config call these readers.
import { keyPath, kindOf, type Problems } from '../../config/problems.js';
import { readDuration, readInt, readMapping, required, type Mapping, type Reader } from '../../config/read.js';
import { UNRESOLVED } from '../../config/substitute.js';
import type { RateLimitPolicy } from '../../config/types.js';

export const RATE_LIMIT_EXAMPLE = '{ requests: 100, per: 1m }';
const RATE_LIMIT_KEYS = ['requests', 'per'] as const;
/** Far beyond any sensible window, and what Node's timers (and Redis TTLs in ms) can hold. */
const MAX_WINDOW_SECONDS = 24 * 3600;

/** `{ requests: N, per: <duration> }`, or `off` (also `false`) for no rate limit. */
export const readRateLimit: Reader<RateLimitPolicy | 'off'> = (value, path, p) => {
  if (value === UNRESOLVED) return undefined;
  if (value === 'off' || value === false || value === 'false') return 'off';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    p.add(path, `must be ${RATE_LIMIT_EXAMPLE} or off, got ${kindOf(value)}`);
    return undefined;
  }
  const raw = readMapping(value, path, p, RATE_LIMIT_KEYS);
  if (!raw) return undefined;
  const requests = required(raw, 'requests', path, p, readInt(1, 1_000_000_000));
  const perMs = required(raw, 'per', path, p, readDuration(1000));
  if (requests === undefined || perMs === undefined) return undefined;
  // The RateLimit-Policy window (w) and the limiter's window are whole seconds.
  if (perMs % 1000 !== 0 || perMs / 1000 > MAX_WINDOW_SECONDS) {
    p.add(keyPath(path, 'per'), `must be a whole number of seconds from 1s to 24h (the RateLimit-Policy window is in seconds), got ${perMs} ms`);
    return undefined;
  }
  return { requests, perSeconds: perMs / 1000 };
};

/** The top-level default: a policy, or none (absent or `off`); undefined after a problem. */
export function readDefaultRateLimit(root: Mapping, p: Problems): { readonly policy?: RateLimitPolicy } | undefined {
  if (!Object.hasOwn(root, 'rate_limit')) return {};
  const read = readRateLimit(root['rate_limit'], 'rate_limit', p);
  if (read === undefined) return undefined;
  return read === 'off' ? {} : { policy: read };
}

/** A quarter of the pool, so one subject can never hold more than that of the upstream. */
export function defaultConcurrentPerSubject(connections: number): number {
  return Math.max(1, Math.floor(connections / 4));
}

export const CONCURRENCY_KEYS = ['concurrent_per_subject'] as const;

/** `limits.concurrent_per_subject`, checked against `upstream.connections` (when that was readable). */
export function readConcurrentPerSubject(limits: Mapping, p: Problems, connections: number | undefined): number | undefined {
  if (!Object.hasOwn(limits, 'concurrent_per_subject')) return connections === undefined ? undefined : defaultConcurrentPerSubject(connections);
  const path = 'limits.concurrent_per_subject';
  const value = readInt(1, 10_000)(limits['concurrent_per_subject'], path, p);
  if (value === undefined) return undefined;
  if (connections !== undefined && value > connections) {
    p.add(path, `${value} is more than upstream.connections (${connections}): one subject could then hold the whole pool; use at most ${connections}, or raise upstream.connections`);
    return undefined;
  }
  return value;
}
