import type { Logger } from 'pino';
import { streamOf } from './logger.js';
import type { Outcome } from './outcome.js';

export type AccessLog = (o: Outcome) => void;

/**
 * One line per request, in the logger's format ({"level":30,"time":…,"msg":"request"}) and on its
 * stream: what operators search by, and nothing that authenticates anyone. The line is built by
 * hand from the Outcome's known fields: going through pino's generic path (serialisers, the
 * redaction pass) cost more than all of the gateway's checks together. Strings a client can
 * influence (method, route template, subject) are JSON-encoded; the rest are numbers or the
 * gateway's own codes and ids.
 */
export function createAccessLog(log: Logger): AccessLog {
  const stream = streamOf(log);
  const info = log.isLevelEnabled('info');
  const error = log.isLevelEnabled('error');
  return function logRequest(o: Outcome): void {
    const isError = o.status >= 500;
    if (!(isError ? error : info)) return;
    let line = `{"level":${isError ? 50 : 30},"time":"${isoNow()}","request_id":${JSON.stringify(o.requestId)},"method":${JSON.stringify(o.method)},"route":${JSON.stringify(o.route)},"status":${o.status},"duration_ms":${round(o.durationMs)}`;
    if (o.upstreamMs !== undefined) line += `,"upstream_ms":${round(o.upstreamMs)}`;
    if (o.subject !== undefined) line += `,"subject":${JSON.stringify(o.subject)}`;
    if (o.reason !== undefined) line += `,"reason":"${o.reason}"`;
    if (o.timeout !== undefined) line += `,"timeout":"${o.timeout}"`;
    if (o.retried !== undefined) line += `,"retried":"${o.retried}"`;
    stream.write(line + ',"msg":"request"}\n');
  };
}

/** Milliseconds to the microsecond. */
function round(ms: number): number {
  return Math.round(ms * 1e3) / 1e3;
}

let cachedSecond = -1;
let cachedPrefix = '';

/**
 * `new Date().toISOString()`, byte for byte, without a Date per line: the part up to the second
 * is built once a second, the milliseconds are appended.
 */
export function isoNow(now: number = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20); // 2026-12-03T21:15:38.
  }
  const ms = now - second * 1000;
  return `${cachedPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}
