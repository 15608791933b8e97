// docs/threats.md family 4 (keys): a key endpoint that fails (down, hanging, garbage, redirecting),
// what counts as a usable key, and several candidate issuers; a real socket (key-server.ts).
import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../../src/config/types.js';
import { startJwksServer, type JwksMode } from '../../support/tokens.js';
import { authConfig, authenticator, Clock, EventLog, jwksIssuer } from './fixtures.js';
import { COOLDOWN, keySetup, tokenFor, useKeyServer } from './key-server.js';

const k = useKeyServer();
const setup = (overrides: Partial<AuthConfig> = {}) => keySetup(k.server, overrides);
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
    const elsewhere = await startJwksServer([k.keyA]);
    try {
      k.server.setMode(mode, elsewhere.url);
      const { a, clock, events } = setup({ jwksTimeoutMs: 300 });
      const started = Date.now();
      await a.start();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(events.fetches).toEqual([['ba', result]]);
      expect(a.ready()).toBe(false);
      await expect(await a.verify(await tokenFor(k.keyA, clock))).toEqual({ ok: false, reason: 'keys_unavailable', detail: 'signing keys unavailable' });
      expect(elsewhere.requests).toBe(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('recovers on demand once the endpoint is back (after the cooldown)', async () => {
    k.server.setMode('error');
    const { a, clock } = setup();
    await a.start();
    const token = await tokenFor(k.keyA, clock);
    k.server.setMode('ok');
    await expect(await a.verify(token)).toMatchObject({ reason: 'keys_unavailable' });
    clock.advance(COOLDOWN);
    await expect(await a.verify(token)).toMatchObject({ ok: true });
    expect(a.ready()).toBe(true);
  });

  it('retries a failed start in the background, sooner than jwks_cache', async () => {
    k.server.setMode('error');
    const { a, events } = setup({ jwksCooldownMs: 50, jwksCacheMs: 600_000 });
    await a.start();
    expect(a.ready()).toBe(false);
    k.server.setMode('ok');
    await events.nextFetch('success'); // ≈ 1 s (the retry floor), not 10 minutes
    expect(a.ready()).toBe(true);
  });

  it('keeps the last good keys through failures until jwks_cache + jwks_max_stale, then drops them', async () => {
    // max-stale shorter than the cache period: it counts from when the keys went stale.
    const { a, clock, events } = setup({ jwksCacheMs: 600_000, jwksMaxStaleMs: 60_000 });
    await a.start();
    k.server.setMode('error');
    clock.advance(600_001); // stale: the next use refreshes, the refresh fails, the keys stay
    const token = await tokenFor(k.keyA, clock);
    const refreshFailed = events.nextFetch('error');
    await expect(await a.verify(token)).toMatchObject({ ok: true });
    await refreshFailed;
    clock.advance(60_000 - 1); // exactly jwks_cache + jwks_max_stale after the fetch: still usable
    await expect(await a.verify(await tokenFor(k.keyA, clock))).toMatchObject({ ok: true });
    expect(a.ready()).toBe(true);
    clock.advance(1);
    await expect(await a.verify(await tokenFor(k.keyA, clock))).toMatchObject({ ok: false, reason: 'keys_unavailable' });
    expect(a.ready()).toBe(false);
    expect(events.changes).toEqual(['ba', 'ba']); // loaded, then dropped
  });

  it('an empty or unusable key set keeps the last good keys too', async () => {
    const { a, clock, events } = setup();
    await a.start();
    k.server.setKeys([k.rsa, { kty: 'oct', k: 'c2VjcmV0', alg: 'HS256' }, { ...k.keyB.publicJwk, use: 'enc' }]);
    clock.advance(COOLDOWN);
    await expect(await a.verify(await tokenFor(k.keyB, clock))).toMatchObject({ ok: false, reason: 'invalid_token' });
    expect(events.fetches).toEqual([['ba', 'success'], ['ba', 'empty']]);
    await expect(await a.verify(await tokenFor(k.keyA, clock))).toMatchObject({ ok: true });
  });

  it('a hanging endpoint times out (jwks_timeout) and releases every waiter', async () => {
    k.server.setMode('hang');
    const { a, clock, events } = setup({ jwksTimeoutMs: 200 });
    const token = await tokenFor(k.keyA, clock);
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
    const token = await tokenFor(k.keyA, clock);
    for (let i = 0; i < 3; i++) await expect(await a.verify(token)).toMatchObject({ reason: 'keys_unavailable' });
    expect(events.fetches).toEqual([['ba', 'error'], ['ba', 'error'], ['ba', 'error']]);
  });

  it('close() aborts a fetch in flight', async () => {
    k.server.setMode('hang');
    const { a, events } = setup({ jwksTimeoutMs: 15_000 });
    const started = Date.now();
    const starting = a.start();
    await k.server.waitForRequests(k.server.requests + 1);
    a.close();
    await starting;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(events.fetches).toEqual([['ba', 'error']]);
  });
});

describe('what counts as a usable key', () => {
  it('uses only the public part, skips keys of other types, uses and algorithms', async () => {
    const { a, clock, events } = setup();
    k.server.setKeys([
      { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', kid: 'hmac' },
      { ...k.keyB.publicJwk, use: 'enc' },
      { ...k.keyC.publicJwk, key_ops: ['encrypt'] },
      k.rsa, // RS256 key: this issuer allows EdDSA only
      { kty: 'OKP', crv: 'X25519', x: k.keyA.publicJwk.x, kid: 'x25519' },
      { kty: 'OKP', crv: 'Ed25519', x: 'not-a-key', kid: 'broken' },
      'not an object' as never,
      { ...k.keyA.publicJwk, alg: undefined, use: undefined, d: 'ignored-private-part' },
    ]);
    await a.start();
    expect(events.fetches).toEqual([['ba', 'success']]);
    await expect(await a.verify(await tokenFor(k.keyA, clock))).toMatchObject({ ok: true });
    for (const key of [k.keyB, k.keyC]) await expect(await a.verify(await tokenFor(key, clock))).toMatchObject({ ok: false, reason: 'invalid_token' });
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
    const down = await startJwksServer([k.keyB]);
    down.setMode('down');
    try {
      const clock = new Clock();
      const a = authenticator(authConfig([jwksIssuer('down', down.url, ['EdDSA']), jwksIssuer('up', k.server.url, ['EdDSA'])]), {}, { now: clock.now });
      await a.start();
      await expect(await a.verify(await tokenFor(k.keyA, clock))).toMatchObject({ ok: true, identity: { issuer: 'up' } });
      clock.advance(5_000); // past the cooldown: the unknown kid's refetch starts at once instead of at its end
      await expect(await a.verify(await tokenFor(k.keyB, clock))).toEqual({ ok: false, reason: 'invalid_token', detail: 'no matching key' });
      k.server.setMode('down');
      clock.advance(600_000 + 3_600_001); // jwks_cache + jwks_max_stale
      await expect(await a.verify(await tokenFor(k.keyA, clock))).toMatchObject({ ok: false, reason: 'keys_unavailable' });
    } finally {
      await down.close();
    }
  });
});
