// docs/threats.md family 3 (claims) and docs/contract.md "Tokens". Shared-secret
// tokens signed for real; hand-written JSON where a signer would refuse (1e400, duplicates).

import { afterEach, describe, expect, it } from 'vitest';
import type { Authenticator } from '../../../src/pipeline/authn/index.js';
import type { AuthConfig } from '../../../src/config/types.js';
import { hs256SignRaw, signToken, testSecret } from '../../support/tokens.js';
import { AUD, ISS, authConfig, authenticator, claims, Clock, closeAll, secretIssuer } from './fixtures.js';

const secret = testSecret(40);
afterEach(closeAll);

function setup(overrides: Partial<AuthConfig> = {}, issuer = secretIssuer('shared', secret)): { a: Authenticator; clock: Clock } {
  const clock = new Clock(1_800_000_000_000);
  return { a: authenticator(authConfig([issuer], { tokenCacheSize: 0, ...overrides }), {}, { now: clock.now }), clock };
}

const sign = (payload: Record<string, unknown>): Promise<string> => signToken(payload, { alg: 'HS256', key: secret });
/** Signs payload JSON text exactly as written (numbers like 1e400 survive). */
const signRaw = (payloadJson: string): string => hs256SignRaw('{"alg":"HS256"}', payloadJson, secret);

describe('exp', () => {
  it('expired beyond the clock tolerance → token_expired; within it → accepted', async () => {
    const { a, clock } = setup({ clockToleranceMs: 30_000 });
    expect(await a.verify(await sign(claims(clock, { exp: clock.seconds - 31 })))).toEqual({ ok: false, reason: 'token_expired', detail: 'token expired' });
    expect(await a.verify(await sign(claims(clock, { exp: clock.seconds - 29 })))).toMatchObject({ ok: true });
  });

  it('with zero tolerance, a token is expired at exp', async () => {
    const { a, clock } = setup({ clockToleranceMs: 0 });
    expect(await a.verify(await sign(claims(clock, { exp: clock.seconds })))).toMatchObject({ reason: 'token_expired' });
    expect(await a.verify(await sign(claims(clock, { exp: clock.seconds + 1 })))).toMatchObject({ ok: true });
  });

  it('uses the injected clock, not the wall clock', async () => {
    const { a, clock } = setup();
    // The test clock is in 2027: by wall-clock time this token is issued in the future (refused),
    // by the injected clock it is fresh — and an hour later by that clock, expired.
    const token = await sign(claims(clock));
    await expect(await a.verify(token)).toMatchObject({ ok: true });
    clock.advance(3600_000);
    await expect(await a.verify(token)).toMatchObject({ reason: 'token_expired' });
  });

  it.each([
    ['missing', { exp: undefined }],
    ['a string', { exp: '9999999999' }],
    ['null', { exp: null }],
    ['a boolean', { exp: true }],
    ['an array', { exp: [9999999999] }],
    ['absurdly large (> 2^53)', { exp: 2 ** 53 + 4096 }],
  ])('%s → invalid_token', async (_name, extra) => {
    const { a, clock } = setup();
    const result = await a.verify(await sign(claims(clock, extra)));
    expect(result).toMatchObject({ ok: false, reason: 'invalid_token' });
  });

  it('1e400 (JSON for Infinity) → invalid_token, not a token that never expires', async () => {
    const { a, clock } = setup();
    await expect(await a.verify(signRaw(`{"sub":"user-123","iss":"${ISS}","aud":"${AUD}","exp":1e400}`))).toEqual({ ok: false, reason: 'invalid_token', detail: 'invalid exp claim' });
    await expect(await a.verify(signRaw(`{"sub":"user-123","iss":"${ISS}","aud":"${AUD}","exp":-1e400}`))).toEqual({ ok: false, reason: 'invalid_token', detail: 'invalid exp claim' });
    // The same JSON with a real number verifies: the refusal above is about the number.
    await expect(await a.verify(signRaw(`{"sub":"user-123","iss":"${ISS}","aud":"${AUD}","exp":${clock.seconds + 60}}`))).toMatchObject({ ok: true });
  });

  it('exposes exp in milliseconds', async () => {
    const { a, clock } = setup();
    const result = await a.verify(await sign(claims(clock, { exp: clock.seconds + 123 })));
    expect(result.ok && result.identity.expiresAtMs).toBe((clock.seconds + 123) * 1000);
  });
});

describe('nbf and iat', () => {
  it('nbf in the future beyond tolerance → invalid_token; within it → accepted', async () => {
    const { a, clock } = setup();
    expect(await a.verify(await sign(claims(clock, { nbf: clock.seconds + 31 })))).toEqual({ ok: false, reason: 'invalid_token', detail: 'token not yet valid' });
    expect(await a.verify(await sign(claims(clock, { nbf: clock.seconds + 29 })))).toMatchObject({ ok: true });
  });

  it('iat in the future beyond tolerance → invalid_token (jose alone would accept it)', async () => {
    const { a, clock } = setup();
    expect(await a.verify(await sign(claims(clock, { iat: clock.seconds + 31 })))).toEqual({ ok: false, reason: 'invalid_token', detail: 'token issued in the future' });
    expect(await a.verify(await sign(claims(clock, { iat: clock.seconds + 29 })))).toMatchObject({ ok: true });
    expect(await a.verify(await sign(claims(clock, { iat: undefined })))).toMatchObject({ ok: true });
  });

  it.each(['nbf', 'iat'])('%s that is not a finite number → invalid_token', async (name) => {
    const { a, clock } = setup();
    for (const bad of ['0', null, true, [1], { n: 1 }]) {
      expect(await a.verify(await sign(claims(clock, { [name]: bad })))).toMatchObject({ ok: false, reason: 'invalid_token' });
    }
    for (const raw of ['1e400', '-1e400']) {
      const json = `{"sub":"user-123","iss":"${ISS}","aud":"${AUD}","exp":${clock.seconds + 60},"${name}":${raw}}`;
      await expect(await a.verify(signRaw(json))).toMatchObject({ ok: false, reason: 'invalid_token' });
    }
  });
});

describe('subject', () => {
  it.each([
    ['missing', undefined],
    ['a number', 123],
    ['an array', ['user-123']],
    ['an object', { id: 'user-123' }],
    ['null', null],
    ['empty', ''],
    ['256 bytes', 'a'.repeat(256)],
    ['containing /', 'alice/bob'],
    ['a dot-dot segment', '..'],
    ['a dot segment', '.'],
    ['containing \\', 'alice\\bob'],
    ['containing %', 'alice%2fbob'],
    ['containing a space', 'alice bob'],
    ['containing CR/LF', 'alice\r\nx-injected: 1'],
    ['containing NUL', 'alice\u0000'],
    ['containing DEL', 'alice\u007f'],
    ['non-ASCII', 'alicé'],
    ['a fullwidth solidus', 'alice\uff0fbob'],
  ])('%s → invalid_token', async (_name, sub) => {
    const { a, clock } = setup();
    expect(await a.verify(await sign(claims(clock, { sub })))).toMatchObject({ ok: false, reason: 'invalid_token' });
  });

  it.each([
    ['a Better Auth id', 'bEzjhHAlBzKlPMVw90A4WOQJD3GvzuSJ'],
    ['an email', 'alice.smith+tag@example.com'],
    ['255 bytes', 'a'.repeat(255)],
    ['one byte', 'x'],
    ['dots inside', 'a..b'],
    ['all other punctuation', '!"#$&\'()*+,-.:;<=>?@[]^_`{|}~'],
  ])('%s → accepted as the subject', async (_name, sub) => {
    const { a, clock } = setup();
    expect(await a.verify(await sign(claims(clock, { sub })))).toMatchObject({ ok: true, identity: { subject: sub } });
  });

  it('reads the configured subject claim', async () => {
    const { a, clock } = setup({ subjectClaim: 'uid' });
    expect(await a.verify(await sign(claims(clock, { sub: 'ignored', uid: 'user-9' })))).toMatchObject({ ok: true, identity: { subject: 'user-9' } });
    expect(await a.verify(await sign(claims(clock, { sub: 'user-123' })))).toEqual({ ok: false, reason: 'invalid_token', detail: 'required claim missing' });
    expect(await a.verify(await sign(claims(clock, { uid: 42 })))).toMatchObject({ ok: false, reason: 'invalid_token' });
  });
});

describe('iss and aud', () => {
  it('checks aud against the configured audiences', async () => {
    const { a, clock } = setup({}, secretIssuer('shared', secret, { audience: [AUD, 'https/other'] }));
    expect(await a.verify(await sign(claims(clock, { aud: 'https://elsewhere.test' })))).toEqual({ ok: false, reason: 'invalid_token', detail: 'audience mismatch' });
    expect(await a.verify(await sign(claims(clock, { aud: undefined })))).toEqual({ ok: false, reason: 'invalid_token', detail: 'required claim missing' });
    expect(await a.verify(await sign(claims(clock, { aud: ['https://x.test', 'https/other'] })))).toMatchObject({ ok: true });
    expect(await a.verify(await sign(claims(clock, { aud: AUD })))).toMatchObject({ ok: true });
  });

  it('checks iss for shared-secret issuers too', async () => {
    const { a, clock } = setup();
    expect(await a.verify(await sign(claims(clock, { iss: 'https://evil.test' })))).toMatchObject({ ok: false, reason: 'invalid_token' });
    expect(await a.verify(await sign(claims(clock, { iss: undefined })))).toMatchObject({ ok: false, reason: 'invalid_token' });
  });

  it('accepts any iss/aud when the issuer names none', async () => {
    const { a, clock } = setup({}, secretIssuer('shared', secret, { issuer: undefined, audience: undefined }));
    await expect(await a.verify(await sign({ sub: 'user-1', exp: clock.seconds + 60 }))).toMatchObject({ ok: true, identity: { subject: 'user-1' } });
    await expect(await a.verify(await sign({ sub: 'user-1', exp: clock.seconds + 60, iss: 'x', aud: 'y' }))).toMatchObject({ ok: true });
  });
});

describe('claims are handed on as verified', () => {
  it('keeps every claim, frozen', async () => {
    const { a, clock } = setup();
    const payload = claims(clock, { email: 'a@example.com', roles: ['x'], 'x-odd\r\n': 'kept as data' });
    const result = await a.verify(await sign(payload));
    if (!result.ok) throw new Error('expected success');
    expect(result.identity.claims).toEqual(payload);
    expect(() => {
      (result.identity.claims as Record<string, unknown>)['sub'] = 'admin';
    }).toThrow(TypeError);
    expect(() => {
      (result.identity as { subject: string }).subject = 'admin';
    }).toThrow(TypeError);
  });
});
