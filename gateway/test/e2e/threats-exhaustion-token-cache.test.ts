// docs/threats.md family 8 (exhaustion): auth.token_cache_bytes over real sockets: large tokens (near the 16 KiB limit, which an
// issuer with many roles or groups produces) are bounded by their estimated bytes, not only by
// the entry count, so a flood of them cannot grow the cache to hundreds of MB. Observed through
// the admin port's gateway_token_cache_total{result="hit"|"miss"}.
import { describe, expect, it } from 'vitest';
import { entryBytes } from '../../src/pipeline/authn/entry-size.js';
import { hs256Config, type TestGateway } from '../support/gateway.js';
import { eventually } from '../support/eventually.js';
import { hs256Token } from '../support/hs256.js';
import { sampleValue, scrape } from '../support/metrics.js';
import { useUpstream, withGateway } from '../support/suite.js';
import { call } from '../support/threat-kit.js';

const upstream = useUpstream();

/** hs256Config with one more `auth:` key. */
function withCacheBytes(bytes: string): string {
  return hs256Config(upstream.url).replace('auth:\n', `auth:\n  token_cache_bytes: ${bytes}\n`);
}

/** A valid token of about `chars` characters: padding in a claim, as real issuers pad with roles. */
let tokenCount = 0;

async function largeToken(subject: string, chars: number): Promise<string> {
  const jti = `t${++tokenCount}`; // each token distinct, even when signed in the same second
  const small = await hs256Token(subject, { jti, roles: '' });
  // base64url: 4 characters for every 3 bytes of the payload.
  return hs256Token(subject, { jti, roles: 'r'.repeat(Math.floor(((chars - small.length) * 3) / 4)) });
}

/**
 * The cache counters once `requests` token checks are counted: outcomes are observed just after
 * the answer the client already holds, so wait for the count, then compare the split.
 */
async function cacheCounts(gw: TestGateway, requests: number): Promise<{ hit: number; miss: number }> {
  return eventually(
    async () => {
      const samples = await scrape(gw.adminUrl);
      return { hit: sampleValue(samples, 'gateway_token_cache_total', { result: 'hit' }), miss: sampleValue(samples, 'gateway_token_cache_total', { result: 'miss' }) };
    },
    (counts) => counts.hit + counts.miss >= requests,
  );
}

async function get(gw: TestGateway, token: string): Promise<void> {
  const reply = await call(gw.url, { path: '/api/alice/tasks', headers: { authorization: `Bearer ${token}` } });
  expect(reply.status, reply.text).toBe(200);
}

describe('the byte bound', () => {
  it('holds one 12 KB token in 48kb, evicting the least recently used when a second arrives', async () => {
    const [a, b] = await Promise.all([largeToken('alice', 12_000), largeToken('alice', 12_000)]);
    expect(entryBytes(a)).toBeLessThan(48 * 1024);
    expect(entryBytes(a) + entryBytes(b)).toBeGreaterThan(48 * 1024);
    await withGateway(withCacheBytes('48kb'), async (gw) => {
      await get(gw, a);
      await get(gw, a); // hit
      await get(gw, b); // miss: evicts a
      await get(gw, a); // miss: evicts b
      await get(gw, b); // miss
      expect(await cacheCounts(gw, 5)).toEqual({ hit: 1, miss: 4 });
    });
  });

  it('with room for both (the default 16mb), the same sequence is all hits after the first two', async () => {
    const [a, b] = await Promise.all([largeToken('alice', 12_000), largeToken('alice', 12_000)]);
    await withGateway(hs256Config(upstream.url), async (gw) => {
      for (const token of [a, a, b, a, b]) await get(gw, token);
      expect(await cacheCounts(gw, 5)).toEqual({ hit: 3, miss: 2 });
    });
  });

  it('a token whose entry alone exceeds the bound is never cached; small tokens still are', async () => {
    const big = await largeToken('alice', 12_000);
    const small = await hs256Token('alice');
    await withGateway(withCacheBytes('16kb'), async (gw) => {
      for (const token of [big, big, small, small]) await get(gw, token);
      expect(await cacheCounts(gw, 4)).toEqual({ hit: 1, miss: 3 });
    });
  });

  it('token_cache_bytes: 0 turns the cache off', async () => {
    const small = await hs256Token('alice');
    await withGateway(withCacheBytes('0'), async (gw) => {
      for (let i = 0; i < 3; i++) await get(gw, small);
      expect(await cacheCounts(gw, 3)).toEqual({ hit: 0, miss: 3 });
    });
  });
});
