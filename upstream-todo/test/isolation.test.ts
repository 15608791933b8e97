// Per-user isolation by URL: another user's task is indistinguishable from a
// missing one on every route, and is never changed by the attempt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { client, type Reply } from './helpers/http.js';

let server: RunningServer;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  server = await startServer();
  api = client(server.url);
});
afterAll(() => server.close());

// The parts of a response a client could tell apart (Date and keep-alive aside).
function observable(res: Reply) {
  return {
    status: res.status,
    type: res.headers['content-type'],
    length: res.headers['content-length'],
    text: res.text,
  };
}

describe("another user's task", () => {
  it('answers exactly like a missing task on GET, PUT, DELETE and PATCH, and stays untouched', async () => {
    const alice = (await api.post('/api/alice/tasks', { json: { title: "alice's", description: 'private' } })).body;
    const missingId = alice.id + 1_000_000;

    const attempts: Array<[string, (id: number) => Promise<Reply>]> = [
      ['GET', (id) => api.get(`/api/bob/tasks/${id}`)],
      ['PUT', (id) => api.put(`/api/bob/tasks/${id}`, { json: { title: 'stolen', completed: true } })],
      ['PATCH', (id) => api.patch(`/api/bob/tasks/${id}/complete`)],
      ['DELETE', (id) => api.delete(`/api/bob/tasks/${id}`)],
    ];
    for (const [method, attempt] of attempts) {
      const foreign = await attempt(alice.id);
      const missing = await attempt(missingId);
      expect(foreign.status, method).toBe(404);
      expect(observable(foreign), method).toEqual(observable(missing));
    }

    expect((await api.get(`/api/alice/tasks/${alice.id}`)).body).toEqual(alice);
    expect((await api.get('/api/alice/tasks')).body).toEqual([alice]);
    expect((await api.get('/api/bob/tasks')).body).toEqual([]);
  });

  it('user ids are compared exactly: case and whitespace make a different user', async () => {
    const task = (await api.post('/api/Carol/tasks', { json: { title: 't' } })).body;
    expect((await api.get(`/api/carol/tasks/${task.id}`)).status).toBe(404);
    expect((await api.get(`/api/Carol%20/tasks/${task.id}`)).status).toBe(404);
    expect((await api.get('/api/carol/tasks')).body).toEqual([]);
    expect((await api.get(`/api/Carol/tasks/${task.id}`)).status).toBe(200);
  });

  it("lists never mix users, even with interleaved writes", async () => {
    const users = ['u1', 'u2', 'u3'];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => api.post(`/api/${users[i % 3]}/tasks`, { json: { title: `t${i}` } })),
    );
    for (const user of users) {
      const list = (await api.get(`/api/${user}/tasks`)).body as Array<{ user_id: string }>;
      expect(list).toHaveLength(10);
      expect(list.every((t) => t.user_id === user)).toBe(true);
    }
  });
});
