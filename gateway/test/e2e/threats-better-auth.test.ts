// Families 2 and 3 against the tokens a user's app really issues: a real Better Auth (jwt
// plugin, EdDSA, in memory) as the JWKS issuer, over real sockets through the gateway.
import { beforeAll, describe, expect, it } from 'vitest';
import { startBetterAuth } from '../support/better-auth.js';
import { betterAuthConfig } from '../support/gateway.js';
import { base64url, craftToken } from '../support/tokens.js';
import { useGateway, useServer, useUpstream } from '../support/suite.js';
import { call, expectDenial } from '../support/threat-kit.js';

const ba = useServer(startBetterAuth, 'Better Auth');
const upstream = useUpstream();
const gateway = useGateway(() => betterAuthConfig(upstream.url, ba));
let alice: { userId: string; token: string };
let bob: { userId: string; token: string };
beforeAll(async () => {
  alice = await ba.signUp('alice@example.com', 'correct horse battery', 'Alice');
  bob = await ba.signUp('bob@example.com', 'correct horse battery', 'Bob');
});

const get = (path: string, token: string) => call(gateway.url, { path, headers: { authorization: `Bearer ${token}` } });

describe('tokens from a real Better Auth', () => {
  it('alice\'s token reaches alice\'s tasks, once, as alice', async () => {
    const reply = await get(`/api/${alice.userId}/tasks`, alice.token);
    expect(reply.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.headers['x-user-id']).toBe(alice.userId);
    expect(upstream.requests[0]!.headers['x-user-email']).toBe('alice@example.com');
  });

  it('alice\'s token on bob\'s tasks → 403, and bob\'s own token works there', async () => {
    expectDenial(await get(`/api/${bob.userId}/tasks`, alice.token), 403, 'user_mismatch');
    expect(upstream.requests).toHaveLength(0);
    expect((await get(`/api/${bob.userId}/tasks`, bob.token)).status).toBe(200);
  });

  it('alice\'s token with its payload rewritten to bob → 401', async () => {
    const [h, p, s] = alice.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${h}.${base64url(JSON.stringify({ ...claims, sub: bob.userId }))}.${s}`;
    expectDenial(await get(`/api/${bob.userId}/tasks`, forged), 401, 'invalid_token');
    expect(upstream.requests).toHaveLength(0);
  });

  it('alice\'s header and payload with alg none → 401', async () => {
    const [h, p] = alice.token.split('.') as [string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    expectDenial(await get(`/api/${alice.userId}/tasks`, craftToken({ ...header, alg: 'none' }, payload, 'AAAA')), 401, 'invalid_token');
    expect(upstream.requests).toHaveLength(0);
  });

  it('the user id in another case → 403', async () => {
    const variant = alice.userId.toUpperCase() === alice.userId ? alice.userId.toLowerCase() : alice.userId.toUpperCase();
    expect(variant).not.toBe(alice.userId);
    expectDenial(await get(`/api/${variant}/tasks`, alice.token), 403, 'user_mismatch');
  });
});
