// The revocation hooks of lib/auth.ts, with this app's own Better Auth configuration on node:http
// and a real HTTP server standing in for the gateway's admin API: tokens carry `sid`; sign-out
// revokes the session (and still signs out when the gateway is down); account deletion revokes
// the subject first and is refused, keeping the account, when the gateway does not confirm it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAdminApi, type FakeAdminApi } from './support/admin-api.js';
import { startIssuer, type RunningIssuer, type TestUser } from './support/issuer.js';

const ADMIN_TOKEN = randomBytes(32).toString('base64url');

let admin: FakeAdminApi;
let issuer: RunningIssuer;
let counter = 0;

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function tokenOf(user: TestUser): Promise<string | null> {
  return issuer.tokenSource(user)();
}

async function sessionIdOf(user: TestUser): Promise<string> {
  const res = await fetch(`${issuer.origin}/api/auth/get-session`, { headers: { cookie: user.cookie } });
  return ((await res.json()) as { session: { id: string } }).session.id;
}

const newEmail = () => `user-${Date.now()}-${(counter += 1)}@example.com`;

beforeAll(async () => {
  admin = await startFakeAdminApi();
  issuer = await startIssuer({ adminUrl: admin.url, adminToken: ADMIN_TOKEN });
});

afterAll(async () => {
  await issuer?.close();
  await admin?.close();
});

beforeEach(() => {
  admin.received.length = 0;
  admin.fallback = undefined;
});

describe('the token', () => {
  it("carries the session's id as `sid`, next to the claims it always had", async () => {
    const user = await issuer.signUp(newEmail());
    const claims = claimsOf((await tokenOf(user))!);
    expect(claims.sid).toBe(await sessionIdOf(user));
    expect(claims).toMatchObject({ sub: user.id, id: user.id, email: user.email, iss: issuer.origin, aud: issuer.origin });
    expect(claims.sid).not.toBe(user.cookie.match(/session_token=([^.;]+)/)?.[1]); // the id, never the cookie's token
  });

  it('HS256 tokens (custom signer) carry it too', async () => {
    const hs = await startIssuer({ jwtAlg: 'hs256' });
    try {
      const user = await hs.signUp(newEmail());
      const claims = claimsOf((await hs.tokenSource(user)())!);
      expect(claims.sid).toEqual(expect.any(String));
    } finally {
      await hs.close();
    }
  });
});

describe('sign-out', () => {
  it('revokes that session at the gateway before answering', async () => {
    const user = await issuer.signUp(newEmail());
    const sid = claimsOf((await tokenOf(user))!).sid;
    await issuer.signOut(user);
    expect(admin.received).toEqual([
      expect.objectContaining({ method: 'POST', path: '/revocations', authorization: `Bearer ${ADMIN_TOKEN}`, body: { sid } }),
    ]);
  });

  it('still signs out when the gateway answers 503 (the token then ends at its exp)', async () => {
    const user = await issuer.signUp(newEmail());
    admin.fallback = () => ({ status: 503, body: { error: 'service_unavailable' } });
    await issuer.signOut(user); // throws unless 2xx
    expect(admin.received).toHaveLength(1);
    expect(await tokenOf(user)).toBeNull(); // the session is gone all the same
  });
});

describe('account deletion', () => {
  it('revokes the subject first, then every session of the account, and deletes it', async () => {
    const email = newEmail();
    const first = await issuer.signUp(email);
    const second = await issuer.signIn(email);
    const token = (await tokenOf(first))!;
    const sids = [await sessionIdOf(first), await sessionIdOf(second)];

    const res = await issuer.deleteAccount(first);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, message: 'User deleted' });

    const [subject, ...sessions] = admin.received;
    expect(subject).toMatchObject({ method: 'POST', path: '/revocations', authorization: `Bearer ${ADMIN_TOKEN}` });
    const { sub, before } = subject!.body as { sub: string; before: string };
    expect(sub).toBe(first.id);
    // Every token issued so far has iat (whole seconds) at or before `before`.
    expect(Math.floor(Date.parse(before) / 1000)).toBeGreaterThanOrEqual(claimsOf(token).iat as number);
    expect(sessions.map((q) => q.body).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      sids.map((sid) => ({ sid })).sort((a, b) => a.sid.localeCompare(b.sid)),
    );
    expect(await tokenOf(second)).toBeNull();
    await expect(issuer.signIn(email)).rejects.toThrow(/HTTP 401/);
  });

  it('is refused with 503 and keeps the account when the gateway never confirms the revocation', async () => {
    const email = newEmail();
    const user = await issuer.signUp(email);
    admin.fallback = () => ({ status: 503, body: { error: 'service_unavailable' } });

    const res = await issuer.deleteAccount(user);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'TOKEN_REVOCATION_FAILED', message: expect.stringMatching(/not deleted/) });
    expect(admin.received.map((q) => Object.keys(q.body as object).sort())).toEqual([['before', 'sub'], ['before', 'sub'], ['before', 'sub']]);

    // Nothing was deleted: the session still works and the user can sign in again.
    expect(await tokenOf(user)).toEqual(expect.any(String));
    await issuer.signIn(email);

    // Once the gateway is back, the same request deletes the account.
    admin.fallback = undefined;
    expect((await issuer.deleteAccount(user)).status).toBe(200);
  });

  it('without GATEWAY_ADMIN_TOKEN, deletion and sign-out work and nothing is sent', async () => {
    const plain = await startIssuer({ adminUrl: admin.url });
    try {
      const a = await plain.signUp(newEmail());
      await plain.signOut(a);
      const b = await plain.signUp(newEmail());
      expect((await plain.deleteAccount(b)).status).toBe(200);
      expect(admin.received).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});
