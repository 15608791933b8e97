// docs/threats.md family 4 (keys) and docs/contract.md "Tokens": a JWKS server on a real socket
// that the tests switch between rotated, down, hanging and garbage; fetches are counted.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../../src/config/types.js';
import type { Authenticator } from '../../../src/pipeline/authn/index.js';
import { generateTestKeyPair, signToken, startJwksServer, testSecret, type JwksMode, type JwksServer, type TestKeyPair } from '../../support/tokens.js';
import { authConfig, authenticator, claims, Clock, closeAll, EventLog, jwksIssuer, secretIssuer } from './fixtures.js';

let server: JwksServer;
let keyA: TestKeyPair, keyB: TestKeyPair, keyC: TestKeyPair, rsa: TestKeyPair;

beforeAll(async () => {
  [keyA, keyB, keyC, rsa] = await Promise.all([
    generateTestKeyPair('EdDSA'),
    generateTestKeyPair('EdDSA'),
    generateTestKeyPair('EdDSA'),
    generateTestKeyPair('RS256'),
  ]);
  server = await startJwksServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.setKeys([keyA]);
  server.setMode('ok');
});
afterEach(closeAll);

const COOLDOWN = 5_000;

function setup(overrides: Partial<AuthConfig> = {}): { a: Authenticator; clock: Clock; events: EventLog; fetchesSince: () => number } {
  const clock = new Clock();
  const events = new EventLog();
  const a = authenticator(authConfig([jwksIssuer('ba', server.url, ['EdDSA'])], { jwksCooldownMs: COOLDOWN, ...overrides }), events, { now: clock.now });
  const start = server.requests;
  return { a, clock, events, fetchesSince: () => server.requests - start };
}

const tokenFor = (key: TestKeyPair, clock: Clock, extra: Record<string, unknown> = {}, kid: string | undefined = key.kid): Promise<string> =>
  signToken(claims(clock, extra), { alg: key.alg, key: key.privateKey, ...(kid === undefined ? {} : { kid }) });

describe('start and readiness', () => {
  it('fetches every JWKS issuer once at start, then is ready', async () => {
    const { a, events, fetchesSince } = setup();
    expect(a.ready()).toBe(false);
    await a.start();
    expect(a.ready()).toBe(true);
    expect(fetchesSince()).toBe(1);
    expect(events.fetches).toEqual([['ba', 'success']]);
    expect(events.changes).toEqual(['ba']);
  });

  it('fetches several issuers in parallel and is ready only when all have keys', async () => {
    const other = await startJwksServer([keyB]);
    try {
      other.setMode('error');
      const clock = new Clock();
      const events = new EventLog();
      const a = authenticator(authConfig([jwksIssuer('one', server.url, ['EdDSA']), jwksIssuer('two', other.url, ['EdDSA'])]), events, { now: clock.now });
      await a.start();
      expect(events.fetches.sort()).toEqual([['one', 'success'], ['two', 'error']]);
      expect(a.ready()).toBe(false);
      // Same iss for both: the token of issuer one verifies although issuer two has no keys.
      await expect(await a.verify(await tokenFor(keyA, clock))).toMatchObject({ ok: true, identity: { issuer: 'one' } });
    } finally {
      await other.close();
    }
  });

  it('is ready with only shared-secret issuers, and start() resolves at once', async () => {
    const a = authenticator(authConfig([secretIssuer('s', testSecret())]));
    expect(a.ready()).toBe(true);
    await a.start();
    expect(a.ready()).toBe(true);
  });

  it('fetches on demand when verify() comes before start()', async () => {
    const { a, clock, fetchesSince } = setup();
    await expect(await a.verify(await tokenFor(keyA, clock))).toMatchObject({ ok: true });
    expect(fetchesSince()).toBe(1);
  });
});

describe('rotation', () => {
  it('a new kid is fetched and verified in the same request', async () => {
    const { a, clock, events, fetchesSince } = setup();
    await a.start();
    server.setKeys([keyA, keyB]);
    clock.advance(COOLDOWN);
    await expect(await a.verify(await tokenFor(keyB, clock))).toMatchObject({ ok: true, cached: false });
    expect(fetchesSince()).toBe(2);
    expect(events.changes).toEqual(['ba', 'ba']);
    // The old key keeps working while it is still published.
    await expect(await a.verify(await tokenFor(keyA, clock))).toMatchObject({ ok: true });
    expect(fetchesSince()).toBe(2);
  });

  it('a removed kid stops working as soon as a fetch replaces the set, cached or not', async () => {
    const { a, clock, fetchesSince } = setup();
    await a.start();
    const oldToken = await tokenFor(keyA, clock);
    await expect(await a.verify(oldToken)).toMatchObject({ ok: true, cached: false });
    await expect(await a.verify(oldToken)).toMatchObject({ ok: true, cached: true });
    server.setKeys([keyB]);
    clock.advance(COOLDOWN);
    await expect(await a.verify(await tokenFor(keyB, clock))).toMatchObject({ ok: true });
    expect(fetchesSince()).toBe(2);
    await expect(await a.verify(oldToken)).toEqual({ ok: false, reason: 'invalid_token', detail: 'no matching key' });
    // The fetch that removed it said so: refused at once, without another fetch.
    expect(fetchesSince()).toBe(2);
  });

  it('an unknown kid within the cooldown waits for the fetch at its end, and verifies', async () => {
    const { a, clock, events, fetchesSince } = setup();
    await a.start();
    server.setKeys([keyA, keyB]);
    const tokenB = await tokenFor(keyB, clock);
    clock.advance(COOLDOWN - 50); // 50 ms of cooldown left
    const started = performance.now();
    const verifying = a.verify(tokenB);
    expect(fetchesSince()).toBe(1); // nothing fetched inside the cooldown…
    await expect(await verifying).toMatchObject({ ok: true, cached: false }); // …but the token waited for the next fetch
    expect(performance.now() - started).toBeGreaterThanOrEqual(40);
    expect(fetchesSince()).toBe(2);
    expect(events.kidWaits).toEqual([['ba', 'found']]);
  });

  it('a wall clock stepped backwards does not block refetching', async () => {
    const { a, clock, fetchesSince } = setup();
    await a.start();
    server.setKeys([keyA, keyB]);
    clock.advance(-3_600_000);
    await expect(await a.verify(await tokenFor(keyB, clock))).toMatchObject({ ok: true });
    expect(fetchesSince()).toBe(2);
  });

  it('a storm of 200 random kids causes at most one refetch', async () => {
    const { a, clock, fetchesSince } = setup();
    await a.start();
    clock.advance(COOLDOWN);
    const tokens = await Promise.all(
      Array.from({ length: 200 }, (_, i) => tokenFor(keyA, clock, {}, `random-${i}-${Math.random().toString(36).slice(2)}`)),
    );
    const results = await Promise.all(tokens.map((t) => a.verify(t)));
    expect(results.every((r) => !r.ok && r.reason === 'invalid_token')).toBe(true);
    expect(fetchesSince()).toBeLessThanOrEqual(2);
    // A second wave inside the cooldown fetches nothing more.
    const before = fetchesSince();
    clock.advance(COOLDOWN - 1);
    await Promise.all(tokens.slice(0, 50).map((t) => a.verify(t)));
    expect(fetchesSince()).toBe(before);
  });

  it('waiters share one in-flight fetch (single-flight)', async () => {
    const { a, clock, fetchesSince } = setup();
    server.setKeys([keyA, keyB, keyC]);
    // No start(): 30 concurrent requests for three kids all wait on the first fetch.
    const tokens = await Promise.all([keyA, keyB, keyC].flatMap((k) => Array.from({ length: 10 }, () => tokenFor(k, clock))));
    const results = await Promise.all(tokens.map((t) => a.verify(t)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fetchesSince()).toBe(1);
  });

  it('background refresh picks up a rotation without any request asking for it', async () => {
    const { a, clock, events, fetchesSince } = setup({ jwksCacheMs: 30 });
    await a.start();
    server.setKeys([keyB]);
    await events.nextFetch('success');
    expect(fetchesSince()).toBeGreaterThanOrEqual(2);
    // close() stops every further fetch: what verifies now was fetched by the timer alone.
    a.close();
    const before = fetchesSince();
    await expect(await a.verify(await tokenFor(keyB, clock))).toMatchObject({ ok: true });
    await expect(await a.verify(await tokenFor(keyA, clock))).toMatchObject({ ok: false, reason: 'invalid_token' });
    expect(fetchesSince()).toBe(before);
  });

  it('a token without kid verifies when exactly its key has its alg', async () => {
    const { a, clock } = setup();
    await a.start();
    await expect(await a.verify(await tokenFor(keyA, clock, {}, undefined))).toMatchObject({ ok: true });
  });
});

describe('the key endpoint failing: fail closed, never crash', () => {
  const failures: [JwksMode, 'error' | 'empty'][] = [
    ['down', 'error'],
    ['error', 'error'],
    ['hang', 'error'],
    ['garbage', 'error'],
    ['html', 'error'],
    ['huge', 'error'],
    ['redirect', 'error'],
    ['no-keys', 'empty'],
  ];

  it.each(failures)('%s at start → not ready, keys_unavailable', async (mode, result) => {
    // The redirect target serves good keys: following it would make the token verify.
    const elsewhere = await startJwksServer([keyA]);
    try {
      server.setMode(mode, elsewhere.url);
      const { a, clock, events } = setup({ jwksTimeoutMs: 300 });
      const started = Date.now();
      await a.start();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(events.fetches).toEqual([['ba', result]]);
      expect(a.ready()).toBe(false);
      await expect(await a.verify(await tokenFor(keyA, clock))).toEqual({ ok: false, reason: 'keys_unavailable', detail: 'signing keys unavailable' });
      expect(elsewhere.requests).toBe(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('recovers on demand once the endpoint is back (after the cooldown)', async () => {
    server.setMode('error');
    const { a, clock } = setup();
    await a.start();
    const token = await tokenFor(keyA, clock);
    server.setMode('ok');
    await expect(await a.verify(token)).toMatchObject({ reason: 'keys_unavailable' });
    clock.advance(COOLDOWN);
    await expect(await a.verify(token)).toMatchObject({ ok: true });
    expect(a.ready()).toBe(true);
  });

  it('retries a failed start in the background, sooner than jwks_cache', async () => {
    server.setMode('error');
    const { a, events } = setup({ jwksCooldownMs: 50, jwksCacheMs: 600_000 });
    await a.start();
    expect(a.ready()).toBe(false);
    server.setMode('ok');
    await events.nextFetch('success'); // ≈ 1 s (the retry floor), not 10 minutes
    expect(a.ready()).toBe(true);
  });

  it('keeps the last good keys through failures until jwks_cache + jwks_max_stale, then drops them', async () => {
    // max-stale shorter than the cache period: it counts from when the keys went stale.
    const { a, clock, events } = setup({ jwksCacheMs: 600_000, jwksMaxStaleMs: 60_000 });
    await a.start();
    server.setMode('error');
    clock.advance(600_001); // stale: the next use refreshes, the refresh fails, the keys stay
    const token = await tokenFor(keyA, clock);
    const refreshFailed = events.nextFetch('error');
    await expect(await a.verify(token)).toMatchObject({ ok: true });
    await refreshFailed;
    clock.advance(60_000 - 1); // exactly jwks_cache + jwks_max_stale after the fetch: still usable
    await expect(await a.verify(await tokenFor(keyA, clock))).toMatchObject({ ok: true });
    expect(a.ready()).toBe(true);
    clock.advance(1);
    await expect(await a.verify(await tokenFor(keyA, clock))).toMatchObject({ ok: false, reason: 'keys_unavailable' });
    expect(a.ready()).toBe(false);
    expect(events.changes).toEqual(['ba', 'ba']); // loaded, then dropped
  });

  it('an empty or unusable key set keeps the last good keys too', async () => {
    const { a, clock, events } = setup();
    await a.start();
    server.setKeys([rsa, { kty: 'oct', k: 'c2VjcmV0', alg: 'HS256' }, { ...keyB.publicJwk, use: 'enc' }]);
    clock.advance(COOLDOWN);
    await expect(await a.verify(await tokenFor(keyB, clock))).toMatchObject({ ok: false, reason: 'invalid_token' });
    expect(events.fetches).toEqual([['ba', 'success'], ['ba', 'empty']]);
    await expect(await a.verify(await tokenFor(keyA, clock))).toMatchObject({ ok: true });
  });

  it('a hanging endpoint times out (jwks_timeout) and releases every waiter', async () => {
    server.setMode('hang');
    const { a, clock, events } = setup({ jwksTimeoutMs: 200 });
    const token = await tokenFor(keyA, clock);
    const results = await Promise.all(Array.from({ length: 20 }, () => a.verify(token)));
    expect(results.every((r) => !r.ok && r.reason === 'keys_unavailable')).toBe(true);
    expect(events.fetches).toEqual([['ba', 'error']]);
  });

  it('an injected fetch that throws, rejects late or never settles is contained', async () => {
    const clock = new Clock();
    const events = new EventLog();
    let calls = 0;
    const fetchJwks = (): Promise<unknown> => {
      calls++;
      if (calls === 1) throw new Error('sync throw');
      if (calls === 2) return new Promise((_resolve, reject) => setTimeout(() => reject(new Error('late')), 300).unref());
      return new Promise(() => undefined); // ignores its signal forever
    };
    const a = authenticator(authConfig([jwksIssuer('ba', 'http://127.0.0.1:1/jwks', ['EdDSA'])], { jwksTimeoutMs: 100, jwksCooldownMs: 0 }), events, { now: clock.now, fetchJwks });
    const token = await tokenFor(keyA, clock);
    for (let i = 0; i < 3; i++) await expect(await a.verify(token)).toMatchObject({ reason: 'keys_unavailable' });
    expect(events.fetches).toEqual([['ba', 'error'], ['ba', 'error'], ['ba', 'error']]);
  });

  it('close() aborts a fetch in flight', async () => {
    server.setMode('hang');
    const { a, events } = setup({ jwksTimeoutMs: 15_000 });
    const started = Date.now();
    const starting = a.start();
    await server.waitForRequests(server.requests + 1);
    a.close();
    await starting;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(events.fetches).toEqual([['ba', 'error']]);
  });
});

describe('what counts as a usable key', () => {
  it('uses only the public part, skips keys of other types, uses and algorithms', async () => {
    const { a, clock, events } = setup();
    server.setKeys([
      { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', kid: 'hmac' },
      { ...keyB.publicJwk, use: 'enc' },
      { ...keyC.publicJwk, key_ops: ['encrypt'] },
      rsa, // RS256 key: this issuer allows EdDSA only
      { kty: 'OKP', crv: 'X25519', x: keyA.publicJwk.x, kid: 'x25519' },
      { kty: 'OKP', crv: 'Ed25519', x: 'not-a-key', kid: 'broken' },
      'not an object' as never,
      { ...keyA.publicJwk, alg: undefined, use: undefined, d: 'ignored-private-part' },
    ]);
    await a.start();
    expect(events.fetches).toEqual([['ba', 'success']]);
    await expect(await a.verify(await tokenFor(keyA, clock))).toMatchObject({ ok: true });
    for (const key of [keyB, keyC]) await expect(await a.verify(await tokenFor(key, clock))).toMatchObject({ ok: false, reason: 'invalid_token' });
  });

  it('a document without a keys array is a failed fetch', async () => {
    const clock = new Clock();
    const events = new EventLog();
    for (const doc of [null, [], { keys: 'x' }, { keys: {} }, 'keys', 42]) {
      const a = authenticator(authConfig([jwksIssuer('ba', 'http://127.0.0.1:1/', ['EdDSA'])]), events, { now: clock.now, fetchJwks: async () => doc });
      await a.start();
      expect(a.ready()).toBe(false);
    }
    expect(events.fetches.map(([, r]) => r)).toEqual(['error', 'error', 'error', 'error', 'error', 'error']);
  });
});

describe('several candidates', () => {
  it('keys_unavailable only when no candidate has keys; otherwise invalid_token', async () => {
    const down = await startJwksServer([keyB]);
    down.setMode('down');
    try {
      const clock = new Clock();
      const a = authenticator(authConfig([jwksIssuer('down', down.url, ['EdDSA']), jwksIssuer('up', server.url, ['EdDSA'])]), {}, { now: clock.now });
      await a.start();
      await expect(await a.verify(await tokenFor(keyA, clock))).toMatchObject({ ok: true, identity: { issuer: 'up' } });
      clock.advance(5_000); // past the cooldown: the unknown kid's refetch starts at once instead of at its end
      await expect(await a.verify(await tokenFor(keyB, clock))).toEqual({ ok: false, reason: 'invalid_token', detail: 'no matching key' });
      server.setMode('down');
      clock.advance(600_000 + 3_600_001); // jwks_cache + jwks_max_stale
      await expect(await a.verify(await tokenFor(keyA, clock))).toMatchObject({ ok: false, reason: 'keys_unavailable' });
    } finally {
      await down.close();
    }
  });
});
