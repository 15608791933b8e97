// proxy/response-headers.ts: what the client gets of the upstream's response headers.

import { describe, expect, it } from 'vitest';
import { buildClientHeaders, type ResponseHeaderInputs, type UpstreamResponseHeaders } from '../../src/proxy/response-headers.js';

const UPSTREAM = 'http://127.0.0.1:8000';
const CLIENT = 'https://api.example.com';
const INPUTS: ResponseHeaderInputs = { upstreamOrigin: UPSTREAM, clientOrigin: CLIENT, requestId: 'req-1', cors: {} };

function build(upstream: UpstreamResponseHeaders, inputs: Partial<ResponseHeaderInputs> = {}): Record<string, string | string[]> {
  return buildClientHeaders(upstream, { ...INPUTS, ...inputs });
}

describe('hop-by-hop headers', () => {
  it('are dropped, as is every header the upstream names in its Connection header', () => {
    const out = build({
      connection: 'keep-alive, X-Internal-Token',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      te: 'trailers',
      trailer: 'x-user-id',
      upgrade: 'h2c',
      'proxy-authenticate': 'Basic',
      'proxy-connection': 'keep-alive',
      'x-internal-token': 'secret',
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    expect(out).toEqual({ 'content-type': 'application/json', 'cache-control': 'no-store', 'x-request-id': 'req-1' });
  });

  it('a Connection header given twice names headers in both copies', () => {
    const out = build({ connection: ['x-one', 'x-two'], 'x-one': '1', 'x-two': '2', 'x-three': '3' });
    expect(out).toEqual({ 'x-three': '3', 'x-request-id': 'req-1' });
  });

  it('undefined values are skipped, arrays (Set-Cookie) kept whole', () => {
    const out = build({ 'set-cookie': ['a=1', 'b=2'], 'x-absent': undefined });
    expect(out).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'x-request-id': 'req-1' });
  });
});

describe('CORS and the request id are the gateway\'s', () => {
  const upstreamCors: UpstreamResponseHeaders = {
    'access-control-allow-origin': '*',
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'x-internal',
    'x-request-id': 'upstream-chosen',
    vary: 'Accept-Encoding',
  };

  it('the upstream\'s Access-Control-* are removed even when the gateway adds none', () => {
    expect(build(upstreamCors)).toEqual({ vary: 'Accept-Encoding', 'x-request-id': 'req-1' });
  });

  it('the gateway\'s CORS headers replace them, and its Vary is added to the upstream\'s', () => {
    const cors = { 'access-control-allow-origin': 'http://localhost:3000', 'access-control-expose-headers': 'x-request-id', vary: 'Origin' };
    expect(build(upstreamCors, { cors })).toEqual({
      'access-control-allow-origin': 'http://localhost:3000',
      'access-control-expose-headers': 'x-request-id',
      vary: 'Accept-Encoding, Origin',
      'x-request-id': 'req-1',
    });
  });

  it('a Vary the upstream sent twice is joined before the gateway\'s is added', () => {
    expect(build({ vary: ['Accept', 'Accept-Language'] }, { cors: { vary: 'Origin' } })['vary']).toBe('Accept, Accept-Language, Origin');
  });
});

describe('Location and Content-Location', () => {
  const rewritten = (location: string | string[], inputs: Partial<ResponseHeaderInputs> = {}) => build({ location, 'content-location': location }, inputs);

  it('pointing at the upstream\'s origin, in any case or spelling, point at the client\'s', () => {
    for (const location of [`${UPSTREAM}/api/alice/tasks/7`, 'HTTP://127.0.0.1:8000/api/alice/tasks/7', '//127.0.0.1:8000/api/alice/tasks/7']) {
      const out = rewritten(location);
      expect(out['location'], location).toBe(`${CLIENT}/api/alice/tasks/7`);
      expect(out['content-location'], location).toBe(`${CLIENT}/api/alice/tasks/7`);
    }
  });

  it('keep a query or fragment right after the origin (on the root path, as a URL parser reads it), and a bare origin becomes the client\'s root', () => {
    expect(rewritten(`${UPSTREAM}?page=2`)['location']).toBe(`${CLIENT}/?page=2`);
    expect(rewritten(`${UPSTREAM}#top`)['location']).toBe(`${CLIENT}/#top`);
    expect(rewritten(UPSTREAM)['location']).toBe(`${CLIENT}/`);
  });

  it('an upstream without a port is matched with its default port written out too', () => {
    for (const location of ['http://todo.internal/x', 'http://todo.internal:80/x', '//todo.internal:80/x']) {
      expect(rewritten(location, { upstreamOrigin: 'http://todo.internal' })['location'], location).toBe(`${CLIENT}/x`);
    }
  });

  it('another host, another port, a longer port or a relative reference is left as it is', () => {
    for (const location of ['https://elsewhere.example/x', 'http://127.0.0.1:9000/x', 'http://127.0.0.1:80001/x', 'http://127.0.0.1:8000.evil.example/x', '/api/alice/tasks/7', 'tasks/7']) {
      expect(rewritten(location)['location'], location).toBe(location);
    }
  });

  it('without a client origin, a rewrite is relative: the upstream\'s address still never shows', () => {
    expect(rewritten(`${UPSTREAM}/api/alice/tasks/7`, { clientOrigin: undefined })['location']).toBe('/api/alice/tasks/7');
    expect(rewritten(UPSTREAM, { clientOrigin: undefined })['location']).toBe('/');
  });

  it('given twice, only the first is kept, rewritten', () => {
    expect(rewritten([`${UPSTREAM}/one`, `${UPSTREAM}/two`])['location']).toBe(`${CLIENT}/one`);
  });
});
