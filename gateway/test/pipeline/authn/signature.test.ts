// docs/threats.md family 2 (signature and header tricks), token shape, and issuer selection.
// Every token here is signed for real (jose) or forged byte by byte; keys come from a real
// JWKS server on 127.0.0.1.

import { exportSPKI } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator } from '../../../src/pipeline/authn/index.js';
import {
  craftToken,
  generateTestKeyPair,
  hs256SignRaw,
  signToken,
  startJwksServer,
  testSecret,
  type JwksServer,
  type TestKeyPair,
} from '../../support/tokens.js';
import { signRawWithKeyPair } from '../../support/threat-kit.js';
import { authConfig, authenticator, claims, Clock, closeAll, jwksIssuer, secretIssuer } from './fixtures.js';

let server: JwksServer;
let ed: TestKeyPair, es: TestKeyPair, rs: TestKeyPair, attacker: TestKeyPair;
const secret = testSecret(48);

beforeAll(async () => {
  [ed, es, rs, attacker] = await Promise.all([
    generateTestKeyPair('EdDSA'),
    generateTestKeyPair('ES256'),
    generateTestKeyPair('RS256'),
    generateTestKeyPair('EdDSA'),
  ]);
  server = await startJwksServer([ed, es, rs]);
});
afterAll(() => server.close());
afterEach(closeAll);

async function standard(clock: Clock): Promise<Authenticator> {
  const a = authenticator(
    authConfig([jwksIssuer('keys', server.url, ['EdDSA', 'ES256', 'RS256']), secretIssuer('shared', secret)]),
    {},
    { now: clock.now },
  );
  await a.start();
  return a;
}

describe('real tokens of every supported family verify', () => {
  it.each([
    ['HS256', () => ({ alg: 'HS256', key: secret }), 'shared'],
    ['EdDSA', () => ({ alg: 'EdDSA', key: ed.privateKey, kid: ed.kid }), 'keys'],
    ['ES256', () => ({ alg: 'ES256', key: es.privateKey, kid: es.kid }), 'keys'],
    ['RS256', () => ({ alg: 'RS256', key: rs.privateKey, kid: rs.kid }), 'keys'],
  ] as const)('%s', async (_name, options, issuerName) => {
    const clock = new Clock();
    const a = await standard(clock);
    const payload = claims(clock, { email: 'a@example.com' });
    const result = await a.verify(await signToken(payload, options()));
    expect(result).toEqual({
      ok: true,
      cached: false,
      identity: { subject: 'user-123', issuer: issuerName, expiresAtMs: (payload['exp'] as number) * 1000, claims: payload },
    });
    if (result.ok) expect(Object.isFrozen(result.identity.claims)).toBe(true);
  });
});

describe('token shape', () => {
  it.each([
    ['empty', ''],
    ['two parts', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0'],
    ['four parts', 'a.b.c.d'],
    ['five parts', 'a.b.c.d.e'],
    ['an empty part', 'eyJhbGciOiJIUzI1NiJ9..c2ln'],
    ['an empty signature', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.'],
    ['standard base64 characters', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0=.ab+/'],
    ['spaces', 'eyJhbGciOiJIUzI1NiJ9 .eyJzdWIiOiJ4In0.c2ln'],
    ['a header that is not JSON', 'bm90IGpzb24.eyJzdWIiOiJ4In0.c2ln'],
    ['a header that is a JSON array', `${Buffer.from('["HS256"]').toString('base64url')}.eyJzdWIiOiJ4In0.c2ln`],
    ['a header without alg', craftToken({ typ: 'JWT' }, { sub: 'x' }, 'c2ln')],
    ['a non-string alg', craftToken({ alg: 256 }, { sub: 'x' }, 'c2ln')],
    ['a payload that is not JSON', craftToken({ alg: 'HS256' }, 'not json', 'c2ln')],
    ['a payload that is a JSON string', craftToken({ alg: 'HS256' }, '"sub"', 'c2ln')],
    ['an absurd length', craftToken({ alg: 'HS256' }, { sub: 'x', pad: 'p'.repeat(20_000) }, 'c2ln')],
  ])('%s → invalid_token, never a throw', async (_name, token) => {
    const a = await standard(new Clock());
    await expect(await a.verify(token)).toEqual({ ok: false, reason: 'invalid_token', detail: 'malformed token' });
  });

  it('answers non-string input with invalid_token too', async () => {
    const a = await standard(new Clock());
    await expect(await a.verify(undefined as unknown as string)).toMatchObject({ ok: false, reason: 'invalid_token' });
    await expect(await a.verify({ length: 3 } as unknown as string)).toMatchObject({ ok: false, reason: 'invalid_token' });
  });
});

describe('alg none', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])('alg %s never verifies, with or without a signature', async (alg) => {
    const clock = new Clock();
    const a = await standard(clock);
    expect(await a.verify(craftToken({ alg, typ: 'JWT' }, claims(clock), ''))).toMatchObject({ reason: 'invalid_token' });
    expect(await a.verify(craftToken({ alg, typ: 'JWT' }, claims(clock), 'c2lnbmF0dXJl'))).toMatchObject({ reason: 'invalid_token' });
  });

  it('is ignored even when an issuer lists it', async () => {
    const clock = new Clock();
    const a = authenticator(authConfig([secretIssuer('shared', secret, { algorithms: ['none', 'NONE', 'HS256'] })]), {}, { now: clock.now });
    const result = await a.verify(craftToken({ alg: 'none' }, claims(clock), 'c2lnbmF0dXJl'));
    expect(result).toEqual({ ok: false, reason: 'invalid_token', detail: 'no issuer accepts this token' });
  });
});

describe('tampering', () => {
  it('refuses a stripped or replaced signature', async () => {
    const clock = new Clock();
    const a = await standard(clock);
    const token = await signToken(claims(clock), { alg: 'EdDSA', key: ed.privateKey, kid: ed.kid });
    const [h, p, s] = token.split('.') as [string, string, string];
    await expect(await a.verify(`${h}.${p}.`)).toMatchObject({ reason: 'invalid_token' });
    const flipped = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    await expect(await a.verify(`${h}.${p}.${flipped}`)).toEqual({ ok: false, reason: 'invalid_token', detail: 'signature verification failed' });
  });

  it('refuses an edited payload (sub changed, signature kept)', async () => {
    const clock = new Clock();
    const a = await standard(clock);
    const token = await signToken(claims(clock), { alg: 'HS256', key: secret });
    const [h, , s] = token.split('.');
    const edited = Buffer.from(JSON.stringify(claims(clock, { sub: 'admin' }))).toString('base64url');
    await expect(await a.verify(`${h}.${edited}.${s}`)).toEqual({ ok: false, reason: 'invalid_token', detail: 'signature verification failed' });
  });

  it('refuses an alg outside the issuer allow-list, even signed by a published key', async () => {
    const clock = new Clock();
    const a = authenticator(authConfig([jwksIssuer('keys', server.url, ['EdDSA'])]), {}, { now: clock.now });
    await a.start();
    const token = await signToken(claims(clock), { alg: 'RS256', key: rs.privateKey, kid: rs.kid });
    await expect(await a.verify(token)).toEqual({ ok: false, reason: 'invalid_token', detail: 'no issuer accepts this token' });
  });

  it('refuses a token whose header alg differs from the key it names', async () => {
    const clock = new Clock();
    const a = await standard(clock);
    // A genuine EdDSA signature by the EdDSA key, over a header that says ES256 and names that
    // key: the signature is valid for the bytes, so only the alg/key check can refuse it.
    const relabelled = signRawWithKeyPair(JSON.stringify({ alg: 'ES256', kid: ed.kid }), JSON.stringify(claims(clock)), ed, 'EdDSA');
    await expect(await a.verify(relabelled)).toMatchObject({ ok: false, reason: 'invalid_token' });
    // Control: the same signing path with the honest header verifies.
    expect(await a.verify(signRawWithKeyPair(JSON.stringify({ alg: 'EdDSA', kid: ed.kid }), JSON.stringify(claims(clock)), ed))).toMatchObject({ ok: true });
  });
});

describe('key confusion: a token never chooses its own key type', () => {
  async function publicKeyAsSecrets(): Promise<string[]> {
    // The classic attack: HMAC keyed with the issuer's public key, as PEM or as JWK JSON.
    return [await exportSPKI(rs.publicKey), JSON.stringify(rs.publicJwk), rs.publicJwk.n as string];
  }

  it('refuses HS256 signed with a JWKS public key, even when the JWKS issuer (mis)lists HS256', async () => {
    const clock = new Clock();
    const a = authenticator(authConfig([jwksIssuer('keys', server.url, ['RS256', 'HS256'])]), {}, { now: clock.now });
    await a.start();
    for (const pub of await publicKeyAsSecrets()) {
      const token = await signToken(claims(clock), { alg: 'HS256', key: pub, kid: rs.kid });
      await expect(await a.verify(token)).toEqual({ ok: false, reason: 'invalid_token', detail: 'no issuer accepts this token' });
    }
    // The same issuer still accepts its real RS256 tokens.
    const good = await signToken(claims(clock), { alg: 'RS256', key: rs.privateKey, kid: rs.kid });
    await expect(await a.verify(good)).toMatchObject({ ok: true });
  });

  it('refuses HS256 signed with a JWKS public key when a shared-secret issuer exists too', async () => {
    const clock = new Clock();
    const a = await standard(clock);
    for (const pub of await publicKeyAsSecrets()) {
      const token = await signToken(claims(clock), { alg: 'HS256', key: pub, kid: rs.kid });
      await expect(await a.verify(token)).toEqual({ ok: false, reason: 'invalid_token', detail: 'signature verification failed' });
    }
  });

  it('refuses an asymmetric token at a shared-secret-only gateway', async () => {
    const clock = new Clock();
    const a = authenticator(authConfig([secretIssuer('shared', secret, { algorithms: ['HS256', 'RS256', 'EdDSA'] })]), {}, { now: clock.now });
    const token = await signToken(claims(clock), { alg: 'EdDSA', key: ed.privateKey, kid: ed.kid });
    await expect(await a.verify(token)).toEqual({ ok: false, reason: 'invalid_token', detail: 'no issuer accepts this token' });
  });

  it('will not build an issuer whose key source fits none of its algorithms', () => {
    expect(() => authenticator(authConfig([jwksIssuer('keys', server.url, ['HS256'])]))).toThrow(/none of its algorithms/);
    expect(() => authenticator(authConfig([secretIssuer('shared', secret, { algorithms: ['RS256'] })]))).toThrow(/none of its algorithms/);
  });

  it('will not build a shared-secret issuer with a secret under 32 bytes', () => {
    expect(() => authenticator(authConfig([secretIssuer('shared', 'x'.repeat(31))]))).toThrow(/at least 32 bytes/);
    expect(() => authenticator(authConfig([secretIssuer('shared', 'x'.repeat(32))]))).not.toThrow();
  });
});

describe('embedded keys and key URLs are never trusted or fetched', () => {
  let attackerServer: JwksServer;
  beforeAll(async () => {
    attackerServer = await startJwksServer([attacker]);
  });
  afterAll(() => attackerServer.close());

  const cases: [string, () => Record<string, unknown>, () => string | undefined][] = [
    ['jwk (attacker kid)', () => ({ jwk: attacker.publicJwk }), () => attacker.kid],
    ['jwk (victim kid)', () => ({ jwk: { ...attacker.publicJwk, kid: ed.kid } }), () => ed.kid],
    ['jwk (no kid)', () => ({ jwk: attacker.publicJwk }), () => undefined],
    ['jku', () => ({ jku: attackerServer.url }), () => attacker.kid],
    ['x5u', () => ({ x5u: attackerServer.url }), () => attacker.kid],
    ['x5c', () => ({ x5c: ['MIIBszCCAVmgAwIBAgIUQ2F0dGFja2VyIGNlcnRpZmljYXRl'] }), () => ed.kid],
  ];
  it.each(cases)('%s header', async (_name, header, kid) => {
    const clock = new Clock();
    const a = await standard(clock);
    const before = server.requests;
    clock.advance(60_000); // past the cooldown: an unknown kid may refetch our own key set, nothing else
    const token = await signToken(claims(clock), { alg: 'EdDSA', key: attacker.privateKey, kid: kid(), header: header() });
    const result = await a.verify(token);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ reason: 'invalid_token' });
    expect(attackerServer.requests).toBe(0);
    expect(server.requests - before).toBeLessThanOrEqual(1);
  });
});

describe('crit header', () => {
  it('refuses unknown critical parameters', async () => {
    const clock = new Clock();
    const a = await standard(clock);
    const payload = JSON.stringify(claims(clock));
    const unknown = hs256SignRaw(JSON.stringify({ alg: 'HS256', crit: ['x-must-understand'], 'x-must-understand': true }), payload, secret);
    await expect(await a.verify(unknown)).toMatchObject({ ok: false, reason: 'invalid_token' });
    // b64=false (RFC 7797) is recognised by jose, but never valid for a JWT.
    const b64 = hs256SignRaw(JSON.stringify({ alg: 'HS256', crit: ['b64'], b64: false }), payload, secret);
    await expect(await a.verify(b64)).toMatchObject({ ok: false, reason: 'invalid_token' });
    const malformed = hs256SignRaw(JSON.stringify({ alg: 'HS256', crit: 'exp' }), payload, secret);
    await expect(await a.verify(malformed)).toMatchObject({ ok: false, reason: 'invalid_token' });
    // The same payload and secret without crit is fine: the refusals above are about crit.
    expect(await a.verify(hs256SignRaw(JSON.stringify({ alg: 'HS256' }), payload, secret))).toMatchObject({ ok: true });
  });
});

describe('odd kid values', () => {
  // Every token is signed by the genuine, published EdDSA key over its own header, odd kid
  // included: the signature verifies, so only the kid handling can refuse it. The controls show
  // the same signing path is accepted with the genuine kid and with none (a kid-less token may
  // try every key of its alg), so a kid that were ignored, coerced or matched loosely would pass.
  // Functions: the genuine kid exists only once beforeAll has generated the key.
  const signedWithKid = (clock: Clock, kid: unknown): Promise<string> => signToken(claims(clock), { alg: 'EdDSA', key: ed.privateKey, header: { kid } });
  const signedWithoutKid = (clock: Clock): Promise<string> => signToken(claims(clock), { alg: 'EdDSA', key: ed.privateKey });

  it('controls: the same signing path verifies with the genuine kid and with no kid', async () => {
    const clock = new Clock();
    const a = await standard(clock);
    await expect(await a.verify(await signedWithKid(clock, ed.kid))).toMatchObject({ ok: true, identity: { issuer: 'keys' } });
    await expect(await a.verify(await signedWithoutKid(clock))).toMatchObject({ ok: true, identity: { issuer: 'keys' } });
  });

  it.each([
    ['very long', () => 'k'.repeat(5000), 0],
    ['a number', () => 12345, 0],
    ['an object', () => ({ $ne: null }), 0],
    ['an array', () => ['kid-1'], 0],
    ['null', () => null, 0],
    ['empty', () => '', 0],
    ['path-like', () => '../../../../etc/passwd', 1],
    ['a URL', () => 'http://127.0.0.1:1/keys', 1],
    ['with NUL and newlines', () => 'a\u0000b\r\nc', 1],
    ['an array holding the genuine kid', () => [ed.kid], 0],
    ['an object holding the genuine kid', () => ({ kid: ed.kid }), 0],
    ['true', () => true, 0],
    ['the genuine kid in another case', () => ed.kid.toUpperCase(), 1],
    ['the genuine kid with a trailing space', () => `${ed.kid} `, 1],
    ['the genuine kid with a NUL appended', () => `${ed.kid}\u0000`, 1],
    ['a prefix of the genuine kid', () => ed.kid.slice(0, -1), 1],
  ] as const)('%s: refused, no crash, at most one (cooldown-bounded) refetch', async (_name, kid, maxFetches) => {
    const clock = new Clock();
    const a = await standard(clock);
    clock.advance(60_000);
    const before = server.requests;
    const token = await signedWithKid(clock, kid());
    for (let i = 0; i < 5; i++) await expect(await a.verify(token)).toMatchObject({ ok: false, reason: 'invalid_token' });
    expect(server.requests - before).toBeLessThanOrEqual(maxFetches);
  });
});

describe('ECDSA psychic signature (CVE-2022-21449)', () => {
  it('refuses r = s = 0 for ES256, with the real kid', async () => {
    const clock = new Clock();
    const a = await standard(clock);
    const zero = craftToken({ alg: 'ES256', kid: es.kid }, claims(clock), new Uint8Array(64));
    await expect(await a.verify(zero)).toEqual({ ok: false, reason: 'invalid_token', detail: 'signature verification failed' });
    // DER-encoded zeros and a short zero signature are refused too.
    expect(await a.verify(craftToken({ alg: 'ES256', kid: es.kid }, claims(clock), Uint8Array.from([0x30, 6, 2, 1, 0, 2, 1, 0])))).toMatchObject({ reason: 'invalid_token' });
    expect(await a.verify(craftToken({ alg: 'ES256', kid: es.kid }, claims(clock), new Uint8Array(1)))).toMatchObject({ reason: 'invalid_token' });
  });
});

describe('issuer selection', () => {
  it('tries candidates in config order; the first that verifies wins', async () => {
    const clock = new Clock();
    const secretA = testSecret(40);
    const secretB = testSecret(40);
    const a = authenticator(
      authConfig([
        secretIssuer('first', secretA, { issuer: undefined, audience: undefined }),
        secretIssuer('second', secretB, { issuer: undefined, audience: undefined }),
        secretIssuer('third', secretB, { issuer: undefined, audience: undefined }),
      ]),
      {},
      { now: clock.now },
    );
    expect(await a.verify(await signToken(claims(clock), { alg: 'HS256', key: secretA }))).toMatchObject({ ok: true, identity: { issuer: 'first' } });
    expect(await a.verify(await signToken(claims(clock), { alg: 'HS256', key: secretB }))).toMatchObject({ ok: true, identity: { issuer: 'second' } });
  });

  it('selects by iss when issuers name one', async () => {
    const clock = new Clock();
    const a = authenticator(
      authConfig([
        secretIssuer('a', secret, { issuer: 'https://a.test', audience: undefined }),
        secretIssuer('b', secret, { issuer: 'https://b.test', audience: undefined }),
      ]),
      {},
      { now: clock.now },
    );
    const tokenB = await signToken(claims(clock, { iss: 'https://b.test' }), { alg: 'HS256', key: secret });
    await expect(await a.verify(tokenB)).toMatchObject({ ok: true, identity: { issuer: 'b' } });
    const tokenC = await signToken(claims(clock, { iss: 'https://c.test' }), { alg: 'HS256', key: secret });
    await expect(await a.verify(tokenC)).toEqual({ ok: false, reason: 'invalid_token', detail: 'no issuer accepts this token' });
    const noIss = await signToken(claims(clock, { iss: undefined }), { alg: 'HS256', key: secret });
    await expect(await a.verify(noIss)).toMatchObject({ ok: false, reason: 'invalid_token' });
  });

  it('refuses an alg no issuer lists', async () => {
    const clock = new Clock();
    const a = authenticator(authConfig([secretIssuer('shared', secret)]), {}, { now: clock.now });
    const hs512 = await signToken(claims(clock), { alg: 'HS512', key: secret });
    await expect(await a.verify(hs512)).toEqual({ ok: false, reason: 'invalid_token', detail: 'no issuer accepts this token' });
  });
});

describe('denial details', () => {
  it('never contain the token, its parts or claim values', async () => {
    const clock = new Clock();
    const a = await standard(clock);
    const marker = 'zz-marker-user';
    const tokens = [
      await signToken(claims(clock, { sub: marker, exp: clock.seconds - 3600 }), { alg: 'HS256', key: secret }),
      await signToken(claims(clock, { sub: marker, aud: 'https://other.test' }), { alg: 'HS256', key: secret }),
      await signToken(claims(clock, { sub: `${marker}/x` }), { alg: 'HS256', key: secret }),
      await signToken(claims(clock, { sub: marker }), { alg: 'HS256', key: testSecret(40) }),
      await signToken(claims(clock, { sub: marker }), { alg: 'EdDSA', key: attacker.privateKey, kid: marker }),
      craftToken({ alg: marker }, { sub: marker }, 'c2ln'),
    ];
    clock.advance(5_000); // past the cooldown: the unknown kid's refetch starts at once instead of at its end
    for (const token of tokens) {
      const result = await a.verify(token);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.detail).toMatch(/^[a-z ]{5,40}$/);
      expect(result.detail).not.toContain(marker);
      for (const part of token.split('.')) expect(result.detail).not.toContain(part);
    }
  });
});
