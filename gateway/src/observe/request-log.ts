import type { Logger } from 'pino';
import type { Outcome } from './outcome.js';

/** One line per request: what operators search by, and nothing that authenticates anyone. */
export function logRequest(log: Logger, o: Outcome): void {
  const level = o.status >= 500 ? 'error' : 'info';
  if (!log.isLevelEnabled(level)) return;
  log[level](
    {
      request_id: o.requestId,
      method: o.method,
      route: o.route,
      status: o.status,
      duration_ms: Math.round(o.durationMs * 1e3) / 1e3,
      upstream_ms: o.upstreamMs === undefined ? undefined : Math.round(o.upstreamMs * 1e3) / 1e3,
      subject: o.subject,
      reason: o.reason,
    },
    'request',
  );
}
