// docs/threats.md family 4 (keys) and docs/contract.md "Tokens": key sets at start and through
// rotations, against a JWKS server on a real socket (key-server.ts); fetches are counted.
import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../../src/config/types.js';
import { startJwksServer, testSecret } from '../../support/tokens.js';
import { authConfig, authenticator, Clock, EventLog, jwksIssuer, secretIssuer } from './fixtures.js';
import { COOLDOWN, keySetup, tokenFor, useKeyServer } from './key-server.js';

const k = useKeyServer();
const setup = (overrides: Partial<AuthConfig> = {}) => keySetup(k.server, overrides);
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
    const other = await startJwksServer([k.keyB]);
    try {
      other.setMode('error');
      const clock = new Clock();
      const events = new EventLog();
      const a = authenticator(authConfig([jwksIssuer('one', k.server.url, ['EdDSA']), jwksIssuer('two', other.url, ['EdDSA'])]), events, { now: clock.now });
      await a.start();
      expect(events.fetches.sort()).toEqual([['one', 'success'], ['two', 'error']]);
      expect(a.ready()).toBe(false);
      // Same iss for both: the token of issuer one verifies although issuer two has no keys.
      await expect(await a.verify(await tokenFor(k.keyA, clock))).toMatchObject({ ok: true, identity: { issuer: 'one' } });
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
    await expect(await a.verify(await tokenFor(k.keyA, clock))).toMatchObject({ ok: true });
    expect(fetchesSince()).toBe(1);
  });
});

describe('rotation', () => {
  it('a new kid is fetched and verified in the same request', async () => {
    const { a, clock, events, fetchesSince } = setup();
    await a.start();
    k.server.setKeys([k.keyA, k.keyB]);
    clock.advance(COOLDOWN);
    await expect(await a.verify(await tokenFor(k.keyB, clock))).toMatchObject({ ok: true, cached: false });
    expect(fetchesSince()).toBe(2);
    expect(events.changes).toEqual(['ba', 'ba']);
    // The old key keeps working while it is still published.
    await expect(await a.verify(await tokenFor(k.keyA, clock))).toMatchObject({ ok: true });
    expect(fetchesSince()).toBe(2);
  });

  it('a removed kid stops working as soon as a fetch replaces the set, cached or not', async () => {
    const { a, clock, fetchesSince } = setup();
    await a.start();
    const oldToken = await tokenFor(k.keyA, clock);
    await expect(await a.verify(oldToken)).toMatchObject({ ok: true, cached: false });
    await expect(await a.verify(oldToken)).toMatchObject({ ok: true, cached: true });
    k.server.setKeys([k.keyB]);
    clock.advance(COOLDOWN);
    await expect(await a.verify(await tokenFor(k.keyB, clock))).toMatchObject({ ok: true });
    expect(fetchesSince()).toBe(2);
    await expect(await a.verify(oldToken)).toEqual({ ok: false, reason: 'invalid_token', detail: 'no matching key' });
    // The fetch that removed it said so: refused at once, without another fetch.
    expect(fetchesSince()).toBe(2);
  });

  it('an unknown kid within the cooldown waits for the fetch at its end, and verifies', async () => {
    const { a, clock, events, fetchesSince } = setup();
    await a.start();
    k.server.setKeys([k.keyA, k.keyB]);
    const tokenB = await tokenFor(k.keyB, clock);
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
    k.server.setKeys([k.keyA, k.keyB]);
    clock.advance(-3_600_000);
    await expect(await a.verify(await tokenFor(k.keyB, clock))).toMatchObject({ ok: true });
    expect(fetchesSince()).toBe(2);
  });

  it('a storm of 200 random kids causes at most one refetch', async () => {
    const { a, clock, fetchesSince } = setup();
    await a.start();
    clock.advance(COOLDOWN);
    const tokens = await Promise.all(
      Array.from({ length: 200 }, (_, i) => tokenFor(k.keyA, clock, {}, `random-${i}-${Math.random().toString(36).slice(2)}`)),
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
    k.server.setKeys([k.keyA, k.keyB, k.keyC]);
    // No start(): 30 concurrent requests for three kids all wait on the first fetch.
    const tokens = await Promise.all([k.keyA, k.keyB, k.keyC].flatMap((k) => Array.from({ length: 10 }, () => tokenFor(k, clock))));
    const results = await Promise.all(tokens.map((t) => a.verify(t)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fetchesSince()).toBe(1);
  });

  it('background refresh picks up a rotation without any request asking for it', async () => {
    const { a, clock, events, fetchesSince } = setup({ jwksCacheMs: 30 });
    await a.start();
    k.server.setKeys([k.keyB]);
    await events.nextFetch('success');
    expect(fetchesSince()).toBeGreaterThanOrEqual(2);
    // close() stops every further fetch: what verifies now was fetched by the timer alone.
    a.close();
    const before = fetchesSince();
    await expect(await a.verify(await tokenFor(k.keyB, clock))).toMatchObject({ ok: true });
    await expect(await a.verify(await tokenFor(k.keyA, clock))).toMatchObject({ ok: false, reason: 'invalid_token' });
    expect(fetchesSince()).toBe(before);
  });

  it('a token without kid verifies when exactly its key has its alg', async () => {
    const { a, clock } = setup();
    await a.start();
    await expect(await a.verify(await tokenFor(k.keyA, clock, {}, undefined))).toMatchObject({ ok: true });
  });
});
