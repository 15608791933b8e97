// The typed API client against the real stack: the web app's Better Auth config issuing tokens,
// the real gateway (its bin, a test config) verifying them, and the real task service behind.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError, SessionExpiredError, createTaskApi, type TokenSource } from '../lib/api-client.js';
import { startGateway, type RunningGateway } from './support/gateway.js';
import { startIssuer, type RunningIssuer, type TestUser } from './support/issuer.js';
import { startUpstream, type RunningUpstream } from './support/upstream.js';

/** Counts what the client actually sends, so tests can assert "no request" or "one retry". */
function recordingFetch() {
  const sent: Array<{ method: string; url: string; authorization: string | null }> = [];
  const impl: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    sent.push({ method: init?.method ?? 'GET', url: String(input), authorization: headers.get('authorization') });
    return fetch(input, init);
  };
  return { sent, impl };
}

/** Same header and payload, signature flipped: a token the gateway must refuse (401). */
function tamper(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const flipped = s.startsWith('A') ? `B${s.slice(1)}` : `A${s.slice(1)}`;
  return `${h}.${p}.${flipped}`;
}

describe('API client through the real gateway (EdDSA tokens from Better Auth JWKS)', () => {
  let upstream: RunningUpstream;
  let issuer: RunningIssuer;
  let gateway: RunningGateway;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    upstream = await startUpstream();
    issuer = await startIssuer();
    gateway = await startGateway({
      upstreamUrl: upstream.url,
      webOrigin: issuer.origin,
      secret: issuer.secret,
      issuers: ['jwks'],
    });
    alice = await issuer.signUp(`alice-${Date.now()}@example.com`);
    bob = await issuer.signUp(`bob-${Date.now()}@example.com`);
  });

  afterAll(async () => {
    await gateway?.stop();
    await issuer?.close();
    await upstream?.close();
  });

  it('creates, reads, edits, toggles and deletes a task, attaching the Bearer token', async () => {
    const rec = recordingFetch();
    const api = createTaskApi({ baseUrl: gateway.url, getToken: issuer.tokenSource(alice), fetch: rec.impl });

    expect(await api.list(alice.id)).toEqual([]);
    const created = await api.create(alice.id, { title: 'Buy milk', description: '2 litres' });
    expect(created).toMatchObject({ user_id: alice.id, title: 'Buy milk', description: '2 litres', completed: false });
    expect(await api.get(alice.id, created.id)).toEqual(created);

    const edited = await api.update(alice.id, created.id, { title: 'Buy oat milk', description: null });
    expect(edited).toMatchObject({ id: created.id, title: 'Buy oat milk', description: null });
    expect((await api.toggle(alice.id, created.id)).completed).toBe(true);
    expect((await api.toggle(alice.id, created.id)).completed).toBe(false);

    await api.remove(alice.id, created.id);
    expect(await api.list(alice.id)).toEqual([]);
    const missing = await api.get(alice.id, created.id).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect((missing as ApiError).status).toBe(404);

    expect(rec.sent.length).toBe(9);
    for (const request of rec.sent) {
      expect(request.url.startsWith(gateway.url)).toBe(true);
      expect(request.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    }
  });

  it('fetches one token for many calls, concurrent ones included, and renews it shortly before exp', async () => {
    const source = vi.fn(issuer.tokenSource(alice));
    let now = Date.now();
    const api = createTaskApi({ baseUrl: gateway.url, getToken: source, now: () => now, refreshMarginSeconds: 30 });

    await Promise.all([api.list(alice.id), api.list(alice.id), api.list(alice.id)]);
    await api.list(alice.id);
    expect(source).toHaveBeenCalledTimes(1);

    now += (15 * 60 - 31) * 1000; // still more than 30 s before the 15-minute exp
    await api.list(alice.id);
    expect(source).toHaveBeenCalledTimes(1);

    now += 2_000; // now within the 30 s margin: renew before the gateway would refuse it
    await api.list(alice.id);
    expect(source).toHaveBeenCalledTimes(2);
  });

  it('on a 401 fetches a fresh token once and retries once (a POST included)', async () => {
    const real = issuer.tokenSource(alice);
    let calls = 0;
    const source: TokenSource = async () => {
      calls += 1;
      const token = await real();
      return calls === 1 && token ? tamper(token) : token;
    };
    const rec = recordingFetch();
    const onSessionExpired = vi.fn();
    const api = createTaskApi({ baseUrl: gateway.url, getToken: source, fetch: rec.impl, onSessionExpired });

    const task = await api.create(alice.id, { title: 'survives a refused token' });
    expect(task.title).toBe('survives a refused token');
    expect(calls).toBe(2);
    expect(rec.sent.map((r) => r.method)).toEqual(['POST', 'POST']);
    expect(rec.sent[0]!.authorization).not.toBe(rec.sent[1]!.authorization);
    expect(onSessionExpired).not.toHaveBeenCalled();
    // the refused attempt never reached the service: exactly one task was created
    expect((await api.list(alice.id)).filter((t) => t.title === 'survives a refused token')).toHaveLength(1);
  });

  it('when the fresh token is refused too, reports an expired session with the gateway reason', async () => {
    const real = issuer.tokenSource(alice);
    const source: TokenSource = async () => tamper((await real())!);
    const rec = recordingFetch();
    const onSessionExpired = vi.fn();
    const api = createTaskApi({ baseUrl: gateway.url, getToken: source, fetch: rec.impl, onSessionExpired });

    const err = await api.list(alice.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionExpiredError);
    expect((err as SessionExpiredError).status).toBe(401);
    expect((err as SessionExpiredError).reason).toBe('invalid_token');
    expect(rec.sent).toHaveLength(2); // one retry, never a loop
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
  });

  it("another user's id is refused by the gateway with 403 user_mismatch, without a retry", async () => {
    const bobApi = createTaskApi({ baseUrl: gateway.url, getToken: issuer.tokenSource(bob) });
    await bobApi.create(bob.id, { title: "bob's secret" });

    const rec = recordingFetch();
    const onSessionExpired = vi.fn();
    const aliceApi = createTaskApi({ baseUrl: gateway.url, getToken: issuer.tokenSource(alice), fetch: rec.impl, onSessionExpired });
    const err = await aliceApi.list(bob.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).not.toBeInstanceOf(SessionExpiredError);
    expect(err).toMatchObject({ status: 403, error: 'forbidden', reason: 'user_mismatch' });
    expect((err as ApiError).message).not.toBe('');
    expect((err as ApiError).requestId).toBeTruthy();
    expect(rec.sent).toHaveLength(1);
    expect(onSessionExpired).not.toHaveBeenCalled();
    // and bob still sees his task, alice none of it
    expect((await bobApi.list(bob.id)).map((t) => t.title)).toEqual(["bob's secret"]);
    expect((await aliceApi.list(alice.id)).some((t) => t.title === "bob's secret")).toBe(false);
  });

  it('shows the service validation message (400) as an ApiError', async () => {
    const api = createTaskApi({ baseUrl: gateway.url, getToken: issuer.tokenSource(alice) });
    const err = await api.create(alice.id, { title: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message.length).toBeGreaterThan(0);
  });

  it('after sign-out: no token, so no request is sent and the session is reported expired', async () => {
    const carol = await issuer.signUp(`carol-${Date.now()}@example.com`);
    const rec = recordingFetch();
    const onSessionExpired = vi.fn();
    const api = createTaskApi({ baseUrl: gateway.url, getToken: issuer.tokenSource(carol), fetch: rec.impl, onSessionExpired });
    await api.list(carol.id);
    await issuer.signOut(carol);
    api.clearToken(); // what the app does on sign-out

    const err = await api.list(carol.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionExpiredError);
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
    expect(rec.sent).toHaveLength(1); // only the call made before sign-out

    // and the gateway itself refuses a task call that carries no token
    const res = await fetch(`${gateway.url}/api/${carol.id}/tasks`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'unauthorized', reason: 'missing_token' });
  });
});

describe('API client with HS256 tokens signed with the shared BETTER_AUTH_SECRET', () => {
  let upstream: RunningUpstream;
  let issuer: RunningIssuer;
  let gateway: RunningGateway;

  beforeAll(async () => {
    upstream = await startUpstream();
    issuer = await startIssuer({ jwtAlg: 'hs256' });
    gateway = await startGateway({
      upstreamUrl: upstream.url,
      webOrigin: issuer.origin,
      secret: issuer.secret,
      issuers: ['shared-secret'],
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await issuer?.close();
    await upstream?.close();
  });

  it('the gateway accepts them and still binds the path to the subject', async () => {
    const dave = await issuer.signUp(`dave-${Date.now()}@example.com`);
    const source = issuer.tokenSource(dave);
    const token = (await source())!;
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });

    const api = createTaskApi({ baseUrl: gateway.url, getToken: source });
    const task = await api.create(dave.id, { title: 'signed with the shared secret' });
    expect(await api.list(dave.id)).toEqual([task]);
    await expect(api.list('someone-else')).rejects.toMatchObject({ status: 403, reason: 'user_mismatch' });
  });
});
