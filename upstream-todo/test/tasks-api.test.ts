// Every endpoint over real HTTP: the contract of docs/contract.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { client, ISO_MS_UTC, type CallOptions } from './helpers/http.js';

let server: RunningServer;
let api: ReturnType<typeof client>;
let userSeq = 0;
// Each test works under its own user, so tests never see each other's tasks.
const newUser = () => `user-${++userSeq}-${process.pid}`;

beforeAll(async () => {
  server = await startServer({ dbPath: ':memory:' });
  api = client(server.url);
});
afterAll(() => server.close());

const TASK_KEYS = ['completed', 'created_at', 'description', 'id', 'title', 'updated_at', 'user_id'];

describe('POST /api/:user_id/tasks', () => {
  it('creates a task: 201, the full task, Location of the new task', async () => {
    const user = newUser();
    const res = await api.post(`/api/${user}/tasks`, { json: { title: 'Buy milk', description: 'two litres' } });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const task = res.body;
    expect(Object.keys(task).sort()).toEqual(TASK_KEYS);
    expect(task).toMatchObject({ user_id: user, title: 'Buy milk', description: 'two litres', completed: false });
    expect(Number.isInteger(task.id) && task.id > 0).toBe(true);
    expect(task.created_at).toMatch(ISO_MS_UTC);
    expect(task.updated_at).toBe(task.created_at);
    expect(Math.abs(Date.parse(task.created_at) - Date.now())).toBeLessThan(60_000);
    expect(res.headers.location).toBe(`/api/${user}/tasks/${task.id}`);

    const fetched = await api.get(res.headers.location!);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(task);
  });

  it('defaults description to null and trims the title', async () => {
    const res = await api.post(`/api/${newUser()}/tasks`, { json: { title: '  \t padded \n ' } });
    expect(res.status).toBe(201);
    expect(res.body.title).toBe('padded');
    expect(res.body.description).toBeNull();
  });

  it('accepts an explicit null description', async () => {
    const res = await api.post(`/api/${newUser()}/tasks`, { json: { title: 't', description: null } });
    expect(res.status).toBe(201);
    expect(res.body.description).toBeNull();
  });

  it('percent-encodes an unusual user_id in Location', async () => {
    const res = await api.post('/api/a%20b%40c/tasks', { json: { title: 't' } });
    expect(res.status).toBe(201);
    expect(res.body.user_id).toBe('a b@c');
    expect(res.headers.location).toBe(`/api/a%20b%40c/tasks/${res.body.id}`);
    expect((await api.get(res.headers.location!)).body).toEqual(res.body);
  });

  it('gives ids that are never reused after a delete', async () => {
    const user = newUser();
    const first = (await api.post(`/api/${user}/tasks`, { json: { title: 'a' } })).body;
    expect((await api.delete(`/api/${user}/tasks/${first.id}`)).status).toBe(204);
    const second = (await api.post(`/api/${user}/tasks`, { json: { title: 'b' } })).body;
    expect(second.id).toBeGreaterThan(first.id);
  });
});

describe('GET /api/:user_id/tasks', () => {
  it('is an empty bare array for a user without tasks', async () => {
    const res = await api.get(`/api/${newUser()}/tasks`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('[]');
  });

  it("lists only that user's tasks, newest first", async () => {
    const user = newUser();
    const other = newUser();
    const created = [];
    for (const title of ['one', 'two', 'three']) {
      created.push((await api.post(`/api/${user}/tasks`, { json: { title } })).body);
    }
    await api.post(`/api/${other}/tasks`, { json: { title: 'not yours' } });

    const res = await api.get(`/api/${user}/tasks`);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    // Newest first; creations within the same millisecond fall back to id desc.
    expect(res.body).toEqual([...created].reverse());
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await api.head(`/api/${newUser()}/tasks`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.text).toBe('');
  });
});

describe('GET /api/:user_id/tasks/:id', () => {
  it('returns the task, or 404 JSON for an id that does not exist', async () => {
    const user = newUser();
    const task = (await api.post(`/api/${user}/tasks`, { json: { title: 't' } })).body;
    expect((await api.get(`/api/${user}/tasks/${task.id}`)).body).toEqual(task);

    const missing = await api.get(`/api/${user}/tasks/999999999`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'not_found', message: 'Task not found' });
  });
});

describe('PUT /api/:user_id/tasks/:id', () => {
  it('changes any subset of title, description, completed and moves updated_at', async () => {
    const user = newUser();
    const task = (await api.post(`/api/${user}/tasks`, { json: { title: 'old', description: 'd' } })).body;
    const path = `/api/${user}/tasks/${task.id}`;

    const titled = await api.put(path, { json: { title: '  new  ' } });
    expect(titled.status).toBe(200);
    expect(titled.body).toMatchObject({ id: task.id, title: 'new', description: 'd', completed: false });
    expect(titled.body.created_at).toBe(task.created_at);
    expect(titled.body.updated_at > task.updated_at).toBe(true);

    const done = await api.put(path, { json: { completed: true } });
    expect(done.body).toMatchObject({ title: 'new', description: 'd', completed: true });
    expect(done.body.updated_at > titled.body.updated_at).toBe(true);

    const cleared = await api.put(path, { json: { description: null } });
    expect(cleared.body).toMatchObject({ title: 'new', description: null, completed: true });

    const all = await api.put(path, { json: { title: 'x', description: 'y', completed: false } });
    expect(all.body).toMatchObject({ title: 'x', description: 'y', completed: false });
    expect(all.body.updated_at).toMatch(ISO_MS_UTC);

    expect((await api.get(path)).body).toEqual(all.body);
  });

  it('404s on a missing task', async () => {
    const res = await api.put(`/api/${newUser()}/tasks/424242`, { json: { title: 'x' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'Task not found' });
  });
});

describe('PATCH /api/:user_id/tasks/:id/complete', () => {
  it('toggles completion back and forth; updated_at strictly increases every time', async () => {
    const user = newUser();
    const task = (await api.post(`/api/${user}/tasks`, { json: { title: 't' } })).body;
    const path = `/api/${user}/tasks/${task.id}/complete`;
    let previous = task;
    for (const expected of [true, false, true, false, true]) {
      const res = await api.patch(path);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: task.id, title: 't', completed: expected, created_at: task.created_at });
      expect(res.body.updated_at > previous.updated_at).toBe(true);
      previous = res.body;
    }
  });

  it('needs no body, whatever the Content-Type says', async () => {
    const user = newUser();
    const task = (await api.post(`/api/${user}/tasks`, { json: { title: 't' } })).body;
    const path = `/api/${user}/tasks/${task.id}/complete`;
    const variants: CallOptions[] = [
      { headers: { 'content-type': 'application/json' } }, // empty body, content-length absent
      { headers: { 'content-type': 'application/json' }, raw: '' }, // content-length: 0
      { headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, // empty chunked body
      { headers: { 'content-type': 'text/plain' }, raw: 'ignored' },
      { headers: { 'content-type': 'application/xml' }, raw: '<ignored/>' },
      { json: { completed: true } }, // a body is ignored: PATCH toggles
    ];
    let expected = false;
    for (const variant of variants) {
      expected = !expected;
      const res = await api.patch(path, variant);
      expect(res.status, JSON.stringify(variant)).toBe(200);
      expect(res.body.completed, JSON.stringify(variant)).toBe(expected);
    }
  });

  it('404s on a missing task', async () => {
    const res = await api.patch(`/api/${newUser()}/tasks/5555/complete`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'Task not found' });
  });
});

describe('DELETE /api/:user_id/tasks/:id', () => {
  it('deletes: 204 with no body, then the task is gone', async () => {
    const user = newUser();
    const keep = (await api.post(`/api/${user}/tasks`, { json: { title: 'keep' } })).body;
    const gone = (await api.post(`/api/${user}/tasks`, { json: { title: 'gone' } })).body;

    const res = await api.delete(`/api/${user}/tasks/${gone.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    expect((await api.get(`/api/${user}/tasks/${gone.id}`)).status).toBe(404);
    expect((await api.get(`/api/${user}/tasks`)).body).toEqual([keep]);
    const again = await api.delete(`/api/${user}/tasks/${gone.id}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: 'not_found', message: 'Task not found' });
  });

  it('accepts a Content-Type: application/json header with no body', async () => {
    const user = newUser();
    const task = (await api.post(`/api/${user}/tasks`, { json: { title: 't' } })).body;
    const res = await api.delete(`/api/${user}/tasks/${task.id}`, { headers: { 'content-type': 'application/json' }, raw: '' });
    expect(res.status).toBe(204);
  });
});

describe('GET /health and unknown routes', () => {
  it('health is 200 {status: ok}', async () => {
    const res = await api.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('an unknown route is a 404 JSON error', async () => {
    for (const path of ['/', '/api', '/api/u/tasks/1/extra', '/api/u/task', '/API/u/tasks']) {
      const res = await api.get(path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).toEqual({ error: 'not_found', message: 'Route not found' });
    }
  });

  it('a method the route lacks is a 404 JSON error', async () => {
    const res = await api.delete('/api/u/tasks');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });
});
