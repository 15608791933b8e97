// The observer: records each request's Outcome once, as one metrics observation and one access
// log line. The public app hands it each finished request's Outcome, and nothing else feeds either.
import { AUTH_REASONS, LIMIT_REASONS } from '../errors/reasons.js';
import type { GatewayMetrics } from './metrics.js';
import type { Outcome } from './outcome.js';
import type { AccessLog } from './request-log.js';

export type Observe = (outcome: Outcome) => void;

/** Records each outcome once: one metrics observation and one access log line. */
export function createObserver(metrics: GatewayMetrics, accessLog: AccessLog): Observe {
  return function observe(outcome: Outcome): void {
    metrics.observeRequest(outcome, outcome.reason !== undefined && AUTH_REASONS.has(outcome.reason));
    if (outcome.timeout !== undefined) metrics.timedOut(outcome.timeout);
    if (outcome.retried !== undefined) metrics.retried(outcome.retried);
    if (outcome.reason !== undefined && LIMIT_REASONS.has(outcome.reason)) metrics.limited(outcome.reason);
    accessLog(outcome);
  };
}
