// docs/threats.md family 4 — keys, over real sockets: a real JWKS server the tests can rotate, break
// and count, behind a real gateway in front of a recording upstream.
//
// The key-set contract allows at most one fetch per `jwks_cooldown`. Where a test needs the
// next fetch to be allowed, it waits out that (short, configured) window: that wait is the
// behaviour under test, not synchronisation with something that might or might not be done.
import { setTimeout as delay } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { hs256Config, startTestGateway, testEnv, TEST_ISSUER, TEST_SECRET, type TestGateway } from '../support/gateway.js';
import { hs256Token } from '../support/hs256.js';
import { generateTestKeyPair, signToken, startJwksServer, epochSeconds, type JwksMode, type JwksServer, type TestKeyPair } from '../support/tokens.js';
import { useServer, useUpstream, withGateway } from '../support/suite.js';
import { call, expectDenial, JWKS_ISSUER, jwksAndSecretConfig, keyPairToken } from '../support/threat-kit.js';

const COOLDOWN_MS = 100;
const cooldownOver = () => delay(COOLDOWN_MS + 20);

const upstream = useUpstream();

function get(gateway: TestGateway, token: string, path = '/api/alice/tasks') {
  return call(gateway.url, { path, headers: { authorization: `Bearer ${token}` } });
}

async function expectForwarded(gateway: TestGateway, token: string): Promise<void> {
  const before = upstream.requests.length;
  const reply = await get(gateway, token);
  expect(reply.status, reply.text).toBe(200);
  expect(upstream.requests).toHaveLength(before + 1);
  expect(upstream.requests.at(-1)!.headers['x-user-id']).toBe('alice');
}

async function expectRefused(gateway: TestGateway, token: string, status = 401, reason = 'invalid_token'): Promise<void> {
  const before = upstream.requests.length;
  const reply = await get(gateway, token);
  expectDenial(reply, status, reason);
  expect(upstream.requests).toHaveLength(before);
}

function gatewayFor(jwks: JwksServer, authExtra = '', withSecretIssuer = true): Promise<TestGateway> {
  return startTestGateway(jwksAndSecretConfig({ upstreamUrl: upstream.url, jwksUrl: jwks.url, authExtra, withSecretIssuer }), testEnv);
}

describe('rotation', () => {
  let a: TestKeyPair;
  let b: TestKeyPair;
  beforeAll(async () => {
    [a, b] = await Promise.all([generateTestKeyPair('EdDSA'), generateTestKeyPair('EdDSA')]);
  });
  const jwks = useServer(() => startJwksServer([a]), 'the JWKS server');
  const gateway = useServer(() => gatewayFor(jwks, `  jwks_cooldown: ${COOLDOWN_MS}ms`), 'the gateway');

  it('a new kid works on its first request (one refetch), and a removed key stops working after the next fetch', async () => {
    // The same token strings throughout: A's token is in the verified-token cache when A is withdrawn.
    const tokenA = await keyPairToken(a, 'alice');
    await expectForwarded(gateway, tokenA);

    // The issuer rotates: B is published next to A.
    jwks.setKeys([a, b]);
    await cooldownOver();
    const fetchesBefore = jwks.requests;
    const tokenB = await keyPairToken(b, 'alice');
    await expectForwarded(gateway, tokenB);
    expect(jwks.requests).toBe(fetchesBefore + 1);
    // Known kids need no fetch.
    await expectForwarded(gateway, tokenA);
    await expectForwarded(gateway, tokenB);
    expect(jwks.requests).toBe(fetchesBefore + 1);

    // A is withdrawn. The next fetch (here caused by an unknown kid) replaces the whole set,
    // and drops the cached verification of tokenA with it.
    jwks.setKeys([b]);
    await cooldownOver();
    const unknown = await generateTestKeyPair('EdDSA');
    await expectRefused(gateway, await keyPairToken(unknown, 'alice'));
    expect(jwks.requests).toBe(fetchesBefore + 2);
    await expectRefused(gateway, tokenA);
    await expectForwarded(gateway, tokenB);
  });
});

describe('a storm of tokens with random kids', () => {
  const STORM_COOLDOWN_MS = 1_000;
  let genuine: TestKeyPair;
  let forger: TestKeyPair;
  beforeAll(async () => {
    [genuine, forger] = await Promise.all([generateTestKeyPair('EdDSA'), generateTestKeyPair('EdDSA')]);
  });
  const jwks = useServer(() => startJwksServer([genuine]), 'the JWKS server');
  const gateway = useServer(() => gatewayFor(jwks, `  jwks_cooldown: ${STORM_COOLDOWN_MS}ms`), 'the gateway');

  it('300 unknown kids cost at most one key fetch per cooldown, all 401, none forwarded', async () => {
    const now = epochSeconds();
    const tokens = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        signToken({ iss: JWKS_ISSUER, aud: JWKS_ISSUER, sub: 'alice', iat: now, exp: now + 900 }, { alg: 'EdDSA', key: forger.privateKey, kid: `random-${i}-${Math.random()}` }),
      ),
    );
    // A made-up kid is unknown like a just-published one: it waits for the next permitted fetch
    // (at most one per cooldown), so the storm is answered in rounds of one cooldown each.
    const pool = new Pool(gateway.url, { connections: 150 });
    const fetchesBefore = jwks.requests;
    const started = performance.now();
    try {
      const statuses = await Promise.all(
        tokens.map(async (token) => {
          const res = await pool.request({ method: 'GET', path: '/api/alice/tasks', headers: { authorization: `Bearer ${token}` } });
          const body = (await res.body.json()) as { reason: string };
          return `${res.statusCode} ${body.reason}`;
        }),
      );
      expect(new Set(statuses)).toEqual(new Set(['401 invalid_token']));
    } finally {
      await pool.close();
    }
    const elapsed = performance.now() - started;
    const fetches = jwks.requests - fetchesBefore;
    expect(fetches).toBeLessThanOrEqual(1 + Math.floor(elapsed / STORM_COOLDOWN_MS));
    expect(upstream.requests).toHaveLength(0);
    // …and genuine tokens were never starved.
    await expectForwarded(gateway, await keyPairToken(genuine, 'alice'));
  });
});

describe('the key endpoint fails before any keys were loaded → 503 keys_unavailable, fail closed', () => {
  let pair: TestKeyPair;
  beforeAll(async () => {
    pair = await generateTestKeyPair('EdDSA');
  });
  const jwks = useServer(() => startJwksServer([pair]), 'the JWKS server');

  const modes: JwksMode[] = ['down', 'error', 'hang', 'garbage', 'html', 'no-keys', 'redirect', 'huge'];
  for (const mode of modes) {
    it(`endpoint ${mode}`, async () => {
      jwks.setMode(mode, `${jwks.url}?again`);
      const gateway = await gatewayFor(jwks, '  jwks_timeout: 300ms');
      try {
        // On another user's path too: 503 comes before the owner check, and it carries CORS for the browser.
        const reply = await call(gateway.url, { path: '/api/bob/tasks', headers: { authorization: `Bearer ${await keyPairToken(pair, 'alice')}`, origin: 'http://localhost:3000' } });
        expectDenial(reply, 503, 'keys_unavailable');
        expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
        expect(reply.headers['access-control-allow-origin']).toBe('http://localhost:3000');
        expect(upstream.requests).toHaveLength(0);
        const ready = await call(gateway.adminUrl, { path: '/readyz' });
        expect(ready.status).not.toBe(200);
        // A shared-secret token does not depend on those keys: still served.
        await expectForwarded(gateway, await hs256Token('alice'));
      } finally {
        await gateway.close();
        jwks.setMode('ok');
      }
    });
  }

  it('a redirect is never followed, even to a server that would hand out the genuine keys', async () => {
    const elsewhere = await startJwksServer([pair]);
    jwks.setMode('redirect', elsewhere.url);
    const gateway = await gatewayFor(jwks);
    try {
      await expectRefused(gateway, await keyPairToken(pair, 'alice'), 503, 'keys_unavailable');
      expect(elsewhere.requests).toBe(0);
    } finally {
      await gateway.close();
      await elsewhere.close();
      jwks.setMode('ok');
    }
  });

  it('recovers on the first request after the endpoint is back and the cooldown has passed', async () => {
    jwks.setMode('down');
    const gateway = await gatewayFor(jwks, `  jwks_cooldown: ${COOLDOWN_MS}ms`);
    try {
      const token = await keyPairToken(pair, 'alice');
      await expectRefused(gateway, token, 503, 'keys_unavailable');
      jwks.setMode('ok');
      await cooldownOver();
      await expectForwarded(gateway, token);
    } finally {
      await gateway.close();
    }
  });
});

describe('the key endpoint fails after keys were loaded', () => {
  for (const mode of ['down', 'hang', 'garbage', 'no-keys'] as const) {
    it(`endpoint ${mode}: the last good keys still verify, unknown kids are 401 (not forwarded, not 503)`, async () => {
      const pair = await generateTestKeyPair('EdDSA');
      const jwks = await startJwksServer([pair]);
      const gateway = await gatewayFor(jwks, `  jwks_cooldown: ${COOLDOWN_MS}ms\n  jwks_timeout: 300ms`);
      try {
        await expectForwarded(gateway, await keyPairToken(pair, 'alice'));
        jwks.setMode(mode);
        await cooldownOver();
        const fetchesBefore = jwks.requests;
        await expectRefused(gateway, await keyPairToken(await generateTestKeyPair('EdDSA'), 'alice'));
        expect(jwks.requests).toBe(fetchesBefore + 1);
        await expectForwarded(gateway, await keyPairToken(pair, 'alice'));
      } finally {
        await gateway.close();
        await jwks.close();
      }
    });
  }
});

describe('a refetch that hangs', () => {
  it('stalls only the unknown kid waiting for it, never a token whose key is known', async () => {
    const pair = await generateTestKeyPair('EdDSA');
    const jwks = await startJwksServer([pair]);
    const gateway = await gatewayFor(jwks, `  jwks_cooldown: ${COOLDOWN_MS}ms\n  jwks_timeout: 5s`);
    let jwksClosed = false;
    try {
      const known = await keyPairToken(pair, 'alice');
      await expectForwarded(gateway, known);
      jwks.setMode('hang');
      await cooldownOver();
      const fetchesBefore = jwks.requests;
      let unknownSettled = false;
      const unknown = get(gateway, await keyPairToken(await generateTestKeyPair('EdDSA'), 'alice')).finally(() => {
        unknownSettled = true;
      });
      await jwks.waitForRequests(fetchesBefore + 1); // the refetch is in flight, and hangs
      await expectForwarded(gateway, known);
      expect(unknownSettled).toBe(false);
      // The endpoint dies: the waiting request is refused, not forwarded.
      jwksClosed = true;
      await jwks.close();
      expectDenial(await unknown, 401, 'invalid_token');
    } finally {
      await gateway.close();
      if (!jwksClosed) await jwks.close();
    }
  });
});

describe('keys the issuer publishes that must never verify', () => {
  it('a symmetric (oct) key in the JWKS is never used as an HMAC secret', async () => {
    const pair = await generateTestKeyPair('EdDSA');
    const secret = 'a-secret-published-by-mistake-0123456789abcdef';
    const jwks = await startJwksServer([pair, { kty: 'oct', k: Buffer.from(secret).toString('base64url'), kid: 'oct-key', alg: 'HS256', use: 'sig' }]);
    const gateway = await gatewayFor(jwks);
    try {
      const now = epochSeconds();
      await expectRefused(gateway, await signToken({ iss: JWKS_ISSUER, aud: JWKS_ISSUER, sub: 'alice', iat: now, exp: now + 900 }, { alg: 'HS256', key: secret, kid: 'oct-key' }));
      await expectForwarded(gateway, await keyPairToken(pair, 'alice'));
    } finally {
      await gateway.close();
      await jwks.close();
    }
  });

  it('a key set with only encryption keys (use: enc) counts as no keys → 503', async () => {
    const pair = await generateTestKeyPair('EdDSA');
    const jwks = await startJwksServer([{ ...pair.publicJwk, use: 'enc' }]);
    const gateway = await gatewayFor(jwks);
    try {
      await expectRefused(gateway, await keyPairToken(pair, 'alice'), 503, 'keys_unavailable');
    } finally {
      await gateway.close();
      await jwks.close();
    }
  });
});

describe('a token for the other kind of issuer', () => {
  it('an HS256 token (with the JWKS issuer\'s iss) to a JWKS-only gateway → 401, no key fetch', async () => {
    const pair = await generateTestKeyPair('EdDSA');
    const jwks = await startJwksServer([pair]);
    const gateway = await gatewayFor(jwks, '', false);
    try {
      const fetchesBefore = jwks.requests;
      const now = epochSeconds();
      for (const key of [TEST_SECRET, JSON.stringify(pair.publicJwk), pair.publicJwk.x!]) {
        await expectRefused(gateway, await signToken({ iss: JWKS_ISSUER, aud: JWKS_ISSUER, sub: 'alice', iat: now, exp: now + 900 }, { alg: 'HS256', key, kid: pair.kid }));
      }
      expect(jwks.requests).toBe(fetchesBefore);
      await expectForwarded(gateway, await keyPairToken(pair, 'alice'));
    } finally {
      await gateway.close();
      await jwks.close();
    }
  });

  it('an EdDSA token (with the shared-secret issuer\'s iss) to a secret-only gateway → 401', async () => {
    await withGateway(hs256Config(upstream.url), async (gateway) => {
      const pair = await generateTestKeyPair('EdDSA');
      const now = epochSeconds();
      const claims = { iss: TEST_ISSUER, aud: TEST_ISSUER, sub: 'alice', iat: now, exp: now + 900 };
      await expectRefused(gateway, await signToken(claims, { alg: 'EdDSA', key: pair.privateKey, kid: pair.kid }));
      await expectRefused(gateway, await signToken(claims, { alg: 'EdDSA', key: pair.privateKey, kid: pair.kid, header: { jwk: pair.publicJwk } }));
      await expectForwarded(gateway, await hs256Token('alice'));
    });
  });
});
