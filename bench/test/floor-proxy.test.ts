// The Node floor in-process, in front of a real echo upstream: it must forward a good token and
// refuse everything a gateway refuses on the hot path, or it is not a fair floor.
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFloor, pathUser, type Floor } from '../src/floor-proxy.js';
import { importEd25519Keys } from '../src/floor-verify.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, generateBenchKeys, mintToken, type BenchKeys } from '../src/tokens.js';

interface Seen { readonly method: string; readonly url: string; readonly headers: IncomingHttpHeaders; readonly body: string }

let keys: BenchKeys;
let upstream: Server;
let seen: Seen[] = [];
const floors: Floor[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startFloorWith(tokenCacheEntries: number): Promise<string> {
  const floor = createFloor({
    upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    tokenCacheEntries,
    keys: { eddsa: importEd25519Keys(keys.jwks as never), hs256: Buffer.from(keys.secret), issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE, clockToleranceSec: 30 },
  });
  floors.push(floor);
  return listen(floor.server);
}

/** A raw request, so the test controls every header (fetch would add or refuse some). */
function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function tamperSignature(token: string): string {
  const [h, p, s] = token.split('.');
  const i = Math.floor(s!.length / 2); // a middle character: every bit of it is signature
  return `${h}.${p}.${s!.slice(0, i)}${s![i] === 'A' ? 'B' : 'A'}${s!.slice(i + 1)}`;
}

function swapSubject(token: string, sub: string): string {
  const [h, p, s] = token.split('.');
  const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
  return `${h}.${Buffer.from(JSON.stringify({ ...claims, sub })).toString('base64url')}.${s}`;
}

beforeAll(async () => {
  keys = await generateBenchKeys();
  upstream = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const reply = JSON.stringify({ ok: true });
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', 'content-length': String(reply.length), 'x-upstream': 'yes', 'keep-alive': 'timeout=77' }).end(reply);
    });
  });
  await listen(upstream);
});

afterAll(async () => {
  for (const f of floors) await f.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

beforeEach(() => { seen = []; });

describe.each([['with the token cache', 10_000], ['uncached (token_cache 0)', 0]])('the Node floor %s', (_name, cacheEntries) => {
  let floor: string;
  beforeAll(async () => { floor = await startFloorWith(cacheEntries); });

  it.each(['HS256', 'EdDSA'] as const)('forwards a good %s token with x-user-id set from sub, twice in a row', async (alg) => {
    const token = await mintToken(keys, alg, 'alice');
    for (let i = 0; i < 2; i++) {
      const r = await send(floor, 'GET', '/api/alice/tasks?x=1', { ...bearer(token), 'x-user-id': 'mallory' });
      expect(r.status).toBe(200);
      expect(r.headers['x-upstream']).toBe('yes');
      expect(r.headers['keep-alive']).not.toBe('timeout=77'); // hop-by-hop: the floor's own, not the upstream's
    }
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/api/alice/tasks?x=1' });
    expect(seen[0]!.headers['x-user-id']).toBe('alice'); // the client's copy is dropped
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('forwards a request body and relays the upstream status', async () => {
    const token = await mintToken(keys, 'HS256', 'alice');
    const r = await send(floor, 'POST', '/api/alice/tasks', { ...bearer(token), 'content-type': 'application/json' }, '{"title":"t"}');
    expect(r.status).toBe(201);
    expect(seen[0]).toMatchObject({ method: 'POST', body: '{"title":"t"}' });
  });

  it.each(['HS256', 'EdDSA'] as const)('answers 401 to a tampered %s token, even after the good one was accepted', async (alg) => {
    const token = await mintToken(keys, alg, 'alice');
    expect((await send(floor, 'GET', '/api/alice/tasks', bearer(token))).status).toBe(200);
    seen = [];
    for (const [bad, user] of [[tamperSignature(token), 'alice'], [swapSubject(token, 'bob'), 'bob']] as const) {
      const r = await send(floor, 'GET', `/api/${user}/tasks`, bearer(bad));
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer');
    }
    expect(seen).toHaveLength(0);
  });

  it('answers 403 to a good token on another user\'s path, reaching nothing', async () => {
    const token = await mintToken(keys, 'EdDSA', 'alice');
    const r = await send(floor, 'GET', '/api/bob/tasks/1', bearer(token));
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toEqual({ error: 'user_mismatch' });
    expect(seen).toHaveLength(0);
  });

  it('answers 401 to no token, a foreign secret, alg none, an expired token, another audience, two Authorization headers', async () => {
    const claims = new SignJWT({}).setSubject('alice').setIssuer(BENCH_ISSUER).setAudience(BENCH_AUDIENCE).setExpirationTime('5m');
    const foreign = await claims.setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('another-secret-that-is-long-enough-0123456789'));
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'alice', iss: BENCH_ISSUER, aud: BENCH_AUDIENCE, exp: 2e9 })).toString('base64url')}.`;
    const expired = await mintToken(keys, 'HS256', 'alice', Math.floor(Date.now() / 1000) - 3600);
    const otherAud = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuer(BENCH_ISSUER).setAudience('http://other.invalid')
      .setExpirationTime('5m').sign(new TextEncoder().encode(keys.secret));
    const good = await mintToken(keys, 'HS256', 'alice');
    const cases: Array<Record<string, string>> = [{}, { authorization: 'Basic YTpi' }, bearer(foreign), bearer(none), bearer(expired), bearer(otherAud), bearer('not.a.jwt')];
    for (const headers of cases) expect((await send(floor, 'GET', '/api/alice/tasks', headers)).status, JSON.stringify(Object.keys(headers))).toBe(401);
    // Two credentials are ambiguous: refused, even when both are good (written raw: clients merge them).
    const twice = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(floor).port), '127.0.0.1', () => {
        socket.end(`GET /api/alice/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${good}\r\nAuthorization: Bearer ${good}\r\nConnection: close\r\n\r\n`);
      });
      let text = '';
      socket.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve(text)).on('error', reject);
    });
    expect(twice).toMatch(/^HTTP\/1\.1 401 /);
    expect(seen).toHaveLength(0);
  });

  it('answers /health itself and 404 outside /api/', async () => {
    expect((await send(floor, 'GET', '/health', {})).status).toBe(200);
    expect((await send(floor, 'GET', '/admin', {})).status).toBe(404);
    expect(seen).toHaveLength(0);
  });
});

describe('pathUser', () => {
  it('takes the segment after /api/, decoded, and nothing from a malformed path', () => {
    expect(pathUser('/api/alice/tasks')).toBe('alice');
    expect(pathUser('/api/alice')).toBe('alice');
    expect(pathUser('/api/alice?x=/y')).toBe('alice');
    expect(pathUser('/api/al%69ce/tasks')).toBe('alice');
    expect(pathUser('/api/%E0%A4%A/tasks')).toBeUndefined();
    expect(pathUser('/api//tasks')).toBeUndefined();
    expect(pathUser('/other/alice')).toBeUndefined();
  });
});
