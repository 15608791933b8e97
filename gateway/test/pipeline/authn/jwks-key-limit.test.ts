// pipeline/authn/import-jwks.ts MAX_JWKS_KEYS: a JWKS document is read up to its first 100 keys,
// in document order; the rest are ignored, and the key set says so once per distinct key count
// (the gateway logs it as a warning naming the issuer: e2e/threats-keys-jwks-limit.test.ts).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JWK } from 'jose';
import { MAX_JWKS_KEYS } from '../../../src/pipeline/authn/index.js';
import { generateTestKeyPair, signToken, type TestKeyPair } from '../../support/tokens.js';
import { authConfig, authenticator, claims, Clock, closeAll, EventLog, jwksIssuer } from './fixtures.js';

let signer: TestKeyPair;
let filler: TestKeyPair;
beforeAll(async () => {
  [signer, filler] = await Promise.all([generateTestKeyPair('EdDSA'), generateTestKeyPair('EdDSA')]);
});
afterEach(closeAll);

/** `count` keys, the signer's at `signerAt` (or nowhere), the others fillers with their own kids. */
function document(count: number, signerAt = -1): { keys: JWK[] } {
  return { keys: Array.from({ length: count }, (_, i) => (i === signerAt ? signer.publicJwk : { ...filler.publicJwk, kid: `filler-${i}` })) };
}

function setup(initial: { keys: JWK[] }) {
  const clock = new Clock();
  const events = new EventLog();
  let served = initial;
  const fetchJwks = async (): Promise<unknown> => served;
  // No cooldown: every unknown kid refetches, so each test decides what the next fetch sees.
  const a = authenticator(authConfig([jwksIssuer('ba', 'http://127.0.0.1:1/jwks', ['EdDSA'])], { jwksCooldownMs: 0 }), events, { now: clock.now, fetchJwks });
  const token = (kid = signer.kid) => signToken(claims(clock), { alg: signer.alg, key: signer.privateKey, kid });
  return { a, events, token, serve: (next: { keys: JWK[] }) => void (served = next) };
}

describe(`a JWKS with more than ${MAX_JWKS_KEYS} keys`, () => {
  it('the limit is 100', () => {
    expect(MAX_JWKS_KEYS).toBe(100);
  });

  it(`a key among the first ${MAX_JWKS_KEYS} verifies; one past them is invalid_token`, async () => {
    const early = setup(document(150, MAX_JWKS_KEYS - 1));
    await early.a.start();
    await expect(await early.a.verify(await early.token())).toMatchObject({ ok: true });
    const late = setup(document(150, MAX_JWKS_KEYS));
    await late.a.start();
    await expect(await late.a.verify(await late.token())).toMatchObject({ ok: false, reason: 'invalid_token' });
    expect(late.events.ignored).toEqual([['ba', 150]]);
  });

  it('is reported once per distinct key count, not on every refetch of the same set', async () => {
    const { a, events, token, serve } = setup(document(150, 0));
    await a.start();
    const refetch = async () => expect(await a.verify(await token('unknown-kid'))).toMatchObject({ reason: 'invalid_token' });
    await refetch(); // the same 150: quiet
    serve(document(130, 0));
    await refetch(); // 130: reported
    serve(document(50, 0));
    await refetch(); // within the limit: quiet
    serve(document(150, 0));
    await refetch(); // over it again: reported
    expect(events.fetches.length).toBeGreaterThanOrEqual(5);
    expect(events.ignored).toEqual([['ba', 150], ['ba', 130], ['ba', 150]]);
  });

  it(`exactly ${MAX_JWKS_KEYS} keys are all read, and nothing is reported`, async () => {
    const { a, events, token } = setup(document(MAX_JWKS_KEYS, MAX_JWKS_KEYS - 1));
    await a.start();
    await expect(await a.verify(await token())).toMatchObject({ ok: true });
    expect(events.ignored).toEqual([]);
  });
});
