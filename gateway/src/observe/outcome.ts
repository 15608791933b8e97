// What happened to one request, as one immutable value built when its answer is complete:
// the access log line and the metrics are both made from it (observer.ts), and from nothing else.
import type { Reason } from '../errors/reasons.js';
import type { RetryReason } from '../proxy/retry.js';
import type { TimeoutKind } from '../proxy/timeout-errors.js';

export const UNMATCHED_ROUTE = '(none)';

export interface Outcome {
  readonly requestId: string;
  readonly method: string;
  /** The route template, or `(none)` when no route matched. */
  readonly route: string;
  /** What the client got; 499 when it went away before the response head (as nginx logs it). */
  readonly status: number;
  readonly durationMs: number;
  /** Time from forwarding to the upstream's response head; only for forwarded requests that got one. */
  readonly upstreamMs?: number;
  /** Why the gateway refused or could not forward. */
  readonly reason?: Reason;
  /** The time-out that ended the request, if one did (a 504, a 408, or a response cut off). */
  readonly timeout?: TimeoutKind;
  /** Why the request was sent to the upstream a second time, if it was (its first attempt never reached it). */
  readonly retried?: RetryReason;
  readonly subject?: string;
  /** Whether the token was answered from the verified-token cache; only when a token was checked. */
  readonly tokenCached?: boolean;
}
