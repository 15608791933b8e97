// docs/threats.md family 4 (keys): a token whose kid is unknown waits for the next permitted
// fetch, a bounded number at a time, and a kid a fetch just showed absent is refused at once.
// Keys come from a JWKS server on 127.0.0.1, or from an injected fetch the test settles by hand.

import { describe, expect, it } from 'vitest';
import { MAX_KEY_WAITERS } from '../../../src/pipeline/authn/key-set.js';
import { generateTestKeyPair, signToken, type TestKeyPair } from '../../support/tokens.js';
import { authConfig, authenticator, claims, Clock, EventLog, jwksIssuer } from './fixtures.js';
import { COOLDOWN, keySetup, tokenFor as signedBy, useKeyServer } from './key-server.js';

const keys = useKeyServer();
const NO_KEY = { ok: false, reason: 'invalid_token', detail: 'no matching key' };

const setup = (overrides?: Parameters<typeof keySetup>[1]) => keySetup(keys.server, overrides);
const tokenFor = (key: TestKeyPair, clock: Clock, kid = key.kid): Promise<string> => signedBy(key, clock, {}, kid);

/** A fetch the test answers by hand: each call waits for the next `answer`. */
function manualFetch() {
  const pending: ((document: unknown) => void)[] = [];
  let calls = 0;
  return {
    fetchJwks: (): Promise<unknown> => {
      calls++;
      return new Promise((resolve) => pending.push(resolve));
    },
    get calls() {
      return calls;
    },
    answer(keys: readonly TestKeyPair[]): void {
      pending.shift()!({ keys: keys.map((k) => k.publicJwk) });
    },
  };
}

describe('a kid a fetch showed absent', () => {
  it('is refused at once until the next fetch may start; then it waits for (and causes) one fetch', async () => {
    const { a, clock, events, fetchesSince } = setup();
    await a.start();
    clock.advance(COOLDOWN);
    const stranger = await tokenFor(keys.keyB, clock, 'never-published');
    await expect(a.verify(stranger)).resolves.toEqual(NO_KEY);
    expect(fetchesSince()).toBe(2);
    for (let i = 0; i < 20; i++) await expect(a.verify(stranger)).resolves.toEqual(NO_KEY);
    expect(fetchesSince()).toBe(2);
    clock.advance(COOLDOWN);
    await expect(a.verify(stranger)).resolves.toEqual(NO_KEY);
    expect(fetchesSince()).toBe(3);
    expect(events.kidWaits.map(([, o]) => o)).toEqual(['not_found', ...Array(20).fill('recently_absent'), 'not_found']);
  });

  it('is refused at once by the fetch that removed it: tokens of a withdrawn key cost no fetch', async () => {
    const { a, clock, events, fetchesSince } = setup();
    await a.start();
    const oldToken = await tokenFor(keys.keyA, clock);
    keys.server.setKeys([keys.keyB]);
    clock.advance(COOLDOWN);
    await expect(a.verify(await tokenFor(keys.keyB, clock))).resolves.toMatchObject({ ok: true });
    for (let i = 0; i < 20; i++) await expect(a.verify(oldToken)).resolves.toEqual(NO_KEY);
    expect(fetchesSince()).toBe(2);
    expect(events.kidWaits.map(([, o]) => o)).toEqual(['found', ...Array(20).fill('recently_absent')]);
  });

  it('is not held against a kid that joined a fetch already under way (it may have been published since)', async () => {
    const manual = manualFetch();
    const clock = new Clock();
    const events = new EventLog();
    const a = authenticator(authConfig([jwksIssuer('ba', 'http://127.0.0.1:1/jwks', ['EdDSA'])], { jwksCooldownMs: COOLDOWN }), events, { now: clock.now, fetchJwks: manual.fetchJwks });
    const starting = a.start();
    manual.answer([keys.keyA]);
    await starting;
    clock.advance(COOLDOWN);
    const asked = a.verify(await tokenFor(keys.keyB, clock, 'asked-first')); // starts the fetch
    clock.advance(1);
    const joined = a.verify(await tokenFor(keys.keyB, clock, 'joined-later')); // joins it
    manual.answer([keys.keyA]);
    await expect(Promise.all([asked, joined])).resolves.toEqual([NO_KEY, NO_KEY]);
    expect(manual.calls).toBe(2);
    // Asked again inside the cooldown: the first kid is answered at once, the second waits again.
    await expect(a.verify(await tokenFor(keys.keyB, clock, 'asked-first'))).resolves.toEqual(NO_KEY);
    const again = a.verify(await tokenFor(keys.keyB, clock, 'joined-later'));
    expect(events.kidWaits.map(([, o]) => o)).toEqual(['not_found', 'not_found', 'recently_absent']);
    a.close(); // releases the waiting request instead of waiting out the cooldown
    await expect(again).resolves.toEqual(NO_KEY);
  });

  it('does not outlast a wall clock stepped backwards', async () => {
    const { a, clock, fetchesSince } = setup();
    await a.start();
    clock.advance(COOLDOWN);
    const stranger = await tokenFor(keys.keyB, clock);
    await expect(a.verify(stranger)).resolves.toEqual(NO_KEY);
    keys.server.setKeys([keys.keyA, keys.keyB]);
    clock.advance(-3_600_000);
    await expect(a.verify(await tokenFor(keys.keyB, clock))).resolves.toMatchObject({ ok: true }); // the same kid, signed at the new time
    expect(fetchesSince()).toBe(3);
  });

  it('a kid the set lists, under another alg or as a key that cannot verify, is refused at once, without a fetch or a wait', async () => {
    keys.server.setKeys([keys.keyA, { ...keys.keyB.publicJwk, use: 'enc' }]);
    const clock = new Clock();
    const events = new EventLog();
    const a = authenticator(authConfig([jwksIssuer('ba', keys.server.url, ['EdDSA', 'ES256'])], { jwksCooldownMs: COOLDOWN }), events, { now: clock.now });
    await a.start();
    const before = keys.server.requests;
    const es = await generateTestKeyPair('ES256');
    const wrongAlg = await signToken(claims(clock), { alg: 'ES256', key: es.privateKey, kid: keys.keyA.kid });
    const started = performance.now();
    await expect(a.verify(wrongAlg)).resolves.toEqual(NO_KEY);
    await expect(a.verify(await tokenFor(keys.keyB, clock))).resolves.toEqual(NO_KEY);
    expect(performance.now() - started).toBeLessThan(1_000); // not the 5 s cooldown
    expect(keys.server.requests).toBe(before);
    expect(events.kidWaits).toEqual([]);
  });
});

describe('waiting for the next fetch', () => {
  it(`at most ${MAX_KEY_WAITERS} requests wait; the next is refused at once (fail closed), and every waiter is released by the fetch`, async () => {
    const manual = manualFetch();
    const clock = new Clock();
    const events = new EventLog();
    const a = authenticator(authConfig([jwksIssuer('ba', 'http://127.0.0.1:1/jwks', ['EdDSA'])], { jwksCooldownMs: COOLDOWN, tokenCacheSize: 0 }), events, { now: clock.now, fetchJwks: manual.fetchJwks });
    const starting = a.start();
    manual.answer([keys.keyA]);
    await starting;
    clock.advance(COOLDOWN);
    const token = await tokenFor(keys.keyB, clock);
    const waiting = Array.from({ length: MAX_KEY_WAITERS }, () => a.verify(token));
    await expect(a.verify(token)).resolves.toEqual(NO_KEY); // one too many: answered before the fetch settles
    expect(events.kidWaits).toEqual([['ba', 'overflow']]);
    expect(manual.calls).toBe(2);
    manual.answer([keys.keyA, keys.keyB]);
    const results = await Promise.all(waiting);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(events.kidWaits.filter(([, o]) => o === 'found')).toHaveLength(MAX_KEY_WAITERS);
    expect(manual.calls).toBe(2);
  });

  it('never longer than the rest of the cooldown plus jwks_timeout, even when the endpoint hangs', async () => {
    const { a, clock, events } = setup({ jwksTimeoutMs: 200 });
    await a.start();
    keys.server.setMode('hang');
    clock.advance(COOLDOWN - 100); // 100 ms of cooldown left, then a fetch that times out after 200 ms
    const started = performance.now();
    await expect(a.verify(await tokenFor(keys.keyB, clock))).resolves.toEqual(NO_KEY);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(100 + 200 + 250);
    expect(events.fetches.map(([, r]) => r)).toEqual(['success', 'error']);
    // The hanging fetch failed: that showed nothing absent, so the kid is not refused at once.
    expect(events.kidWaits).toEqual([['ba', 'not_found']]);
  });
});
