// The seed's acceptance scenarios, end to end: tokens from a real Better Auth (jwt plugin,
// JWKS over HTTP), the real gateway, and the real, unmodified task service behind it.
import { beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startServer } from 'upstream-todo';
import { startBetterAuth } from '../support/better-auth.js';
import { betterAuthConfig } from '../support/gateway.js';
import { useGateway, useServer } from '../support/suite.js';

const ba = useServer(startBetterAuth, 'Better Auth');
const todo = useServer(() => startServer({ dbPath: ':memory:', logger: false }), 'the task service');
const gateway = useGateway(() => betterAuthConfig(todo.url, ba));
let alice: { userId: string; token: string };
let bob: { userId: string; token: string };
beforeAll(async () => {
  alice = await ba.signUp('alice@example.com', 'correct horse battery', 'Alice');
  bob = await ba.signUp('bob@example.com', 'correct horse battery', 'Bob');
});

async function api(method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${gateway.url}${path}`, { method: method as 'GET', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? (JSON.parse(text) as any) : undefined };
}

describe('User story 1: a signed-in user manages their own tasks (FR-003, FR-006, SC-003)', () => {
  it('supports every task operation through the gateway with the API shape unchanged', async () => {
    const base = `/api/${alice.userId}/tasks`;
    const created = await api('POST', base, alice.token, { title: '  Buy milk ', description: 'oat' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ user_id: alice.userId, title: 'Buy milk', description: 'oat', completed: false });
    const id = created.json.id as number;

    expect((await api('GET', `${base}/${id}`, alice.token)).json).toMatchObject({ id, title: 'Buy milk' });
    expect((await api('PUT', `${base}/${id}`, alice.token, { title: 'Buy oat milk' })).json).toMatchObject({ id, title: 'Buy oat milk' });
    expect((await api('PATCH', `${base}/${id}/complete`, alice.token)).json).toMatchObject({ id, completed: true });
    const list = await api('GET', base, alice.token);
    expect(list.status).toBe(200);
    expect(list.json.map((t: { id: number }) => t.id)).toEqual([id]);
    expect((await api('DELETE', `${base}/${id}`, alice.token)).status).toBe(204);
    expect((await api('GET', `${base}/${id}`, alice.token)).status).toBe(404);
  });
});

describe('User story 2: every request is authenticated (FR-001, FR-004, SC-002)', () => {
  it('refuses a missing, malformed or forged token with 401 and the service is never asked', async () => {
    const base = `/api/${alice.userId}/tasks`;
    expect((await api('GET', base)).json).toMatchObject({ error: 'unauthorized', reason: 'missing_token' });
    expect((await api('GET', base, 'not.a.jwt')).status).toBe(401);
    const [h, p] = alice.token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: bob.userId })).toString('base64url')}.${alice.token.split('.')[2]}`;
    expect((await api('GET', `/api/${bob.userId}/tasks`, forged)).json).toMatchObject({ reason: 'invalid_token' });
    // Nothing was created for anyone by the refused POST.
    expect((await api('POST', base, undefined, { title: 'sneaky' })).status).toBe(401);
    expect((await api('GET', base, alice.token)).json.some((t: { title: string }) => t.title === 'sneaky')).toBe(false);
  });
});

describe('User story 3: users are isolated (FR-007, SC-001, SC-005)', () => {
  it('alice cannot list, read, change, toggle or delete bob\'s tasks, and bob\'s stay intact', async () => {
    const bobs = await api('POST', `/api/${bob.userId}/tasks`, bob.token, { title: 'Bob\'s secret' });
    const id = bobs.json.id as number;
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', `/api/${bob.userId}/tasks`],
      ['POST', `/api/${bob.userId}/tasks`, { title: 'planted by alice' }],
      ['GET', `/api/${bob.userId}/tasks/${id}`],
      ['PUT', `/api/${bob.userId}/tasks/${id}`, { title: 'hacked' }],
      ['PATCH', `/api/${bob.userId}/tasks/${id}/complete`],
      ['DELETE', `/api/${bob.userId}/tasks/${id}`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await api(method, path, alice.token, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json).toMatchObject({ error: 'forbidden', reason: 'user_mismatch' });
    }
    const bobList = await api('GET', `/api/${bob.userId}/tasks`, bob.token);
    expect(bobList.json).toEqual([expect.objectContaining({ id, title: 'Bob\'s secret', completed: false })]);
    // Alice reaching bob's task id through her own URL finds nothing: the service filters by URL user.
    expect((await api('GET', `/api/${alice.userId}/tasks/${id}`, alice.token)).status).toBe(404);
  });
});
