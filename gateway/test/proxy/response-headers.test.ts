// proxy/response-headers.ts: what the client gets of the upstream's response headers.

import { describe, expect, it } from 'vitest';
import { buildClientHeaders, type ResponseHeaderInputs } from '../../src/proxy/response-headers.js';

/** The upstream's headers as a test writes them; arrays are a field sent more than once. */
type UpstreamResponseHeaders = Record<string, string | string[] | undefined>;

const UPSTREAM = 'http://127.0.0.1:8000';
const CLIENT = 'https://api.example.com';
const INPUTS: ResponseHeaderInputs = { upstreamOrigin: UPSTREAM, clientOrigin: CLIENT, requestId: 'req-1', cors: {} };

/** As undici hands them over: raw name/value bytes, a repeated field repeated. */
function raw(upstream: UpstreamResponseHeaders): Buffer[] {
  const list: Buffer[] = [];
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) list.push(Buffer.from(name, 'latin1'), Buffer.from(one, 'latin1'));
  }
  return list;
}

/** The flat list writeHead gets, read back as name → value (an array for a field given more than once). */
function build(upstream: UpstreamResponseHeaders, inputs: Partial<ResponseHeaderInputs> = {}): Record<string, string | string[]> {
  const flat = buildClientHeaders(raw(upstream), { ...INPUTS, ...inputs });
  expect(flat.length % 2).toBe(0);
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const [name, value] = [flat[i]!, flat[i + 1]!];
    const seen = out[name];
    out[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return out;
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

  it('a repeated field (Set-Cookie) is kept, each value as it came', () => {
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

describe('the raw list undici hands over', () => {
  it('names come out lower-cased, values byte for byte (latin1 both ways)', () => {
    const list = [Buffer.from('Content-Type'), Buffer.from('text/plain'), Buffer.from('X-Label'), Buffer.from([0x63, 0x61, 0x66, 0xe9])];
    const flat = buildClientHeaders(list, INPUTS);
    expect(flat.slice(0, 4)).toEqual(['content-type', 'text/plain', 'x-label', 'caf\u00e9']);
    expect(Buffer.from(flat[3]!, 'latin1')).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
  });

  it('a Connection header after the fields it names still drops them, in any case', () => {
    const list = [Buffer.from('X-Internal'), Buffer.from('1'), Buffer.from('x-kept'), Buffer.from('2'), Buffer.from('CONNECTION'), Buffer.from('X-Internal')];
    expect(buildClientHeaders(list, INPUTS)).toEqual(['x-kept', '2', 'x-request-id', 'req-1']);
  });

  it('naming the gateway\'s own fields in Connection never strips them', () => {
    const cors = { 'access-control-allow-origin': 'http://localhost:3000', vary: 'Origin' };
    const rateLimit = { policy: '"burst";q=10;w=1', state: '"burst";r=9;t=1' };
    const out = build({ connection: 'x-request-id, access-control-allow-origin, vary, ratelimit, ratelimit-policy' }, { cors, rateLimit });
    expect(out).toEqual({ 'access-control-allow-origin': 'http://localhost:3000', vary: 'Origin', 'ratelimit-policy': rateLimit.policy, ratelimit: rateLimit.state, 'x-request-id': 'req-1' });
  });

  it('a field named __proto__ is an ordinary field: passed on, nothing else changes', () => {
    const flat = buildClientHeaders([Buffer.from('__proto__'), Buffer.from('x'), Buffer.from('content-type'), Buffer.from('text/plain')], INPUTS);
    expect(flat).toEqual(['__proto__', 'x', 'content-type', 'text/plain', 'x-request-id', 'req-1']);
  });
});
