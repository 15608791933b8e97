// Many parallel creates and toggles over real HTTP: nothing is lost, and each
// toggle is atomic (the states returned form an exact alternation).
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { call } from './helpers/http.js';

let server: RunningServer;
// Parallel sockets, as a busy gateway would open them.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const send = (method: string, path: string, json?: unknown) =>
  call(server.url, method, path, json === undefined ? { agent } : { json, agent });

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  agent.destroy();
  await server.close();
});

describe('concurrency', () => {
  it('200 parallel creates and 100 parallel toggles of one task, all at once', async () => {
    const user = 'busy';
    const target = (await send('POST', `/api/${user}/tasks`, { title: 'target' })).body;

    const creates = Array.from({ length: 200 }, (_, i) => send('POST', `/api/${user}/tasks`, { title: `task ${i}` }));
    const toggles = Array.from({ length: 100 }, () => send('PATCH', `/api/${user}/tasks/${target.id}/complete`));
    const [created, toggled] = await Promise.all([Promise.all(creates), Promise.all(toggles)]);

    expect(created.every((r) => r.status === 201)).toBe(true);
    const ids = created.map((r) => r.body.id as number);
    expect(new Set(ids).size).toBe(200);
    expect(ids).not.toContain(target.id);

    const list = (await send('GET', `/api/${user}/tasks`)).body as Array<{ id: number; title: string }>;
    expect(list).toHaveLength(201);
    expect(new Set(list.map((t) => t.title))).toEqual(
      new Set(['target', ...Array.from({ length: 200 }, (_, i) => `task ${i}`)]),
    );

    // Serialized toggles alternate: ordered by updated_at (strictly increasing,
    // so every toggle has its own), the states must go true, false, true, …
    expect(toggled.every((r) => r.status === 200)).toBe(true);
    const states = toggled
      .map((r) => r.body as { completed: boolean; updated_at: string })
      .sort((a, b) => (a.updated_at < b.updated_at ? -1 : 1));
    expect(new Set(states.map((s) => s.updated_at)).size).toBe(100);
    states.forEach((s, i) => expect(s.completed, `toggle #${i + 1}`).toBe(i % 2 === 0));

    const final = (await send('GET', `/api/${user}/tasks/${target.id}`)).body;
    expect(final.completed).toBe(false); // 100 toggles: back where it started
  });

  it('parallel toggles across tasks: task k toggled k times ends completed iff k is odd', async () => {
    const user = 'parity';
    const tasks = await Promise.all(
      Array.from({ length: 12 }, (_, k) => send('POST', `/api/${user}/tasks`, { title: `k=${k + 1}` })),
    );
    const work: Array<Promise<unknown>> = [];
    tasks.forEach((res, index) => {
      const k = index + 1;
      for (let n = 0; n < k; n++) work.push(send('PATCH', `/api/${user}/tasks/${res.body.id}/complete`));
    });
    // Interleave with updates of the other fields: they must not clobber completion.
    tasks.forEach((res) => work.push(send('PUT', `/api/${user}/tasks/${res.body.id}`, { description: 'touched' })));
    await Promise.all(work);

    const list = (await send('GET', `/api/${user}/tasks`)).body as Array<{ title: string; completed: boolean; description: string }>;
    expect(list).toHaveLength(12);
    for (const task of list) {
      const k = Number(task.title.slice(2));
      expect(task.completed, task.title).toBe(k % 2 === 1);
      expect(task.description).toBe('touched');
    }
  });

  it('parallel deletes of one task: exactly one 204, the rest 404', async () => {
    const task = (await send('POST', '/api/racer/tasks', { title: 'once' })).body;
    const results = await Promise.all(Array.from({ length: 20 }, () => send('DELETE', `/api/racer/tasks/${task.id}`)));
    expect(results.filter((r) => r.status === 204)).toHaveLength(1);
    expect(results.filter((r) => r.status === 404)).toHaveLength(19);
  });
});
