// Informational (1xx) responses from the upstream, over real sockets. The gateway drops them:
// the client gets exactly one response per request, the final one, with the gateway's headers.
// 101 never happens (Upgrade is hop-by-hop and stripped), and 100 Continue is the gateway's own
// (proxy/continue.ts). Why 103 Early Hints is dropped rather than passed: docs/contract.md.
import { describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { sendRaw, statusCodes } from '../support/raw-http.js';
import { rawResponse, startRawUpstream } from '../support/raw-upstream.js';
import { useGateway, useServer, useUpstream } from '../support/suite.js';
import { call, expectDenial, hostOf, rawRequest } from '../support/threat-kit.js';

const alice = await hs256Token('alice');

/** Two requests on one connection, read to the close. */
function twoRequests(gatewayUrl: string): Promise<{ raw: string }> {
  const host = hostOf(gatewayUrl);
  return sendRaw(
    gatewayUrl,
    rawRequest(['GET /api/alice/tasks?first HTTP/1.1', `Host: ${host}`, `Authorization: Bearer ${alice}`]) +
      rawRequest(['GET /api/alice/tasks?second HTTP/1.1', `Host: ${host}`, `Authorization: Bearer ${alice}`, 'Connection: close']),
  );
}

describe('103 Early Hints from a Node upstream (res.writeEarlyHints)', () => {
  const upstream = useUpstream();
  const gateway = useGateway(() => hs256Config(upstream.url));

  it('is dropped: one 200 per request, with its body, and the upstream address never shows', async () => {
    upstream.respondWith((req, res) => {
      res.writeEarlyHints({ link: `<${upstream.origin}/style.css>; rel=preload; as=style` });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`final ${req.url}`);
    });
    const { raw } = await twoRequests(gateway.url);
    expect(statusCodes(raw)).toEqual([200, 200]);
    expect(raw).toContain('final /api/alice/tasks?first');
    expect(raw).toContain('final /api/alice/tasks?second');
    expect(raw).not.toContain(new URL(upstream.origin).host);
    expect(upstream.requests).toHaveLength(2);
  });
});

describe('other 1xx from a raw upstream', () => {
  const informational = [
    'HTTP/1.1 102 Processing\r\n\r\n',
    'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n',
    'HTTP/1.1 103 Early Hints\r\nLink: </b.js>; rel=preload\r\nX-Upstream-Secret: 1\r\n\r\n',
  ].join('');
  const raw = useServer(() =>
    startRawUpstream((target) =>
      // The gateway never sends Expect upstream, so a 100 Continue is an answer to nothing.
      (target.includes('unsolicited') ? 'HTTP/1.1 100 Continue\r\n\r\n' : informational) + rawResponse('200 OK', ['Content-Type: text/plain'], `final ${target}`),
    ),
  );
  const gateway = useGateway(() => hs256Config(raw.url));

  it('102 and two 103s are dropped; the final responses arrive whole, in order, on a reusable connection', async () => {
    const reply = await twoRequests(gateway.url);
    expect(statusCodes(reply.raw)).toEqual([200, 200]);
    expect(reply.raw).toContain('final /api/alice/tasks?first');
    expect(reply.raw).toContain('final /api/alice/tasks?second');
    expect(reply.raw).not.toMatch(/x-upstream-secret|rel=preload/i);
    expect(raw.targets).toEqual(['/api/alice/tasks?first', '/api/alice/tasks?second']);
  });

  it('an unsolicited 100 Continue is a malformed answer → 502 upstream_unreachable, and the gateway keeps serving', async () => {
    const broken = await call(gateway.url, { path: '/api/alice/tasks?unsolicited', headers: { authorization: `Bearer ${alice}` } });
    expectDenial(broken, 502, 'upstream_unreachable');
    const next = await call(gateway.url, { path: '/api/alice/tasks?after', headers: { authorization: `Bearer ${alice}` } });
    expect(next.status).toBe(200);
    expect(next.text).toBe('final /api/alice/tasks?after');
  });
});
