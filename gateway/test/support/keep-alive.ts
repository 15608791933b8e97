// Keep-alive clients at a spawned gateway, for the shutdown tests: raw connections that have
// already been answered once (the state the soak's reset requests were sent in), an upstream
// that holds one path's answer, and the gateway's lines to wait on.
import { expect } from 'vitest';
import { hs256Config, testEnv } from './gateway.js';
import { openRaw, responsesIn, type RawConnection } from './raw-http.js';
import type { RecordingUpstream } from './recording-upstream.js';
import { spawnGateway, writeTempConfig, type SpawnedGateway } from './spawn-gateway.js';

export const isShuttingDown = (line: Record<string, unknown>) => String(line['msg']).startsWith('shutting down');

/** A GET with a Bearer token, as bytes for a raw connection. */
export function rawGet(url: string, path: string, token: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: ${new URL(url).host}\r\nAuthorization: Bearer ${token}\r\n\r\n`;
}

/**
 * A client holding one keep-alive connection that has already been answered once (200,
 * keep-alive). Half-open allowed, as a real client's socket is in the instant it writes: a FIN
 * it has not noticed yet does not stop its write, and a server that destroyed the socket
 * answers that write with a reset.
 */
export async function servedOnce(url: string, token: string, path = '/api/bob/tasks'): Promise<RawConnection> {
  const conn = await openRaw(url, { allowHalfOpen: true });
  await conn.write(rawGet(url, path, token));
  await conn.waitFor((raw) => responsesIn(raw).length === 1);
  const [first] = responsesIn(conn.received());
  expect(first?.status).toBe(200);
  expect(first?.headers['connection']).toBe('keep-alive');
  return conn;
}

/** The upstream answers `path` (with `body`) only on release(); everything else at once with `[]`. */
export function holdPath(upstream: RecordingUpstream, path: string, body: string): { release(): void } {
  let release = () => {};
  upstream.respondWith((req, res) => {
    if (req.url !== path) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' }).end('[]');
      return;
    }
    return new Promise<void>((resolve) => {
      release = () => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) }).end(body);
        resolve();
      };
    });
  });
  return { release: () => release() };
}

/** The real `gateway` bin on hs256Config (with `extra` YAML), once it logged "listening". */
export async function spawnListening(upstream: RecordingUpstream, extra: string): Promise<{ run: SpawnedGateway; url: string; adminUrl: string }> {
  const run = spawnGateway(['--config', writeTempConfig(hs256Config(upstream.url, extra))], testEnv);
  const { url, admin_url: adminUrl } = (await run.waitForLine((line) => line['msg'] === 'listening')) as { url: string; admin_url: string };
  return { run, url, adminUrl };
}

/** Our side closes after the gateway's: both halves end with FINs, and the socket saw no reset. */
export async function closeCleanly(conn: RawConnection): Promise<void> {
  conn.end();
  await conn.closed;
  expect(conn.errorCode()).toBeUndefined();
}
