// The verified-token cache (docs/contract.md): bounded, never past exp, dropped on key changes,
// successes only.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../../src/config/types.js';
import { MAX_ENTRY_LIFE_MS, TokenCache } from '../../../src/pipeline/authn/token-cache.js';
import { entryBytes } from '../../../src/pipeline/authn/entry-size.js';
import { generateTestKeyPair, signToken, startJwksServer, testSecret, type JwksServer, type TestKeyPair } from '../../support/tokens.js';
import { authConfig, authenticator, claims, Clock, closeAll, jwksIssuer, secretIssuer } from './fixtures.js';

const secret = testSecret();
let server: JwksServer;
let keyA: TestKeyPair, keyB: TestKeyPair;

beforeAll(async () => {
  [keyA, keyB] = await Promise.all([generateTestKeyPair('EdDSA'), generateTestKeyPair('EdDSA')]);
  server = await startJwksServer([keyA]);
});
afterAll(() => server.close());
afterEach(closeAll);

function secretSetup(overrides: Partial<AuthConfig> = {}) {
  const clock = new Clock();
  const a = authenticator(authConfig([secretIssuer('shared', secret)], { clockToleranceMs: 0, ...overrides }), {}, { now: clock.now });
  const sign = (extra: Record<string, unknown> = {}) => signToken(claims(clock, extra), { alg: 'HS256', key: secret });
  return { a, clock, sign };
}

describe('hits', () => {
  it('a second verify of the same token is served from the cache with the same identity', async () => {
    const { a, sign } = secretSetup();
    const token = await sign();
    const first = await a.verify(token);
    const second = await a.verify(token);
    expect(first).toMatchObject({ ok: true, cached: false });
    expect(second).toMatchObject({ ok: true, cached: true });
    if (first.ok && second.ok) expect(second.identity).toBe(first.identity);
  });

  it('a different token (even one byte) is not a hit', async () => {
    const { a, sign } = secretSetup();
    const token = await sign();
    await a.verify(token);
    await expect(await a.verify(`${token}A`)).toMatchObject({ ok: false, reason: 'invalid_token' });
  });

  it('tokenCacheBytes bounds it in estimated bytes as well as entries', async () => {
    const { a, sign } = secretSetup({ tokenCacheBytes: 8 * 1024 });
    const [t1, t2] = await Promise.all([sign({ pad: 'x'.repeat(1500) }), sign({ pad: 'y'.repeat(1500) })]);
    expect(entryBytes(t1) + entryBytes(t2)).toBeGreaterThan(8 * 1024);
    await a.verify(t1);
    await expect(await a.verify(t1)).toMatchObject({ ok: true, cached: true });
    await a.verify(t2); // evicts t1, the least recently used
    await expect(await a.verify(t2)).toMatchObject({ ok: true, cached: true });
    await expect(await a.verify(t1)).toMatchObject({ ok: true, cached: false });
  });

  it('tokenCacheSize 0 disables it', async () => {
    const { a, sign } = secretSetup({ tokenCacheSize: 0 });
    const token = await sign();
    for (let i = 0; i < 3; i++) await expect(await a.verify(token)).toMatchObject({ ok: true, cached: false });
  });
});

describe('lifetime', () => {
  it('never serves a token at or past its exp', async () => {
    const { a, clock, sign } = secretSetup();
    const token = await sign({ exp: clock.seconds + 60 });
    await a.verify(token);
    clock.advance(59_999);
    await expect(await a.verify(token)).toMatchObject({ ok: true, cached: true });
    clock.advance(1);
    await expect(await a.verify(token)).toEqual({ ok: false, reason: 'token_expired', detail: 'token expired' });
  });

  it('never serves past exp even when the clock tolerance would still accept the token', async () => {
    const { a, clock, sign } = secretSetup({ clockToleranceMs: 30_000 });
    const token = await sign({ exp: clock.seconds + 60 });
    await a.verify(token);
    clock.advance(61_000);
    await expect(await a.verify(token)).toMatchObject({ ok: true, cached: false });
  });

  it(`re-verifies after ${MAX_ENTRY_LIFE_MS / 60_000} minutes even for a long-lived token`, async () => {
    const { a, clock, sign } = secretSetup();
    const token = await sign({ exp: clock.seconds + 3600 });
    await a.verify(token);
    clock.advance(MAX_ENTRY_LIFE_MS - 1);
    await expect(await a.verify(token)).toMatchObject({ ok: true, cached: true });
    clock.advance(1);
    await expect(await a.verify(token)).toMatchObject({ ok: true, cached: false });
    await expect(await a.verify(token)).toMatchObject({ ok: true, cached: true });
  });
});

describe('bounds', () => {
  it('holds at most tokenCacheSize entries and evicts the least recently used', async () => {
    const { a, sign } = secretSetup({ tokenCacheSize: 2 });
    const [t1, t2, t3] = await Promise.all([sign({ sub: 'u1' }), sign({ sub: 'u2' }), sign({ sub: 'u3' })]) as [string, string, string];
    await a.verify(t1);
    await a.verify(t2);
    await expect(await a.verify(t1)).toMatchObject({ cached: true }); // t1 now most recent
    await a.verify(t3); // evicts t2
    await expect(await a.verify(t1)).toMatchObject({ cached: true });
    await expect(await a.verify(t3)).toMatchObject({ cached: true });
    await expect(await a.verify(t2)).toMatchObject({ ok: true, cached: false });
  });

  it('a flood of distinct valid tokens stays bounded and keeps working', async () => {
    const { a, sign } = secretSetup({ tokenCacheSize: 50 });
    const tokens = await Promise.all(Array.from({ length: 300 }, (_, i) => sign({ sub: `user-${i}` })));
    for (const t of tokens) await a.verify(t);
    const last = await Promise.all(tokens.slice(-50).map((t) => a.verify(t)));
    expect(last.every((r) => r.ok && r.cached)).toBe(true);
    await expect(await a.verify(tokens[0]!)).toMatchObject({ ok: true, cached: false });
  });
});

describe('refusals are not cached', () => {
  it('a token refused for an unknown kid verifies once the key is published', async () => {
    const clock = new Clock();
    const a = authenticator(authConfig([jwksIssuer('ba', server.url, ['EdDSA'])], { jwksCooldownMs: 1000 }), {}, { now: clock.now });
    await a.start();
    const token = await signToken(claims(clock), { alg: 'EdDSA', key: keyB.privateKey, kid: keyB.kid });
    await expect(await a.verify(token)).toMatchObject({ ok: false, reason: 'invalid_token' });
    server.setKeys([keyA, keyB]);
    clock.advance(1000);
    try {
      await expect(await a.verify(token)).toMatchObject({ ok: true, cached: false });
    } finally {
      server.setKeys([keyA]);
    }
  });
});

describe('key changes drop the cache', () => {
  it('a rotation clears every cached entry, for every issuer', async () => {
    const clock = new Clock();
    const a = authenticator(authConfig([jwksIssuer('ba', server.url, ['EdDSA']), secretIssuer('shared', secret)], { jwksCooldownMs: 1000 }), {}, { now: clock.now });
    await a.start();
    const hs = await signToken(claims(clock), { alg: 'HS256', key: secret });
    const ed = await signToken(claims(clock), { alg: 'EdDSA', key: keyA.privateKey, kid: keyA.kid });
    await a.verify(hs);
    await a.verify(ed);
    await expect(await a.verify(hs)).toMatchObject({ cached: true });
    await expect(await a.verify(ed)).toMatchObject({ cached: true });
    server.setKeys([keyA, keyB]);
    clock.advance(1000);
    try {
      const rotated = await signToken(claims(clock), { alg: 'EdDSA', key: keyB.privateKey, kid: keyB.kid });
      await expect(await a.verify(rotated)).toMatchObject({ ok: true });
      // Still valid (keyA is still published) but verified afresh: the cache was dropped.
      await expect(await a.verify(hs)).toMatchObject({ ok: true, cached: false });
      await expect(await a.verify(ed)).toMatchObject({ ok: true, cached: false });
    } finally {
      server.setKeys([keyA]);
    }
  });

  it('keys dropped after jwks_max_stale take their cached tokens with them', async () => {
    const clock = new Clock();
    const a = authenticator(authConfig([jwksIssuer('ba', server.url, ['EdDSA'])], { jwksMaxStaleMs: 60_000, jwksCacheMs: 600_000 }), {}, { now: clock.now });
    await a.start();
    const token = await signToken(claims(clock), { alg: 'EdDSA', key: keyA.privateKey, kid: keyA.kid });
    await a.verify(token);
    await expect(await a.verify(token)).toMatchObject({ cached: true });
    server.setMode('error');
    try {
      clock.advance(600_000 + 60_001); // jwks_cache + jwks_max_stale
      await expect(await a.verify(token)).toMatchObject({ ok: false, reason: 'keys_unavailable' });
    } finally {
      server.setMode('ok');
    }
  });
});

describe('TokenCache byte accounting', () => {
  const identity = { subject: 's', claims: {}, issuer: 'i', expiresAtMs: Number.MAX_SAFE_INTEGER };
  it('counts every entry once, and forgets what it evicts, expires or clears', () => {
    const cache = new TokenCache(10, 13_000);
    const now = 0;
    cache.set('a'.repeat(1000), identity, now, () => true);
    cache.set('a'.repeat(1000), identity, now, () => true); // the same token again: counted once
    expect(cache.bytes).toBe(entryBytes('a'.repeat(1000)));
    cache.set('b'.repeat(2000), identity, now, () => true);
    expect(cache.size).toBe(2);
    cache.set('c'.repeat(2000), identity, now, () => true); // over 13,000 estimated bytes: a, the oldest, goes
    expect(cache.size).toBe(2);
    expect(cache.get('a'.repeat(1000), now)).toBeUndefined();
    expect(cache.bytes).toBe(entryBytes('b'.repeat(2000)) + entryBytes('c'.repeat(2000)));
    expect(cache.get('b'.repeat(2000), MAX_ENTRY_LIFE_MS)).toBeUndefined(); // expired on read
    expect(cache.bytes).toBe(entryBytes('c'.repeat(2000)));
    cache.clear();
    expect(cache.bytes).toBe(0);
  });
});
