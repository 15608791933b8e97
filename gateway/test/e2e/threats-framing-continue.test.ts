// docs/threats.md family 7 (framing). Expect: 100-continue, over raw sockets with a client that waits for the 100 before sending
// its body, as curl and browsers' fetch polyfills do. The 100 is sent only once the request is
// authorized; a refusal is the final answer without a 100, with Connection: close (the body was
// never read), and the connection is closed.
import { describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { hasCompleteResponse, openRaw, statusCodes } from '../support/raw-http.js';
import { useGateway, useUpstream } from '../support/suite.js';
import { hostOf, rawRequest } from '../support/threat-kit.js';

const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url, 'limits: { body: 1kb }'));
const alice = await hs256Token('alice');

const body = '{"title":"x"}';

function expectHead(path: string, headers: readonly string[], length = body.length): string {
  return rawRequest([`POST ${path} HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, 'Content-Type: application/json', `Content-Length: ${length}`, 'Expect: 100-continue', ...headers]);
}

/** Sends the head only, waits for a final (non-100) status, and returns what arrived. */
async function refusedBeforeBody(head: string, status: number): Promise<string> {
  const conn = await openRaw(gateway.url);
  try {
    await conn.write(head);
    const raw = await conn.waitFor((r) => hasCompleteResponse(r, status) || r.startsWith('HTTP/1.1 100'));
    await conn.closed; // the gateway closes: the unread body cannot leave the connection reusable
    return raw;
  } finally {
    conn.destroy();
  }
}

describe('a refused Expect: 100-continue request gets its refusal, no 100, and a closed connection', () => {
  const cases: Array<[string, () => string, number, string]> = [
    ['no token', () => expectHead('/api/alice/tasks', []), 401, 'missing_token'],
    ['a bad token', () => expectHead('/api/alice/tasks', ['Authorization: Bearer a.b.c']), 401, 'invalid_token'],
    ['another user\'s path', () => expectHead('/api/bob/tasks', [`Authorization: Bearer ${alice}`]), 403, 'user_mismatch'],
    ['no route', () => expectHead('/nowhere', [`Authorization: Bearer ${alice}`]), 404, 'no_route'],
    ['a declared body over limits.body', () => expectHead('/api/alice/tasks', [`Authorization: Bearer ${alice}`], 4096), 413, 'body_too_large'],
  ];
  for (const [name, head, status, reason] of cases) {
    it(`${name} → ${status} ${reason}`, async () => {
      const raw = await refusedBeforeBody(head(), status);
      expect(statusCodes(raw)).toEqual([status]);
      expect(raw).toMatch(/\r\nconnection: close\r\n/i);
      expect(raw).toContain(`"reason":"${reason}"`);
      expect(upstream.requests).toEqual([]);
    });
  }
});

describe('an authorized Expect: 100-continue request', () => {
  it('gets 100 Continue, then sends its body, which the upstream receives once (without Expect)', async () => {
    const conn = await openRaw(gateway.url);
    try {
      await conn.write(expectHead('/api/alice/tasks', [`Authorization: Bearer ${alice}`, 'Connection: close']));
      await conn.waitFor((r) => r.startsWith('HTTP/1.1 100 Continue\r\n\r\n'));
      expect(upstream.requests).toEqual([]);
      await conn.write(body);
      const raw = await conn.waitFor((r) => hasCompleteResponse(r, 200));
      expect(statusCodes(raw)).toEqual([100, 200]);
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.requests[0]!.body.toString('utf8')).toBe(body);
      expect(upstream.headerValues(upstream.requests[0]!, 'expect')).toEqual([]);
    } finally {
      conn.destroy();
    }
  });

  it('a route\'s method check refuses before any 100 too (405 on the public /health)', async () => {
    const conn = await openRaw(gateway.url);
    try {
      await conn.write(rawRequest(['POST /health HTTP/1.1', `Host: ${hostOf(gateway.url)}`, 'Content-Length: 2', 'Expect: 100-continue', 'Connection: close']));
      const raw = await conn.waitFor((r) => r.startsWith('HTTP/1.1 100') || hasCompleteResponse(r, 405));
      // /health allows only GET: refused before any 100, like any refusal.
      expect(statusCodes(raw)).toEqual([405]);
    } finally {
      conn.destroy();
    }
  });
});
