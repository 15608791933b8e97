// docs/threats.md family 4 — a key rotation over real sockets: a JWKS server on 127.0.0.1 the
// tests rotate and count, behind a real gateway in front of a recording upstream. A key
// published inside the cooldown of the last fetch must work on its first requests (they wait
// for the next permitted fetch), and clients still sending a withdrawn key's tokens must not
// keep the cooldown busy for a real rotation.
import { beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startTestGateway, testEnv, type TestGateway } from '../support/gateway.js';
import { metricReaches, metricValue } from '../support/metrics.js';
import { useUpstream } from '../support/suite.js';
import { jwksAndSecretConfig, keyPairToken } from '../support/threat-kit.js';
import { generateTestKeyPair, startJwksServer, type JwksServer, type TestKeyPair } from '../support/tokens.js';

const upstream = useUpstream();
const ISSUER = 'key-pairs'; // the JWKS issuer's name in jwksAndSecretConfig

let a: TestKeyPair, b: TestKeyPair, c: TestKeyPair;
beforeAll(async () => {
  [a, b, c] = await Promise.all([generateTestKeyPair('EdDSA'), generateTestKeyPair('EdDSA'), generateTestKeyPair('EdDSA')]);
});

async function withRotation(cooldownMs: number, test: (jwks: JwksServer, gateway: TestGateway, pool: Pool) => Promise<void>): Promise<void> {
  const jwks = await startJwksServer([a]);
  const gateway = await startTestGateway(jwksAndSecretConfig({ upstreamUrl: upstream.url, jwksUrl: jwks.url, authExtra: `  jwks_cooldown: ${cooldownMs}ms` }), testEnv);
  const pool = new Pool(gateway.url, { connections: 50 });
  try {
    await test(jwks, gateway, pool);
  } finally {
    await pool.close();
    await gateway.close();
    await jwks.close();
  }
}

async function status(pool: Pool, token: string, subject = 'alice'): Promise<string> {
  const res = await pool.request({ method: 'GET', path: `/api/${subject}/tasks`, headers: { authorization: `Bearer ${token}` } });
  const text = await res.body.text();
  return res.statusCode === 200 ? '200' : `${res.statusCode} ${(JSON.parse(text) as { reason: string }).reason}`;
}

describe('a key published within the cooldown of the last fetch', () => {
  it('its first 50 tokens wait for the next permitted fetch and pass: 50 × 200, not 401, for exactly one more fetch', async () => {
    const COOLDOWN_MS = 1_500;
    await withRotation(COOLDOWN_MS, async (jwks, gateway, pool) => {
      const fetchesAtStart = jwks.requests; // the start's fetch, just now: its cooldown runs
      jwks.setKeys([a, b]);
      // 50 users at once (one user's concurrent requests would meet limits.concurrent_per_subject).
      const users = Array.from({ length: 50 }, (_, i) => `user-${i}`);
      const tokens = await Promise.all(users.map((user) => keyPairToken(b, user)));
      const started = performance.now();
      const statuses = await Promise.all(users.map((user, i) => status(pool, tokens[i]!, user)));
      const waited = performance.now() - started;
      expect(statuses).toEqual(Array(50).fill('200'));
      expect(jwks.requests).toBe(fetchesAtStart + 1);
      expect(upstream.requests).toHaveLength(50);
      expect(waited).toBeLessThan(COOLDOWN_MS + 5_000); // the rest of the cooldown + jwks_timeout, at most
      await metricReaches(gateway.adminUrl, 'gateway_jwks_kid_waits_total', { issuer: ISSUER, outcome: 'found' }, 50);
      // Known now: later tokens of B need no fetch and no wait.
      expect(await status(pool, tokens[0]!, users[0])).toBe('200');
      expect(jwks.requests).toBe(fetchesAtStart + 1);
    });
  });
});

describe('a storm of tokens of a withdrawn key', () => {
  it('is all 401, costs at most one fetch per cooldown, and a key published during it passes at the next fetch', async () => {
    const COOLDOWN_MS = 300;
    const STORM_MS = 1_500;
    await withRotation(COOLDOWN_MS, async (jwks, gateway, pool) => {
      const tokenA = await keyPairToken(a, 'alice');
      expect(await status(pool, tokenA)).toBe('200');
      // A is withdrawn; the fetch that shows it (caused by B's first token) removes it.
      jwks.setKeys([b]);
      expect(await status(pool, await keyPairToken(b, 'alice'))).toBe('200');
      const fetchesBefore = jwks.requests;
      const forwardedBefore = upstream.requests.length;

      const refusals = new Map<string, number>();
      let answered = 0;
      let rotation: Promise<{ status: string; waitedMs: number }> | undefined;
      const tokenC = await keyPairToken(c, 'alice');
      const started = performance.now();
      const client = async (): Promise<void> => {
        while (performance.now() - started < STORM_MS) {
          const s = await status(pool, tokenA);
          refusals.set(s, (refusals.get(s) ?? 0) + 1);
          // Mid-storm, the issuer publishes C and a client uses it at once.
          if (++answered === 200) {
            jwks.setKeys([b, c]);
            const sent = performance.now();
            rotation = status(pool, tokenC).then((s) => ({ status: s, waitedMs: performance.now() - sent }));
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, client));
      const elapsed = performance.now() - started;

      expect([...refusals.keys()]).toEqual(['401 invalid_token']);
      expect(answered).toBeGreaterThan(200);
      const fetches = jwks.requests - fetchesBefore;
      expect(fetches).toBeLessThanOrEqual(1 + Math.floor(elapsed / COOLDOWN_MS));
      expect(rotation).toBeDefined();
      const rotated = await rotation!;
      expect(rotated.status).toBe('200');
      expect(rotated.waitedMs).toBeLessThan(COOLDOWN_MS + 5_000);
      expect(upstream.requests.length - forwardedBefore).toBe(1); // C's request, and no storm request
      // Each storm request was either answered at once (recently absent) or waited for a fetch
      // that did not bring A back; most were answered at once.
      await metricReaches(gateway.adminUrl, 'gateway_jwks_kid_waits_total', { issuer: ISSUER, outcome: 'found' }, 2);
      const atOnce = await metricValue(gateway.adminUrl, 'gateway_jwks_kid_waits_total', { issuer: ISSUER, outcome: 'recently_absent' });
      const waited = await metricValue(gateway.adminUrl, 'gateway_jwks_kid_waits_total', { issuer: ISSUER, outcome: 'not_found' });
      expect(atOnce + waited).toBe(answered);
      expect(atOnce).toBeGreaterThan(answered / 2);
    });
  });
});
