// A file database keeps every task across a restart, and a graceful close
// leaves a clean file (WAL checkpointed and removed).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, startServer } from '../src/index.js';
import { client } from './helpers/http.js';
import { tempDir } from './helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => dir?.remove());

describe('persistence on a file database', () => {
  it('keeps every task and every change across a restart', async () => {
    dir = tempDir();
    // A folder that does not exist yet: it is created.
    const dbPath = join(dir.path, 'nested', 'todo.sqlite');

    const first = await startServer({ dbPath });
    const api1 = client(first.url);
    const a = (await api1.post('/api/p/tasks', { json: { title: 'a', description: 'first' } })).body;
    const b = (await api1.post('/api/p/tasks', { json: { title: 'b' } })).body;
    const c = (await api1.post('/api/p/tasks', { json: { title: 'c' } })).body;
    const other = (await api1.post('/api/q/tasks', { json: { title: 'q' } })).body;
    await api1.put(`/api/p/tasks/${a.id}`, { json: { title: 'a2', description: null } });
    await api1.patch(`/api/p/tasks/${b.id}/complete`);
    await api1.delete(`/api/p/tasks/${c.id}`);
    const before = (await api1.get('/api/p/tasks')).body;
    expect(before.map((t: { title: string }) => t.title).sort()).toEqual(['a2', 'b']);
    await first.close();

    expect(existsSync(dbPath)).toBe(true);
    expect(existsSync(`${dbPath}-wal`)).toBe(false); // checkpointed by a clean close

    const second = await startServer({ dbPath });
    try {
      const api2 = client(second.url);
      expect((await api2.get('/api/p/tasks')).body).toEqual(before);
      expect((await api2.get(`/api/q/tasks/${other.id}`)).body).toEqual(other);
      expect((await api2.get(`/api/p/tasks/${c.id}`)).status).toBe(404);
      // ids keep increasing after a restart, even past a deleted one
      const d = (await api2.post('/api/p/tasks', { json: { title: 'd' } })).body;
      expect(d.id).toBeGreaterThan(other.id);
    } finally {
      await second.close();
    }
  });

  it('opens in WAL mode with the expected pragmas and schema version', () => {
    dir = tempDir();
    const db = openDatabase(join(dir.path, 'p.sqlite'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('user_version', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });

  it('refuses a database from a newer schema version instead of guessing', () => {
    dir = tempDir();
    const path = join(dir.path, 'future.sqlite');
    const db = openDatabase(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openDatabase(path)).toThrow(/schema version 99 is newer/);
  });

  it('close() is idempotent', async () => {
    const server = await startServer();
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
  });

  it('startServer fails cleanly when the port is taken', async () => {
    const taken = await startServer();
    try {
      const port = Number(new URL(taken.url).port);
      await expect(startServer({ port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await taken.close();
    }
  });
});
