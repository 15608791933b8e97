// The key-set HTTP GET itself, against a real socket: what it sends, what it refuses.

import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchJwksOverHttp, MAX_JWKS_BYTES } from '../../../src/pipeline/authn/fetch-jwks.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

async function serve(handler: RequestListener): Promise<string> {
  server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
}

const signal = (): AbortSignal => AbortSignal.timeout(5_000);

describe('fetchJwksOverHttp', () => {
  it('GETs with Accept: application/json and parses the body', async () => {
    let seen: IncomingHttpHeaders | undefined;
    let method: string | undefined;
    const url = await serve((req, res) => {
      seen = req.headers;
      method = req.method;
      res.setHeader('content-type', 'application/json');
      res.end('{"keys":[{"kty":"OKP"}]}');
    });
    await expect(fetchJwksOverHttp(url, signal())).resolves.toEqual({ keys: [{ kty: 'OKP' }] });
    expect(method).toBe('GET');
    expect(seen?.accept).toBe('application/json');
  });

  it('refuses non-200 answers, redirects included', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/jwks') {
        res.writeHead(301, { location: '/elsewhere' });
        return void res.end();
      }
      res.end('{"keys":[]}');
    });
    await expect(fetchJwksOverHttp(url, signal())).rejects.toThrow();
    await expect(fetchJwksOverHttp(url.replace('/jwks', '/x'), signal())).resolves.toEqual({ keys: [] });
  });

  it.each([204, 404, 500])('refuses status %i', async (status) => {
    const url = await serve((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 204 ? undefined : '{"keys":[]}');
    });
    await expect(fetchJwksOverHttp(url, signal())).rejects.toThrow(/answered/);
  });

  it('refuses a declared Content-Length over the cap without reading it', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_JWKS_BYTES + 1) });
      res.write('{"keys":[');
      // Never finishes: only the header can make the fetch give up quickly.
    });
    await expect(fetchJwksOverHttp(url, signal())).rejects.toThrow(/too large/);
  });

  it('counts decompressed bytes: a small gzip bomb is refused', async () => {
    const bomb = gzipSync(`{"keys":[],"pad":"${'0'.repeat(MAX_JWKS_BYTES * 2)}"}`);
    expect(bomb.byteLength).toBeLessThan(MAX_JWKS_BYTES / 10);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': bomb.byteLength });
      res.end(bomb);
    });
    await expect(fetchJwksOverHttp(url, signal())).rejects.toThrow(/too large/);
  });

  it('refuses bodies that are not UTF-8 JSON', async () => {
    const bodies = [Buffer.from('<html>login</html>'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), Buffer.from('')];
    let i = 0;
    const url = await serve((_req, res) => res.end(bodies[i++]));
    for (let n = 0; n < bodies.length; n++) await expect(fetchJwksOverHttp(url, signal())).rejects.toThrow();
  });

  it('refuses URLs that are not http(s)', async () => {
    await expect(fetchJwksOverHttp('file:///etc/passwd', signal())).rejects.toThrow(/http/);
    await expect(fetchJwksOverHttp('data:application/json,{"keys":[]}', signal())).rejects.toThrow(/http/);
  });

  it('stops when its signal aborts mid-body', async () => {
    let wrote!: () => void;
    const written = new Promise<void>((resolve) => (wrote = resolve));
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[', () => wrote());
    });
    const controller = new AbortController();
    const pending = fetchJwksOverHttp(url, controller.signal);
    pending.catch(() => undefined);
    await written;
    controller.abort();
    await expect(pending).rejects.toThrow();
  });
});
