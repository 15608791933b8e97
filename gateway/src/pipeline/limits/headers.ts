// The RateLimit-Policy and RateLimit fields of draft-ietf-httpapi-ratelimit-headers (-10 and
// later, up to -12 of November 2026): Structured-Field lists whose items are the policy name as
// an sf-string, with q (quota) and w (window, seconds), and r (remaining) and t (seconds until
// more quota), e.g. `RateLimit-Policy: "default";q=100;w=60` and `RateLimit: "default";r=0;t=17`.
import type { RateLimitPolicy } from '../../config/types.js';

/** An sf-string: printable ASCII, with `"` and `\` escaped (RFC 9651 §3.3.3). */
export function sfString(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
}

export function policyField(name: string, policy: RateLimitPolicy): string {
  return `${sfString(name)};q=${policy.requests};w=${policy.perSeconds}`;
}

/** `quotedName` is sfString(name), made once per policy: this runs on every limited request. */
export function stateField(quotedName: string, remaining: number, resetSeconds: number): string {
  return `${quotedName};r=${remaining};t=${resetSeconds}`;
}
