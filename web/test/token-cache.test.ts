// The API client's token cache on its own: expiry parsing and when a token is (not) reused.
import { describe, expect, it, vi } from 'vitest';
import { TokenCache, tokenExpiry } from '../lib/token-cache.js';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwtWith = (payload: unknown) => `${part({ alg: 'EdDSA' })}.${part(payload)}.c2ln`;

describe('tokenExpiry', () => {
  it('reads a numeric exp, including from base64url with - and _', () => {
    expect(tokenExpiry(jwtWith({ exp: 1_800_000_000, name: '~~~>>>???' }))).toBe(1_800_000_000);
  });

  it.each([
    ['no payload', 'abc'],
    ['payload not JSON', 'a.!!!.c'],
    ['exp missing', jwtWith({ sub: 'u' })],
    ['exp a string', jwtWith({ exp: '1800000000' })],
    ['exp not finite', jwtWith({ exp: null })],
  ])('gives undefined when %s', (_label, token) => {
    expect(tokenExpiry(token)).toBeUndefined();
  });
});

describe('TokenCache', () => {
  it('reuses a token until margin seconds before exp, then fetches a new one', async () => {
    let now = 1_000_000_000_000;
    const source = vi.fn(async () => jwtWith({ exp: now / 1000 + 60 }));
    const cache = new TokenCache(source, 30, () => now);
    const first = await cache.get();
    now += 29_000;
    expect(await cache.get()).toBe(first);
    expect(source).toHaveBeenCalledTimes(1);
    now += 1_000; // exactly 30 s before exp: renew
    await cache.get();
    expect(source).toHaveBeenCalledTimes(2);
  });

  it('never caches a token whose exp cannot be read, nor a missing one', async () => {
    const source = vi.fn<() => Promise<string | null>>().mockResolvedValueOnce('opaque').mockResolvedValueOnce('opaque').mockResolvedValue(null);
    const cache = new TokenCache(source);
    expect(await cache.get()).toBe('opaque');
    expect(await cache.get()).toBe('opaque');
    expect(await cache.get()).toBeNull();
    expect(await cache.get()).toBeNull();
    expect(source).toHaveBeenCalledTimes(4);
  });

  it('shares one fetch between concurrent callers, and a failed fetch is not cached', async () => {
    let release!: (token: string) => void;
    const source = vi
      .fn<() => Promise<string | null>>()
      .mockImplementationOnce(() => new Promise((resolve) => (release = resolve)))
      .mockRejectedValueOnce(new Error('auth server down'))
      .mockResolvedValue(jwtWith({ exp: Date.now() / 1000 + 900 }));
    const cache = new TokenCache(source);
    const waiting = [cache.get(), cache.get(), cache.get()];
    release(jwtWith({ exp: 1 })); // already expired: handed out once, not kept
    const tokens = await Promise.all(waiting);
    expect(new Set(tokens).size).toBe(1);
    expect(source).toHaveBeenCalledTimes(1);

    await expect(cache.get()).rejects.toThrow('auth server down');
    const fresh = await cache.get();
    expect(await cache.get()).toBe(fresh);
    expect(source).toHaveBeenCalledTimes(3);
  });

  it('clear() forgets the token', async () => {
    const source = vi.fn(async () => jwtWith({ exp: Date.now() / 1000 + 900 }));
    const cache = new TokenCache(source);
    await cache.get();
    cache.clear();
    await cache.get();
    expect(source).toHaveBeenCalledTimes(2);
  });
});
