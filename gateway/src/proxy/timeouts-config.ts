// The proxy's own time-outs in `limits:` — how long a response or a request body may stand
// still. (header_timeout and request_timeout are Node's, read beside them in gateway-config.)
import type { Problems } from '../config/problems.js';
import { optional, readDuration, type Mapping } from '../config/read.js';

export const PROXY_TIMEOUT_KEYS = ['response_idle_timeout', 'body_idle_timeout'] as const;

export const PROXY_TIMEOUT_DEFAULTS = { responseIdleTimeoutMs: 30_000, bodyIdleTimeoutMs: 10_000 } as const;

export interface ProxyTimeouts {
  readonly responseIdleTimeoutMs: number;
  readonly bodyIdleTimeoutMs: number;
}

/** Reads the two idle time-outs from the `limits` mapping; `requestTimeoutMs` only feeds a warning. */
export function readProxyTimeouts(limits: Mapping, p: Problems, requestTimeoutMs: number | undefined): ProxyTimeouts | undefined {
  const d = PROXY_TIMEOUT_DEFAULTS;
  const responseIdleTimeoutMs = optional(limits, 'response_idle_timeout', 'limits', p, readDuration(1), d.responseIdleTimeoutMs);
  const bodyIdleTimeoutMs = optional(limits, 'body_idle_timeout', 'limits', p, readDuration(1), d.bodyIdleTimeoutMs);
  if (responseIdleTimeoutMs === undefined || bodyIdleTimeoutMs === undefined) return undefined;
  if (requestTimeoutMs !== undefined && bodyIdleTimeoutMs >= requestTimeoutMs) {
    p.warn('limits.body_idle_timeout', `is not shorter than limits.request_timeout (${requestTimeoutMs} ms), which cuts the whole request first; a stalled body is then answered by Node's own 408`);
  }
  return { responseIdleTimeoutMs, bodyIdleTimeoutMs };
}
