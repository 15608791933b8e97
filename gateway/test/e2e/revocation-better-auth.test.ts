// The seed's edge case "a user's account is deleted but they still have valid JWT tokens":
// with real Better Auth tokens (EdDSA over JWKS) and the real task service, revoking the
// subject refuses the still-valid, already-cached token at once; other users are untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startServer } from 'upstream-todo';
import { adminEnv, revoke, withAdminToken } from '../support/admin-api.js';
import { startBetterAuth, type BetterAuthFixture } from '../support/better-auth.js';
import { betterAuthConfig, startTestGateway, type TestGateway } from '../support/gateway.js';

let ba: BetterAuthFixture;
let todo: { url: string; close(): Promise<void> };
let gateway: TestGateway;

beforeAll(async () => {
  [ba, todo] = await Promise.all([startBetterAuth(), startServer({ dbPath: ':memory:', logger: false })]);
  gateway = await startTestGateway(withAdminToken(betterAuthConfig(todo.url, ba)), adminEnv);
});
afterAll(async () => {
  await gateway?.close();
  await Promise.all([todo?.close(), ba?.close()]);
});

async function listTasks(userId: string, token: string): Promise<{ status: number; reason?: string }> {
  const res = await request(`${gateway.url}/api/${userId}/tasks`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.body.json()) as { reason?: string };
  return res.statusCode === 200 ? { status: 200 } : { status: res.statusCode, reason: body.reason! };
}

describe('a deleted account\'s tokens (seed edge case), with Better Auth', () => {
  it('revoking the subject refuses its cached, unexpired token; other users keep working', async () => {
    const alice = await ba.signUp('gone@example.com', 'correct horse battery', 'Gone');
    const bob = await ba.signUp('stays@example.com', 'correct horse battery', 'Stays');
    expect(await listTasks(alice.userId, alice.token)).toEqual({ status: 200 });
    expect(await listTasks(alice.userId, alice.token)).toEqual({ status: 200 }); // from the token cache

    await revoke(gateway.adminUrl, { sub: alice.userId });
    expect(await listTasks(alice.userId, alice.token)).toEqual({ status: 401, reason: 'token_revoked' });
    expect(await listTasks(bob.userId, bob.token)).toEqual({ status: 200 });
  });
});
