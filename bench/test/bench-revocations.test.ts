// The revocations row's list: its bodies (pure), the gauge parser, and filling a real gateway's
// list through its real admin API in front of a real upstream-todo (a small list: the shape, not
// the size, is what can go wrong). Needs `npx tsc -b` first.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVOCATION_LIST_SIZE, REVOKED_SUBJECT, UNMATCHED_REVOCATIONS, loadRevocationList, parseRevocationGauge, readRevocationGauge, revocationBodies } from '../src/bench-revocations.js';
import { READERS, WRITERS } from '../src/bench-users.js';
import { startGateway, startUpstreamTodo, type GatewayService } from '../src/services.js';
import type { Service } from '../src/spawn-service.js';
import { callApi, describeAnswer } from '../src/task-api.js';
import { BENCH_AUDIENCE, BENCH_ISSUER, benchSessionId, generateBenchKeys, mintToken, startJwksServer, type BenchKeys, type JwksServer } from '../src/tokens.js';

describe('revocationBodies', () => {
  const bodies = revocationBodies();

  it('is 10,000 unmatched entries of all three kinds plus the revoked subject, last', () => {
    expect(bodies).toHaveLength(10_001);
    expect(REVOCATION_LIST_SIZE).toBe(10_001);
    const kinds = { sub: 0, jti: 0, sid: 0 };
    for (const b of bodies) kinds[Object.keys(b)[0] as keyof typeof kinds]++;
    expect(kinds).toEqual({ sub: UNMATCHED_REVOCATIONS.sub + 1, jti: UNMATCHED_REVOCATIONS.jti, sid: UNMATCHED_REVOCATIONS.sid });
    expect(bodies.at(-1)).toEqual({ sub: REVOKED_SUBJECT });
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(bodies.length);
  });

  it('names no bench user and no session or jti a bench token carries', () => {
    const users = [...Array.from({ length: READERS }, (_, i) => `bench-reader-${i}`), ...Array.from({ length: WRITERS }, (_, i) => `bench-writer-${i}`)];
    const values = new Set(bodies.map((b) => Object.values(b)[0] as string));
    for (const user of users) {
      expect(values.has(user)).toBe(false);
      expect(values.has(benchSessionId(user))).toBe(false);
    }
    expect(users).not.toContain(REVOKED_SUBJECT);
    // Bench jti values are 16 random base64url characters; every entry's value is longer and prefixed.
    expect(bodies.slice(0, -1).every((b) => (Object.values(b)[0] as string).startsWith('bench-unmatched-'))).toBe(true);
  });
});

describe('parseRevocationGauge', () => {
  it('reads the gauge, with or without labels, and nothing when it is absent', () => {
    expect(parseRevocationGauge('# HELP gateway_revocations x\n# TYPE gateway_revocations gauge\ngateway_revocations 10001\ngateway_store_up 1\n')).toBe(10_001);
    expect(parseRevocationGauge('gateway_revocations{worker="1"} 3\n')).toBe(3);
    expect(parseRevocationGauge('gateway_revocations_total 5\ngateway_store_up 1\n')).toBeUndefined();
  });
});

describe('loadRevocationList against a real gateway', () => {
  let keys: BenchKeys;
  let jwks: JwksServer;
  let upstream: Service;
  let gateway: GatewayService;
  let noAdmin: GatewayService;
  const small = revocationBodies({ sub: 4, jti: 3, sid: 3 });

  beforeAll(async () => {
    keys = await generateBenchKeys();
    jwks = await startJwksServer(keys.jwks);
    upstream = await startUpstreamTodo(':memory:');
    const env = { upstreamUrl: upstream.url, jwksUrl: jwks.url, secret: keys.secret, workers: 1 };
    [gateway, noAdmin] = await Promise.all([startGateway({ ...env, adminToken: keys.adminToken }), startGateway(env)]);
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), noAdmin?.stop()]);
    await upstream?.stop();
    await jwks?.close();
  });

  it('posts every entry, sees the gauge count them, and the revoked subject refused; bench tokens still pass', async () => {
    expect(await readRevocationGauge(gateway.adminUrl)).toBe(0);
    await loadRevocationList(gateway, keys, small, 4);
    expect(await readRevocationGauge(gateway.adminUrl)).toBe(small.length);
    for (const kind of ['HS256', 'EdDSA'] as const) {
      const answer = await callApi(gateway.url, 'GET', '/api/bench-reader-0/tasks', await mintToken(keys, kind, 'bench-reader-0'));
      expect(describeAnswer(answer)).toBe('200');
    }
  });

  it('posts entries that really revoke: a token naming one of the sid values is refused', async () => {
    const sid = (small.find((b) => 'sid' in b) as { sid: string }).sid;
    const token = await new SignJWT({ sid }).setProtectedHeader({ alg: 'HS256' }).setSubject('bench-reader-1').setIssuer(BENCH_ISSUER)
      .setAudience(BENCH_AUDIENCE).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(keys.secret));
    expect(describeAnswer(await callApi(gateway.url, 'GET', '/api/bench-reader-1/tasks', token))).toBe('401 token_revoked');
  });

  it('fails the row when the admin API is off (no admin.token), naming the status, never the token', async () => {
    const error = await loadRevocationList(noAdmin, keys, small, 4).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/^POST \/revocations answered 404/);
    expect(error?.message).not.toContain(keys.adminToken);
  });
});
