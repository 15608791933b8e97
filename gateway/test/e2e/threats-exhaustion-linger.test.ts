// docs/threats.md family 8 (exhaustion). A refusal of a request whose body the gateway will not read (413 over limits.body) must still
// reach a client that writes its whole body before reading anything, as simple clients and
// proxies do. Closing at once would leave the unread body in the kernel, which answers with a
// reset that can destroy the 413 before the client reads it; the gateway closes lingering:
// after its answer it half-closes and discards what the client still sends (for a bounded time
// and number of bytes) before it lets go of the connection.
import { describe, expect, it } from 'vitest';
import { LINGER_BYTES, LINGER_MS } from '../../src/proxy/linger.js';
import { hs256Config } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { eventually } from '../support/eventually.js';
import { chunkedBody, hasCompleteResponse, openRaw } from '../support/raw-http.js';
import { useGateway, useUpstream } from '../support/suite.js';
import { hostOf, rawRequest } from '../support/threat-kit.js';

const MiB = 1024 * 1024;
const upstream = useUpstream();
const gateway = useGateway(() => hs256Config(upstream.url, 'limits: { body: 1mb }'));
const alice = await hs256Token('alice');

/** Connections the gateway's public listener holds open right now. */
function openConnections(): Promise<number> {
  return new Promise((resolve, reject) => gateway.gateway.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/** Writes head and body completely (never reading in between), then reads the answer. */
async function writeAllThenRead(head: string, body: Buffer): Promise<{ raw: string; errorCode: string | undefined }> {
  const conn = await openRaw(gateway.url);
  try {
    await conn.write(head);
    await conn.write(body).catch(() => undefined); // the gateway may stop reading; what came back is judged
    await conn.closed;
    return { raw: conn.received(), errorCode: conn.errorCode() };
  } finally {
    conn.destroy();
  }
}

function head(framing: string): string {
  return rawRequest([`POST /api/alice/tasks HTTP/1.1`, `Host: ${hostOf(gateway.url)}`, `Authorization: Bearer ${alice}`, 'Content-Type: application/octet-stream', framing]);
}

describe('413 for a body over a 1 MiB limit, to a client that writes everything first', () => {
  for (let round = 1; round <= 3; round++) {
    it(`5 MiB chunked: the 413 arrives whole and the connection ends cleanly, no reset (round ${round})`, async () => {
      const { raw, errorCode } = await writeAllThenRead(head('Transfer-Encoding: chunked'), chunkedBody(5 * MiB));
      expect(hasCompleteResponse(raw, 413), raw.slice(0, 200)).toBe(true);
      expect(raw).toContain('"reason":"body_too_large"');
      expect(raw).toMatch(/\r\nconnection: close\r\n/i);
      expect(errorCode).toBeUndefined();
    });

    it(`4 MiB Content-Length: the same (round ${round})`, async () => {
      const body = Buffer.alloc(4 * MiB, 'x');
      const { raw, errorCode } = await writeAllThenRead(head(`Content-Length: ${body.length}`), body);
      expect(hasCompleteResponse(raw, 413), raw.slice(0, 200)).toBe(true);
      expect(raw).toContain('"reason":"body_too_large"');
      expect(errorCode).toBeUndefined();
    });
  }
});

describe('lingering is bounded', () => {
  it(`a client that stops sending mid-body is let go after about ${LINGER_MS} ms, with its 413`, async () => {
    await eventually(() => openConnections(), (n) => n === 0); // the earlier tests' sockets are gone
    // Half-open: the client keeps its side open after the 413 and its FIN, so only the gateway's
    // letting go ends the connection, which the gateway's own connection count shows.
    const conn = await openRaw(gateway.url, { allowHalfOpen: true });
    try {
      await conn.write(head(`Content-Length: ${4 * MiB}`));
      await conn.write(Buffer.alloc(MiB / 2, 'x')); // then nothing more
      const raw = await conn.waitFor((r) => hasCompleteResponse(r, 413));
      expect(raw).toContain('"reason":"body_too_large"');
      const started = performance.now();
      expect(await openConnections()).toBe(1);
      await eventually(() => openConnections(), (n) => n === 0, LINGER_MS + 3_000);
      expect(performance.now() - started).toBeGreaterThan(LINGER_MS - 500);
    } finally {
      conn.destroy();
    }
  });

  it(`a client that keeps sending is let go after ${LINGER_BYTES / MiB} MiB more, with its 413`, async () => {
    const conn = await openRaw(gateway.url);
    try {
      await conn.write(head('Transfer-Encoding: chunked'));
      // 16 MiB: far past the limit and the lingering budget; the write fails once the gateway lets go.
      const written = conn.write(chunkedBody(16 * MiB)).then(() => 'complete', () => 'cut off');
      await conn.closed;
      expect(await written).toBe('cut off');
      expect(hasCompleteResponse(conn.received(), 413)).toBe(true);
    } finally {
      conn.destroy();
    }
  });
});
