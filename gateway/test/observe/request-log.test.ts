// observe/request-log.ts: the access line is built by hand, not by pino, so it is tested as
// text: one valid JSON object per line, the known fields only, client strings escaped.

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/gateway-config.js';
import { createLogger } from '../../src/observe/logger.js';
import type { Outcome } from '../../src/observe/outcome.js';
import { createAccessLog, isoNow } from '../../src/observe/request-log.js';

/** An access log on a logger at `level` whose output is kept as text. */
function accessLog(level: GatewayConfig['logLevel'] = 'info'): { log: (o: Outcome) => void; text: () => string; lines: () => Array<Record<string, unknown>> } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  const log = createAccessLog(createLogger(level, sink));
  return {
    log,
    text: () => text,
    // JSON.parse throws on a line that is not valid JSON: that is the first assertion.
    lines: () => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const OK: Outcome = { requestId: 'req-1', method: 'GET', route: '/api/:user_id/tasks', status: 200, durationMs: 1.234567, upstreamMs: 0.9876543, subject: 'alice', tokenCached: false };

describe('the access line', () => {
  it('is one JSON object per request, each on its own line, ending in a newline', () => {
    const { log, text, lines } = accessLog();
    log(OK);
    log({ ...OK, requestId: 'req-2' });
    expect(text().endsWith('\n')).toBe(true);
    expect(text().split('\n')).toHaveLength(3);
    expect(lines().map((l) => l['request_id'])).toEqual(['req-1', 'req-2']);
  });

  it('carries the logger\'s level, time and msg, and the outcome\'s fields, durations to the microsecond', () => {
    const { log, lines } = accessLog();
    const before = Date.now();
    log(OK);
    const [line] = lines();
    expect(line).toEqual({
      level: 30,
      time: expect.any(String),
      request_id: 'req-1',
      method: 'GET',
      route: '/api/:user_id/tasks',
      status: 200,
      duration_ms: 1.235,
      upstream_ms: 0.988,
      subject: 'alice',
      msg: 'request',
    });
    const time = Date.parse(line!['time'] as string);
    expect(time).toBeGreaterThanOrEqual(before - 1);
    expect(time).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('leaves out upstream_ms, subject and reason when the outcome has none', () => {
    const { log, lines } = accessLog();
    log({ requestId: 'r', method: 'GET', route: '(none)', status: 404, durationMs: 0.1, reason: 'no_route' });
    expect(lines()[0]).toEqual({ level: 30, time: expect.any(String), request_id: 'r', method: 'GET', route: '(none)', status: 404, duration_ms: 0.1, reason: 'no_route', msg: 'request' });
  });

  it('names the time-out that ended a request, after its reason', () => {
    const { log, lines, text } = accessLog();
    log({ ...OK, status: 408, reason: 'request_timeout', timeout: 'body_idle' });
    log({ ...OK, timeout: 'response_idle' });
    expect(lines().map((l) => [l['reason'], l['timeout']])).toEqual([['request_timeout', 'body_idle'], [undefined, 'response_idle']]);
    expect(text()).toMatch(/"reason":"request_timeout","timeout":"body_idle","msg":"request"/);
  });

  it('escapes what a client can influence: a subject or method with quotes, backslashes and control characters', () => {
    const { log, lines, text } = accessLog();
    const subject = 'a"b\\c\n{"level":60}\u0000\u2028';
    const method = 'GE"T\\';
    log({ ...OK, subject, method });
    expect(text().split('\n').filter(Boolean)).toHaveLength(1);
    expect(lines()[0]).toMatchObject({ subject, method, level: 30 });
  });

  it('a 5xx is logged at level 50 (error), everything below at 30 (info), 499 included', () => {
    const { log, lines } = accessLog();
    for (const status of [200, 401, 499, 500, 502, 504]) log({ ...OK, status });
    expect(lines().map((l) => [l['status'], l['level']])).toEqual([[200, 30], [401, 30], [499, 30], [500, 50], [502, 50], [504, 50]]);
  });

  it('logs nothing below the logger\'s level: at error only 5xx, at fatal or silent nothing', () => {
    const atError = accessLog('error');
    for (const status of [200, 403, 503]) atError.log({ ...OK, status });
    expect(atError.lines().map((l) => l['status'])).toEqual([503]);
    for (const level of ['fatal', 'silent'] as const) {
      const quiet = accessLog(level);
      quiet.log({ ...OK, status: 502 });
      quiet.log(OK);
      expect(quiet.text(), level).toBe('');
    }
    const atWarn = accessLog('warn');
    atWarn.log(OK);
    expect(atWarn.text()).toBe('');
  });

  it('never writes a token, a header or anything else the outcome was not built with', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
    const { log, text } = accessLog('trace');
    log({ ...OK, token, authorization: `Bearer ${token}`, headers: { authorization: `Bearer ${token}` } } as Outcome);
    expect(text()).not.toContain('eyJ');
    expect(text()).not.toContain('c2lnbmF0dXJl');
    expect(text()).not.toMatch(/authorization|headers|token/i);
  });
});

describe('isoNow', () => {
  it('is toISOString byte for byte, across second and millisecond boundaries', () => {
    const base = Date.UTC(2026, 11, 3, 23, 59, 59, 0);
    for (const at of [base, base + 1, base + 9, base + 10, base + 99, base + 100, base + 999, base + 1000, base + 1007, base - 1, 0, 1_000]) {
      expect(isoNow(at)).toBe(new Date(at).toISOString());
    }
  });
});
