// (e) and the network side of (c): a URL that refuses connections, non-2xx answers, an HTML page,
// an endless body — each exit 1 with nothing written; a query string is never printed.
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRecordingUpstream, type RecordingUpstream } from '../../support/recording-upstream.js';
import { freshOut, init, nothingWritten, readText } from './harness.js';

const DOC = JSON.stringify({ openapi: '3.0.3', info: { title: 'tiny', version: '1' }, paths: { '/api/{user_id}/notes': { get: { responses: { '200': { description: 'OK' } } } } } });

let server: RecordingUpstream;
beforeAll(async () => {
  server = await startRecordingUpstream();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => server.reset());

async function refusedUrl(url: string) {
  const { dir, file } = freshOut();
  const run = await init(['--openapi', url, '--out', file]);
  expect(run.code, run.stderr).toBe(1);
  expect(nothingWritten(dir)).toBe(true);
  return run;
}

describe('gateway init --openapi <url>', () => {
  it('refuses a URL where nothing listens', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');
    const run = await refusedUrl(`http://127.0.0.1:${port}/openapi.json`);
    expect(run.stderr).toContain(`cannot fetch http://127.0.0.1:${port}/openapi.json: connection refused`);
  });

  it('refuses a non-2xx answer, naming the status', async () => {
    for (const status of [404, 500, 304]) {
      server.respondWith((_req, res) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 304 ? undefined : DOC); // even a document, if the status says it is not the answer
      });
      const run = await refusedUrl(`${server.url}/openapi.json`);
      expect(run.stderr).toContain(`it answered ${status}`);
    }
  });

  it('refuses an HTML page (a docs UI rather than the document)', async () => {
    server.respondWith((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><head><title>Swagger UI</title></head></html>');
    });
    expect((await refusedUrl(`${server.url}/docs`)).stderr).toContain('looks like HTML or XML');
  });

  it('stops reading a document larger than the limit', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    server.respondWith((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      const more = (): void => {
        while (sent < 40 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      res.on('close', () => (sent = 40));
      more();
    });
    expect((await refusedUrl(`${server.url}/openapi.json`)).stderr).toContain('larger than the 16777216-byte limit');
  });

  it('follows a redirect, and never prints or writes the query string (it may hold a key)', async () => {
    server.respondWith((req, res) => {
      if (req.url.startsWith('/spec')) {
        res.writeHead(302, { location: '/openapi.json?api_key=SECRET-IN-QUERY' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(DOC);
    });
    const { file } = freshOut();
    const run = await init(['--openapi', `${server.url}/spec?api_key=SECRET-IN-QUERY`, '--out', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(server.requests.map((r) => r.url)).toEqual(['/spec?api_key=SECRET-IN-QUERY', '/openapi.json?api_key=SECRET-IN-QUERY']);
    expect(readText(file)).not.toContain('SECRET-IN-QUERY');
    expect(run.stderr).not.toContain('SECRET-IN-QUERY');
    expect(readText(file)).toContain(`from ${server.url}/spec?…`);
    expect(readText(file)).toContain(`url: \${UPSTREAM_URL:-${server.origin}}`);
  });
});
