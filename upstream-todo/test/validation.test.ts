// Every validation rule, over real HTTP: a clear 400 JSON error, never a 500,
// and nothing is written when a request is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { client, type CallOptions, type Reply } from './helpers/http.js';

let server: RunningServer;
let api: ReturnType<typeof client>;
const USER = 'validator';
let taskPath: string;

beforeAll(async () => {
  server = await startServer();
  api = client(server.url);
  const created = await api.post(`/api/${USER}/tasks`, { json: { title: 'original', description: 'kept' } });
  taskPath = created.headers.location!;
});
afterAll(() => server.close());

function expectBadRequest(res: Reply, messagePart: string | RegExp) {
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(['error', 'message']);
  expect(res.body.error).toBe('bad_request');
  expect(res.body.message).toMatch(messagePart);
}

const json = (body: unknown): CallOptions => ({ json: body });
const raw = (text: string, type = 'application/json'): CallOptions => ({ raw: text, headers: { 'content-type': type } });

describe('POST body', () => {
  const cases: Array<[string, CallOptions, string | RegExp]> = [
    ['no body at all', {}, 'body must be object'],
    ['an empty JSON body', raw(''), 'body must be object'],
    ['invalid JSON', raw('{"title": '), /not valid JSON/],
    ['a JSON array', json([{ title: 'x' }]), 'body must be object'],
    ['a JSON string', json('x'), 'body must be object'],
    ['JSON null', raw('null'), 'body must be object'],
    ['a text/plain body', raw('title=x', 'text/plain'), 'body must be object'],
    ['a missing title', json({ description: 'd' }), "body must have required property 'title'"],
    ['an empty title', json({ title: '' }), 'body/title must NOT have fewer than 1 characters'],
    ['a title of whitespace only', json({ title: ' \t\n ' }), 'body/title must NOT have fewer than 1 characters'],
    ['a 201-character title', json({ title: 'x'.repeat(201) }), 'body/title must NOT have more than 200 characters'],
    ['a number title', json({ title: 123 }), 'body/title must be string'],
    ['a boolean title', json({ title: true }), 'body/title must be string'],
    ['a null title', json({ title: null }), 'body/title must be string'],
    ['an array title', json({ title: ['x'] }), 'body/title must be string'],
    ['a 1001-character description', json({ title: 't', description: 'd'.repeat(1001) }), 'body/description must NOT have more than 1000 characters'],
    ['a number description', json({ title: 't', description: 5 }), 'body/description must be string,null'],
    ['an object description', json({ title: 't', description: {} }), 'body/description must be string,null'],
    ['an unknown field', json({ title: 't', priority: 1 }), 'body must NOT have additional properties'],
    ['a client-chosen id', json({ title: 't', id: 7 }), 'body must NOT have additional properties'],
    ['a client-chosen user_id', json({ title: 't', user_id: 'someone-else' }), 'body must NOT have additional properties'],
    ['completed on create', json({ title: 't', completed: true }), 'body must NOT have additional properties'],
    ['a __proto__ key', raw('{"title":"t","__proto__":{"x":1}}'), /not valid JSON/],
    ['a constructor.prototype key', raw('{"title":"t","constructor":{"prototype":{"x":1}}}'), /not valid JSON/],
  ];
  it.each(cases)('refuses %s', async (_name, options, message) => {
    const before = (await api.get(`/api/${USER}/tasks`)).body.length;
    expectBadRequest(await api.post(`/api/${USER}/tasks`, options), message);
    expect((await api.get(`/api/${USER}/tasks`)).body.length).toBe(before);
  });

  it('accepts the limits exactly: 1 and 200 characters after trimming, 1000-character description', async () => {
    const longest = await api.post(`/api/${USER}/tasks`, { json: { title: ` ${'t'.repeat(200)} `, description: 'd'.repeat(1000) } });
    expect(longest.status).toBe(201);
    expect(longest.body.title).toHaveLength(200);
    expect(longest.body.description).toHaveLength(1000);
    const shortest = await api.post(`/api/${USER}/tasks`, { json: { title: ' a ', description: '' } });
    expect(shortest.status).toBe(201);
    expect(shortest.body).toMatchObject({ title: 'a', description: '' });
  });

  it('counts characters, not bytes (200 emoji is a valid title)', async () => {
    const res = await api.post(`/api/${USER}/tasks`, { json: { title: '😀'.repeat(200) } });
    expect(res.status).toBe(201);
    expect([...res.body.title]).toHaveLength(200);
  });

  it('refuses a body type it cannot parse with 415 JSON, on POST and PUT', async () => {
    for (const res of [
      await api.post(`/api/${USER}/tasks`, raw('<task/>', 'application/xml')),
      await api.put(taskPath, raw('<task/>', 'application/xml')),
    ]) {
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ error: 'unsupported_media_type', message: 'Unsupported Media Type' });
    }
  });

  it('refuses a body over the 64 KiB limit with 413 JSON', async () => {
    const res = await api.post(`/api/${USER}/tasks`, { json: { title: 't', description: 'd'.repeat(70_000) } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'payload_too_large' });
  });
});

describe('PUT body', () => {
  const cases: Array<[string, CallOptions, string | RegExp]> = [
    ['no body', {}, 'body must be object'],
    ['an empty object', json({}), 'body must NOT have fewer than 1 properties'],
    ['an empty title', json({ title: '' }), 'body/title must NOT have fewer than 1 characters'],
    ['a whitespace title', json({ title: '   ' }), 'body/title must NOT have fewer than 1 characters'],
    ['a 201-character title', json({ title: 'x'.repeat(201) }), 'body/title must NOT have more than 200 characters'],
    ['a null title', json({ title: null }), 'body/title must be string'],
    ['a 1001-character description', json({ description: 'd'.repeat(1001) }), 'body/description must NOT have more than 1000 characters'],
    ['a string "true" for completed', json({ completed: 'true' }), 'body/completed must be boolean'],
    ['1 for completed', json({ completed: 1 }), 'body/completed must be boolean'],
    ['null for completed', json({ completed: null }), 'body/completed must be boolean'],
    ['an unknown field', json({ title: 't', done: true }), 'body must NOT have additional properties'],
    ['an id change', json({ id: 99 }), 'body must NOT have additional properties'],
    ['an owner change', json({ user_id: 'mallory' }), 'body must NOT have additional properties'],
    ['a timestamp change', json({ created_at: '2000-01-01T00:00:00.000Z' }), 'body must NOT have additional properties'],
    ['invalid JSON', raw('{'), /not valid JSON/],
  ];
  it.each(cases)('refuses %s and leaves the task unchanged', async (_name, options, message) => {
    const before = (await api.get(taskPath)).body;
    expectBadRequest(await api.put(taskPath, options), message);
    expect((await api.get(taskPath)).body).toEqual(before);
  });
});

describe('path parameters', () => {
  const badIds = ['abc', '0', '-1', '01', '1.5', '1e3', '0x10', '%201', '1%20', '+1', '9'.repeat(16), '1'.repeat(100)];
  it.each(badIds)('refuses task id %j with 400 on every task route', async (id) => {
    const path = `/api/${USER}/tasks/${id}`;
    for (const res of [
      await api.get(path),
      await api.put(path, { json: { title: 'x' } }),
      await api.delete(path),
      await api.patch(`${path}/complete`),
    ]) {
      expectBadRequest(res, 'params/id must match pattern');
    }
  });

  it('refuses an empty task id (a trailing slash) with 400', async () => {
    expectBadRequest(await api.get(`/api/${USER}/tasks/`), 'params/id');
  });

  it('takes the largest 15-digit id as a plain 404', async () => {
    const res = await api.get(`/api/${USER}/tasks/${'9'.repeat(15)}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'Task not found' });
  });

  it('accepts a user_id of 255 characters and refuses 256', async () => {
    const ok = await api.post(`/api/${'u'.repeat(255)}/tasks`, { json: { title: 't' } });
    expect(ok.status).toBe(201);
    expect(ok.body.user_id).toBe('u'.repeat(255));
    expectBadRequest(await api.get(`/api/${'u'.repeat(256)}/tasks`), 'params/user_id must NOT have more than 255 characters');
    expectBadRequest(await api.post(`/api/${'u'.repeat(256)}/tasks`, { json: { title: 't' } }), 'params/user_id');
  });

  it('refuses an empty user_id', async () => {
    expectBadRequest(await api.get('/api//tasks'), 'params/user_id must NOT have fewer than 1 characters');
  });

  it('refuses malformed percent-encoding with a 400 JSON error', async () => {
    const res = await api.get('/api/%zz/tasks');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_request');
  });
});

describe('errors never leak internals', () => {
  it('no error body carries a stack, a code or a file path', async () => {
    const responses = [
      await api.post(`/api/${USER}/tasks`, raw('{bad')),
      await api.post(`/api/${USER}/tasks`, json({ title: '' })),
      await api.get(`/api/${USER}/tasks/abc`),
      await api.get('/nope'),
    ];
    for (const res of responses) {
      expect(Object.keys(res.body).sort()).toEqual(['error', 'message']);
      expect(res.text).not.toMatch(/at \w+ \(|node_modules|\.ts:|\.js:|FST_/);
    }
  });
});
