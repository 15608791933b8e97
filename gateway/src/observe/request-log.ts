import type { Logger } from 'pino';
import type { RequestObservation } from './metrics.js';

export interface RequestLogLine extends RequestObservation {
  readonly requestId: string;
  readonly subject?: string;
}

/** One line per request: what operators search by, and nothing that authenticates anyone. */
export function logRequest(log: Logger, line: RequestLogLine): void {
  const level = line.status >= 500 ? 'error' : 'info';
  if (!log.isLevelEnabled(level)) return;
  log[level](
    {
      request_id: line.requestId,
      method: line.method,
      route: line.route,
      status: line.status,
      duration_ms: Math.round(line.durationSeconds * 1e6) / 1e3,
      upstream_ms: line.upstreamSeconds === undefined ? undefined : Math.round(line.upstreamSeconds * 1e6) / 1e3,
      subject: line.subject,
      reason: line.denial,
    },
    'request',
  );
}
