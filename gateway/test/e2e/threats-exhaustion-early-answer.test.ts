// docs/threats.md family 8 (exhaustion). An exchange that ends while the client is still
// uploading its body: the gateway's 502 (the upstream refuses connections) must reach a client
// that writes its whole body before reading, without a reset (the body guard lets go of the
// request, and the refusal closes lingering, linger.ts); and an upstream that answers before it
// read the body must not leave the client's connection stuck mid-body: the rest is read and
// discarded, within linger.ts's bounds, so the connection carries the next request.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LINGER_BYTES } from '../../src/proxy/linger.js';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { chunkedBody, hasCompleteResponse, openRaw, responsesIn } from '../support/raw-http.js';
import { refusingUpstreamUrl, useServer, withGateway } from '../support/suite.js';
import { hostOf, rawRequest } from '../support/threat-kit.js';

const MiB = 1024 * 1024;
const alice = await hs256Token('alice');

/** An upstream that answers 200 `[]` at once, reading nothing of a request's body. */
const early = useServer(async () => {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.pause();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 }).end('[]');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}, 'the early-answering upstream');

function post(gatewayUrl: string, framing: string, query = ''): string {
  return rawRequest([`POST /api/alice/tasks${query} HTTP/1.1`, `Host: ${hostOf(gatewayUrl)}`, `Authorization: Bearer ${alice}`, 'Content-Type: application/octet-stream', framing]);
}

describe('502 while the client still uploads (the upstream refuses connections)', () => {
  for (const [framing, body] of [[`Content-Length: ${4 * MiB}`, Buffer.alloc(4 * MiB, 'x')], ['Transfer-Encoding: chunked', chunkedBody(4 * MiB)]] as const) {
    it(`${framing.split(':')[0]}, 4 MiB written before reading: the 502 arrives whole and the connection ends without a reset`, async () => {
      await withGateway(hs256Config(await refusingUpstreamUrl(), 'limits: { body: 64mb }'), async (gw) => {
        const conn = await openRaw(gw.url);
        try {
          await conn.write(post(gw.url, framing));
          await conn.write(body).catch(() => undefined); // judged by what came back
          await conn.closed;
          expect(hasCompleteResponse(conn.received(), 502), conn.received().slice(0, 200)).toBe(true);
          expect(conn.received()).toContain('"reason":"upstream_unreachable"');
          expect(conn.errorCode()).toBeUndefined();
        } finally {
          conn.destroy();
        }
      });
    });
  }
});

describe('an upstream that answers before reading the body', () => {
  it('the client finishes its 2 MiB body and its next request on the same connection is answered', async () => {
    await withGateway(hs256Config(early.url, 'limits: { body: 64mb }'), async (gw) => {
      const conn = await openRaw(gw.url);
      try {
        // The first 64 KiB, then the answer, then the rest: the body is still arriving when the
        // upstream's answer does, whatever the speed of the machine.
        await conn.write(post(gw.url, `Content-Length: ${2 * MiB}`, '?first'));
        await conn.write(Buffer.alloc(64 * 1024, 'x'));
        await conn.waitFor((raw) => hasCompleteResponse(raw, 200));
        await conn.write(Buffer.alloc(2 * MiB - 64 * 1024, 'y'));
        await conn.write(rawRequest([`GET /api/alice/tasks?second HTTP/1.1`, `Host: ${hostOf(gw.url)}`, `Authorization: Bearer ${alice}`]));
        await conn.waitFor((raw) => responsesIn(raw).length >= 2);
        expect(responsesIn(conn.received()).map((r) => r.status)).toEqual([200, 200]);
        expect(conn.errorCode()).toBeUndefined();
      } finally {
        conn.destroy();
      }
    });
  });

  it(`a body that goes on past ${LINGER_BYTES / MiB} MiB after the answer: the client keeps its 200 and the connection is let go`, async () => {
    await withGateway(hs256Config(early.url, 'limits: { body: 64mb }'), async (gw) => {
      const conn = await openRaw(gw.url);
      try {
        await conn.write(post(gw.url, `Content-Length: ${32 * MiB}`));
        await conn.write(Buffer.alloc(64 * 1024, 'x'));
        await conn.waitFor((raw) => hasCompleteResponse(raw, 200));
        void conn.write(Buffer.alloc(32 * MiB - 64 * 1024, 'y')).catch(() => undefined); // cut off part-way
        await conn.closed;
        expect(responsesIn(conn.received()).map((r) => r.status)).toEqual([200]);
      } finally {
        conn.destroy();
      }
    });
  });
});
