import type { ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { GatewayMetrics } from './metrics.js';
import { logRequest } from './request-log.js';
import '../request-state.js';

const UNMATCHED_ROUTE = '(none)';

/**
 * Watches one request to its end — answered, refused, forwarded, or cut off — and records it
 * once: a metrics observation and one log line.
 */
export function createRequestObserver(metrics: GatewayMetrics, log: Logger) {
  return function observe(request: FastifyRequest, res: ServerResponse): void {
    res.once('close', () => {
      const state = request.gateway;
      const verdict = state.verdict;
      const route = verdict && 'route' in verdict && verdict.route ? verdict.route.template : UNMATCHED_ROUTE;
      const identity = verdict && 'identity' in verdict ? verdict.identity : undefined;
      const observation = {
        route,
        method: request.method,
        // A response cut off before its head was sent never reached the client: 499, as nginx logs it.
        status: res.headersSent ? res.statusCode : 499,
        durationSeconds: (performance.now() - state.startedAt) / 1e3,
        ...(state.upstreamMs !== undefined ? { upstreamSeconds: state.upstreamMs / 1e3 } : {}),
        ...(state.denial ? { denial: state.denial } : {}),
      };
      metrics.observeRequest(observation);
      if (verdict && 'tokenCached' in verdict && verdict.tokenCached !== undefined) metrics.tokenVerified(verdict.tokenCached);
      logRequest(log, { ...observation, requestId: request.id, ...(identity ? { subject: identity.subject } : {}) });
    });
  };
}
