// The auth section: its issuers (issuer-config.ts reads each one) and the key-set and token
// cache timings around them, with their defaults.
import { keyPath, type Problems } from '../../config/problems.js';
import { optional, readDuration, readInt, readSection, readSize, readString, required, type Mapping } from '../../config/read.js';
import type { AuthConfig } from '../../config/types.js';
import { readIssuers } from './issuer-config.js';

export const AUTH_DEFAULTS = {
  clockToleranceMs: 30_000,
  subjectClaim: 'sub',
  jwksCacheMs: 10 * 60_000,
  jwksCooldownMs: 5_000,
  jwksTimeoutMs: 5_000,
  jwksMaxStaleMs: 60 * 60_000,
  tokenCacheSize: 10_000,
  tokenCacheBytes: 16 * 1024 * 1024,
} as const;

const AUTH_KEYS = ['issuers', 'clock_tolerance', 'subject_claim', 'jwks_cache', 'jwks_cooldown', 'jwks_timeout', 'jwks_max_stale', 'token_cache', 'token_cache_bytes'];
const CLOCK_TOLERANCE_WARN_MS = 5 * 60_000;

export function readAuth(root: Mapping, p: Problems, fromEnv: ReadonlySet<string>): AuthConfig | undefined {
  if (!Object.hasOwn(root, 'auth')) {
    p.add('auth', 'is required: it lists the token issuers the gateway trusts');
    return undefined;
  }
  const raw = readSection(root, 'auth', '', p, AUTH_KEYS);
  if (!raw) return undefined;
  const path = 'auth';
  const before = p.count;
  const issuers = required(raw, 'issuers', path, p, readIssuers(fromEnv));
  const clockToleranceMs = optional(raw, 'clock_tolerance', path, p, readDuration(0), AUTH_DEFAULTS.clockToleranceMs);
  const subjectClaim = optional(raw, 'subject_claim', path, p, readString(), AUTH_DEFAULTS.subjectClaim);
  const jwksCacheMs = optional(raw, 'jwks_cache', path, p, readDuration(1000), AUTH_DEFAULTS.jwksCacheMs);
  const jwksCooldownMs = optional(raw, 'jwks_cooldown', path, p, readDuration(100), AUTH_DEFAULTS.jwksCooldownMs);
  const jwksTimeoutMs = optional(raw, 'jwks_timeout', path, p, readDuration(100), AUTH_DEFAULTS.jwksTimeoutMs);
  const jwksMaxStaleMs = optional(raw, 'jwks_max_stale', path, p, readDuration(0), AUTH_DEFAULTS.jwksMaxStaleMs);
  const tokenCacheSize = optional(raw, 'token_cache', path, p, readInt(0, 10_000_000), AUTH_DEFAULTS.tokenCacheSize);
  const tokenCacheBytes = optional(raw, 'token_cache_bytes', path, p, readSize(0), AUTH_DEFAULTS.tokenCacheBytes);
  // Staleness counts from when the keys went stale (the last good fetch + jwks_cache), so any
  // jwks_cache goes with any jwks_max_stale. A max-stale shorter than one fetch can take lets
  // the keys lapse while their refresh is still under way: said only when the user set it.
  if (Object.hasOwn(raw, 'jwks_max_stale') && jwksMaxStaleMs !== undefined && jwksTimeoutMs !== undefined && jwksMaxStaleMs < jwksTimeoutMs) {
    p.warn(keyPath(path, 'jwks_max_stale'), `is shorter than jwks_timeout (${jwksTimeoutMs} ms): a refresh may take that long, so the keys can lapse (503 keys_unavailable) before it has settled; set it to at least jwks_timeout`);
  }
  if (clockToleranceMs !== undefined && clockToleranceMs > CLOCK_TOLERANCE_WARN_MS) {
    p.warn(keyPath(path, 'clock_tolerance'), 'is more than 5 minutes: expired tokens stay usable that much longer; fix the clocks (NTP) instead');
  }
  if (
    p.count !== before ||
    issuers === undefined ||
    clockToleranceMs === undefined ||
    subjectClaim === undefined ||
    jwksCacheMs === undefined ||
    jwksCooldownMs === undefined ||
    jwksTimeoutMs === undefined ||
    jwksMaxStaleMs === undefined ||
    tokenCacheSize === undefined ||
    tokenCacheBytes === undefined
  ) {
    return undefined;
  }
  return { issuers, clockToleranceMs, subjectClaim, jwksCacheMs, jwksCooldownMs, jwksTimeoutMs, jwksMaxStaleMs, tokenCacheSize, tokenCacheBytes };
}
