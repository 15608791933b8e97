// Every metric README.md documents, proven to move: real requests over real sockets through a
// real gateway to a recording upstream, read back from the admin port's /metrics. Each test
// takes a scrape before and after and asserts the exact difference, so a series that stays at
// zero (as gateway_upstream_duration_seconds once did) or moves for the wrong request fails.
//
// The outcome is observed once the server side of an answer is done, which can be a moment
// after the client holds the response: a test first waits for a series that must move (with a
// deadline), then asserts every difference, including the ones that must stay at zero.

import { request } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import { hs256Config } from '../support/gateway.js';
import { eventually } from '../support/eventually.js';
import { hs256Token } from '../support/hs256.js';
import { sampleValue, scrape, type Sample } from '../support/metrics.js';
import { refusingUpstreamUrl, useGateway, useServer, useUpstream, withGateway } from '../support/suite.js';
import { jwksAndSecretConfig, keyPairToken } from '../support/threat-kit.js';
import { generateTestKeyPair, startJwksServer, type JwksMode, type TestKeyPair } from '../support/tokens.js';

const TASKS = '/api/:user_id/tasks';
const TASK = '/api/:user_id/tasks/:id';
const JWKS_ISSUER_NAME = 'key-pairs'; // the JWKS issuer's `name` in jwksAndSecretConfig
/** The upstream takes this long to answer, so its duration histogram has something to measure. */
const UPSTREAM_DELAY_MS = 25;

let pair: TestKeyPair;
beforeAll(async () => {
  pair = await generateTestKeyPair('EdDSA');
});
const upstream = useUpstream();
const jwks = useServer(() => startJwksServer([pair]), 'the JWKS server');
const gateway = useGateway(() => jwksAndSecretConfig({ upstreamUrl: upstream.url, jwksUrl: jwks.url, authExtra: '  jwks_cooldown: 100ms' }));
const alice = await hs256Token('alice', { email: 'alice@example.com' });

/** One request; resolves with its status once the body is read. */
async function send(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(`${baseUrl}${path}`, { method: method as 'GET', headers });
  await res.body.dump();
  return res.statusCode;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** How much each series moved between two scrapes. */
function delta(before: readonly Sample[], after: readonly Sample[]) {
  return (name: string, labels: Record<string, string> = {}) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
}

/** Scrapes until `name{labels}` has moved by at least `by` since `before`. */
function scrapeUntil(adminUrl: string, before: readonly Sample[], name: string, labels: Record<string, string>, by: number): Promise<Sample[]> {
  return eventually(() => scrape(adminUrl), (after) => delta(before, after)(name, labels) >= by);
}

function slowUpstream(status = 200): void {
  upstream.respondWith((_request, res) => {
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{}');
    }, UPSTREAM_DELAY_MS);
  });
}

describe('gateway_requests_total{route,method,status}', () => {
  it('counts each request under its route template, method and status, (none) when no route matched', async () => {
    upstream.respondWith((req, res) => {
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const before = await scrape(gateway.adminUrl);
    expect(await send(gateway.url, 'GET', '/api/alice/tasks', bearer(alice))).toBe(200);
    expect(await send(gateway.url, 'GET', '/api/alice/tasks', bearer(alice))).toBe(200);
    expect(await send(gateway.url, 'POST', '/api/alice/tasks', { ...bearer(alice), 'content-type': 'application/json' })).toBe(201);
    expect(await send(gateway.url, 'DELETE', '/api/alice/tasks/7', bearer(alice))).toBe(200);
    expect(await send(gateway.url, 'GET', '/nowhere')).toBe(404);
    expect(await send(gateway.url, 'PATCH', '/api/alice/tasks', bearer(alice))).toBe(405);
    const after = await scrapeUntil(gateway.adminUrl, before, 'gateway_requests_total', {}, 6);
    const moved = delta(before, after);
    expect(moved('gateway_requests_total', { route: TASKS, method: 'GET', status: '200' })).toBe(2);
    expect(moved('gateway_requests_total', { route: TASKS, method: 'POST', status: '201' })).toBe(1);
    expect(moved('gateway_requests_total', { route: TASK, method: 'DELETE', status: '200' })).toBe(1);
    expect(moved('gateway_requests_total', { route: '(none)', method: 'GET', status: '404' })).toBe(1);
    expect(moved('gateway_requests_total', { route: TASKS, method: 'PATCH', status: '405' })).toBe(1);
    expect(moved('gateway_requests_total')).toBe(6);
  });
});

describe('gateway_request_duration_seconds', () => {
  it('gets one sample per request, forwarded or refused, and measures at least the upstream\'s time', async () => {
    slowUpstream();
    const before = await scrape(gateway.adminUrl);
    expect(await send(gateway.url, 'GET', '/api/alice/tasks', bearer(alice))).toBe(200);
    expect(await send(gateway.url, 'GET', '/api/alice/tasks')).toBe(401);
    const after = await scrapeUntil(gateway.adminUrl, before, 'gateway_request_duration_seconds_count', { route: TASKS, method: 'GET' }, 2);
    const moved = delta(before, after);
    expect(moved('gateway_request_duration_seconds_count', { route: TASKS, method: 'GET' })).toBe(2);
    expect(moved('gateway_request_duration_seconds_sum', { route: TASKS, method: 'GET' })).toBeGreaterThanOrEqual(UPSTREAM_DELAY_MS / 1e3);
    expect(moved('gateway_request_duration_seconds_bucket', { route: TASKS, method: 'GET', le: '+Inf' })).toBe(2);
  });
});

describe('gateway_upstream_duration_seconds', () => {
  it('gets a sample for every forwarded request (never 0 samples), of at least the upstream\'s time', async () => {
    slowUpstream();
    const before = await scrape(gateway.adminUrl);
    for (let i = 0; i < 3; i++) expect(await send(gateway.url, 'GET', '/api/alice/tasks', bearer(alice))).toBe(200);
    expect(await send(gateway.url, 'PUT', '/api/alice/tasks/1', { ...bearer(alice), 'content-type': 'application/json' })).toBe(200);
    expect(await send(gateway.url, 'GET', '/health')).toBe(200);
    const after = await scrapeUntil(gateway.adminUrl, before, 'gateway_upstream_duration_seconds_count', {}, 5);
    const moved = delta(before, after);
    expect(moved('gateway_upstream_duration_seconds_count', { route: TASKS })).toBe(3);
    expect(moved('gateway_upstream_duration_seconds_count', { route: TASK })).toBe(1);
    expect(moved('gateway_upstream_duration_seconds_count', { route: '/health' })).toBe(1);
    expect(moved('gateway_upstream_duration_seconds_sum', { route: TASKS })).toBeGreaterThanOrEqual((3 * UPSTREAM_DELAY_MS) / 1e3);
    // 25 ms is past the 0.025 s bucket's edge only by scheduling: it is never in the 0.01 s one.
    expect(moved('gateway_upstream_duration_seconds_bucket', { route: TASKS, le: '0.01' })).toBe(0);
  });

  it('gets no sample for a request that was not forwarded, or whose upstream never answered', async () => {
    const before = await scrape(gateway.adminUrl);
    expect(await send(gateway.url, 'GET', '/api/alice/tasks')).toBe(401);
    expect(await send(gateway.url, 'GET', '/api/bob/tasks', bearer(alice))).toBe(403);
    const after = await scrapeUntil(gateway.adminUrl, before, 'gateway_requests_total', {}, 2);
    expect(delta(before, after)('gateway_upstream_duration_seconds_count')).toBe(0);
    expect(upstream.requests).toHaveLength(0);

    await withGateway(hs256Config(await refusingUpstreamUrl()), async (dead) => {
      const start = await scrape(dead.adminUrl);
      expect(await send(dead.url, 'GET', '/api/alice/tasks', bearer(await hs256Token('alice')))).toBe(502);
      const end = await scrapeUntil(dead.adminUrl, start, 'gateway_requests_total', { status: '502' }, 1);
      expect(delta(start, end)('gateway_upstream_duration_seconds_count')).toBe(0);
    });
  });
});

describe('gateway_auth_denials_total{reason}', () => {
  it('moves for 401, 403 and 400 multiple_credentials, each under its reason', async () => {
    const before = await scrape(gateway.adminUrl);
    expect(await send(gateway.url, 'GET', '/api/alice/tasks')).toBe(401);
    expect(await send(gateway.url, 'GET', '/api/alice/tasks', bearer('not.a.token'))).toBe(401);
    expect(await send(gateway.url, 'GET', '/api/alice/tasks', bearer(await hs256Token('alice', { iat: 1, exp: 2 })))).toBe(401);
    expect(await send(gateway.url, 'GET', '/api/bob/tasks', bearer(alice))).toBe(403);
    expect(await send(gateway.url, 'GET', '/api/alice/tasks', { authorization: `Bearer ${alice}, Bearer ${alice}` })).toBe(400);
    const after = await scrapeUntil(gateway.adminUrl, before, 'gateway_auth_denials_total', {}, 5);
    const moved = delta(before, after);
    expect(moved('gateway_auth_denials_total', { reason: 'missing_token' })).toBe(1);
    expect(moved('gateway_auth_denials_total', { reason: 'invalid_token' })).toBe(1);
    expect(moved('gateway_auth_denials_total', { reason: 'token_expired' })).toBe(1);
    expect(moved('gateway_auth_denials_total', { reason: 'user_mismatch' })).toBe(1);
    expect(moved('gateway_auth_denials_total', { reason: 'multiple_credentials' })).toBe(1);
    expect(moved('gateway_auth_denials_total')).toBe(5);
  });

  it('does not move for 404, 405 or an upstream answering 401 itself', async () => {
    upstream.respondWith((_request, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"the upstream\'s own"}');
    });
    const before = await scrape(gateway.adminUrl);
    expect(await send(gateway.url, 'GET', '/nowhere', bearer(alice))).toBe(404);
    expect(await send(gateway.url, 'PATCH', '/api/alice/tasks', bearer(alice))).toBe(405);
    expect(await send(gateway.url, 'GET', '/api/alice/tasks', bearer(alice))).toBe(401);
    const after = await scrapeUntil(gateway.adminUrl, before, 'gateway_requests_total', {}, 3);
    expect(delta(before, after)('gateway_auth_denials_total')).toBe(0);
  });

  it('does not move for 502 (upstream down)', async () => {
    await withGateway(hs256Config(await refusingUpstreamUrl()), async (dead) => {
      const before = await scrape(dead.adminUrl);
      expect(await send(dead.url, 'GET', '/api/alice/tasks', bearer(await hs256Token('alice')))).toBe(502);
      const after = await scrapeUntil(dead.adminUrl, before, 'gateway_requests_total', { status: '502' }, 1);
      expect(delta(before, after)('gateway_auth_denials_total')).toBe(0);
    });
  });
});

describe('gateway_jwks_fetches_total{issuer,result}', () => {
  const cases: Array<[JwksMode, 'success' | 'error' | 'empty']> = [['ok', 'success'], ['error', 'error'], ['no-keys', 'empty']];
  for (const [mode, result] of cases) {
    it(`a key server answering "${mode}" counts one fetch at start as result=${result}`, async () => {
      const server = await startJwksServer([pair]);
      server.setMode(mode);
      try {
        await withGateway(jwksAndSecretConfig({ upstreamUrl: upstream.url, jwksUrl: server.url }), async (gw) => {
          const samples = await scrape(gw.adminUrl);
          expect(sampleValue(samples, 'gateway_jwks_fetches_total', { issuer: JWKS_ISSUER_NAME, result })).toBe(1);
          expect(sampleValue(samples, 'gateway_jwks_fetches_total')).toBe(1);
          expect(server.requests).toBe(1);
        });
      } finally {
        await server.close();
      }
    });
  }

  it('a token with an unknown kid makes the running gateway fetch again (once the cooldown allows)', async () => {
    const before = await scrape(gateway.adminUrl);
    const stranger = await generateTestKeyPair('EdDSA');
    const token = await keyPairToken(stranger, 'alice');
    // Each attempt inside the cooldown is refused without a fetch; the first one after it fetches.
    const after = await eventually(
      async () => {
        expect(await send(gateway.url, 'GET', '/api/alice/tasks', bearer(token))).toBe(401);
        return scrape(gateway.adminUrl);
      },
      (samples) => delta(before, samples)('gateway_jwks_fetches_total') >= 1,
    );
    expect(delta(before, after)('gateway_jwks_fetches_total', { issuer: JWKS_ISSUER_NAME, result: 'success' })).toBe(1);
    expect(delta(before, after)('gateway_jwks_fetches_total')).toBe(1);
  });
});

describe('gateway_jwks_kid_waits_total{issuer,outcome}', () => {
  it('counts a new key found after the wait, a made-up kid not found, then the same kid answered at once', async () => {
    const server = await startJwksServer([pair]);
    try {
      await withGateway(jwksAndSecretConfig({ upstreamUrl: upstream.url, jwksUrl: server.url, authExtra: '  jwks_cooldown: 1s' }), async (gw) => {
        const before = await scrape(gw.adminUrl);
        const published = await generateTestKeyPair('EdDSA');
        server.setKeys([pair, published]); // inside the cooldown of the start's fetch
        expect(await send(gw.url, 'GET', '/api/alice/tasks', bearer(await keyPairToken(published, 'alice')))).toBe(200);
        const stranger = await keyPairToken(await generateTestKeyPair('EdDSA'), 'alice');
        expect(await send(gw.url, 'GET', '/api/alice/tasks', bearer(stranger))).toBe(401); // waits for the next fetch
        expect(await send(gw.url, 'GET', '/api/alice/tasks', bearer(stranger))).toBe(401); // answered at once
        const after = await scrapeUntil(gw.adminUrl, before, 'gateway_jwks_kid_waits_total', {}, 3);
        const moved = delta(before, after);
        for (const outcome of ['found', 'not_found', 'recently_absent']) expect(moved('gateway_jwks_kid_waits_total', { issuer: JWKS_ISSUER_NAME, outcome })).toBe(1);
        expect(moved('gateway_jwks_kid_waits_total')).toBe(3);
      });
    } finally {
      await server.close();
    }
  });
});

describe('gateway_token_cache_total{result=hit|miss}', () => {
  it('a token verified once is a miss, the same token again a hit; a request without a token neither', async () => {
    const fresh = await keyPairToken(pair, 'alice', { jti: `cache-${Date.now()}` });
    const before = await scrape(gateway.adminUrl);
    expect(await send(gateway.url, 'GET', '/api/alice/tasks', bearer(fresh))).toBe(200);
    const afterFirst = await scrapeUntil(gateway.adminUrl, before, 'gateway_token_cache_total', {}, 1);
    expect(delta(before, afterFirst)('gateway_token_cache_total', { result: 'miss' })).toBe(1);
    expect(delta(before, afterFirst)('gateway_token_cache_total', { result: 'hit' })).toBe(0);

    expect(await send(gateway.url, 'GET', '/api/alice/tasks', bearer(fresh))).toBe(200);
    expect(await send(gateway.url, 'GET', '/api/alice/tasks/3', bearer(fresh))).toBe(200);
    expect(await send(gateway.url, 'GET', '/health')).toBe(200);
    const after = await scrapeUntil(gateway.adminUrl, afterFirst, 'gateway_requests_total', {}, 3);
    expect(delta(afterFirst, after)('gateway_token_cache_total', { result: 'hit' })).toBe(2);
    expect(delta(afterFirst, after)('gateway_token_cache_total', { result: 'miss' })).toBe(0);
  });
});

describe('the access log', () => {
  it('every line of a forwarded request carries upstream_ms (whatever the upstream\'s status); refused ones carry none', async () => {
    slowUpstream(500);
    const forwarded: Array<[string, string, Record<string, string>]> = [
      ['GET', '/api/alice/tasks', bearer(alice)],
      ['POST', '/api/alice/tasks', { ...bearer(alice), 'content-type': 'application/json' }],
      ['DELETE', '/api/alice/tasks/1', bearer(alice)],
      ['GET', '/health', {}],
    ];
    const ids: string[] = [];
    for (const [i, [method, path, headers]] of forwarded.entries()) {
      const id = `forwarded-${i}-${Date.now()}`;
      ids.push(id);
      expect(await send(gateway.url, method, path, { ...headers, 'x-request-id': id })).toBe(500);
    }
    const refusedId = `refused-${Date.now()}`;
    expect(await send(gateway.url, 'GET', '/api/alice/tasks', { 'x-request-id': refusedId })).toBe(401);

    const wanted = [...ids, refusedId];
    const lines = await eventually(
      () => gateway.logs.filter((l) => l['msg'] === 'request' && wanted.includes(l['request_id'] as string)),
      (found) => found.length === wanted.length,
    );
    expect(upstream.requests).toHaveLength(forwarded.length);
    for (const line of lines.filter((l) => l['request_id'] !== refusedId)) {
      expect(line['upstream_ms'], JSON.stringify(line)).toBeGreaterThanOrEqual(UPSTREAM_DELAY_MS);
      expect(line['level']).toBe(50);
    }
    expect(lines.find((l) => l['request_id'] === refusedId)).not.toHaveProperty('upstream_ms');
  });
});
