// Tokens from a real Better Auth (jwt plugin, EdDSA, in memory) verify through the JWKS it
// publishes — the pairing the product exists for.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBetterAuth, type BetterAuthFixture } from '../../support/better-auth.js';
import { authConfig, authenticator, closeAll, EventLog } from './fixtures.js';

let ba: BetterAuthFixture;
beforeAll(async () => {
  ba = await startBetterAuth();
});
afterAll(() => ba.close());
afterEach(closeAll);

function betterAuthIssuer(audience = ba.baseURL) {
  return authConfig([
    { name: 'better-auth', keySource: { kind: 'jwks', jwksUrl: ba.jwksUrl }, algorithms: ['EdDSA'], issuer: ba.baseURL, audience: [audience] },
  ]);
}

describe('Better Auth jwt plugin', () => {
  it('its token verifies, the subject is the user id, its claims come along', async () => {
    const { userId, token } = await ba.signUp('alice@example.com', 'correct horse battery', 'Alice');
    const events = new EventLog();
    const a = authenticator(betterAuthIssuer(), events);
    await a.start();
    expect(a.ready()).toBe(true);
    expect(events.fetches).toEqual([['better-auth', 'success']]);
    const result = await a.verify(token);
    expect(result).toMatchObject({ ok: true, cached: false, identity: { subject: userId, issuer: 'better-auth' } });
    if (!result.ok) return;
    expect(result.identity.claims).toMatchObject({ sub: userId, email: 'alice@example.com', name: 'Alice', iss: ba.baseURL, aud: ba.baseURL });
    expect(result.identity.expiresAtMs).toBe((result.identity.claims['exp'] as number) * 1000);
    await expect(await a.verify(token)).toMatchObject({ ok: true, cached: true });
  });

  it('each user gets their own subject', async () => {
    const bob = await ba.signUp('bob@example.com', 'correct horse battery', 'Bob');
    const carol = await ba.signUp('carol@example.com', 'correct horse battery', 'Carol');
    const a = authenticator(betterAuthIssuer());
    await a.start();
    await expect(await a.verify(bob.token)).toMatchObject({ ok: true, identity: { subject: bob.userId } });
    await expect(await a.verify(carol.token)).toMatchObject({ ok: true, identity: { subject: carol.userId } });
    expect(bob.userId).not.toBe(carol.userId);
  });

  it('refuses its token for another audience', async () => {
    const { token } = await ba.signUp('dave@example.com', 'correct horse battery', 'Dave');
    const a = authenticator(betterAuthIssuer('http://other.example'));
    await a.start();
    await expect(await a.verify(token)).toEqual({ ok: false, reason: 'invalid_token', detail: 'audience mismatch' });
  });
});
