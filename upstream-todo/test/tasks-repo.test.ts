// The data-access module with a controlled clock: ordering and the
// "updated_at always moves" rule, deterministically.
import { describe, expect, it } from 'vitest';
import { createTasksRepo, openDatabase } from '../src/index.js';

function repoWithClock(times: string[]) {
  const db = openDatabase();
  let i = 0;
  const repo = createTasksRepo(db, () => times[Math.min(i++, times.length - 1)]!);
  return { db, repo };
}

describe('tasks repo', () => {
  it('moves updated_at by 1 ms when the clock has not advanced (or went back)', () => {
    const T = '2026-11-25T18:00:00.999Z';
    const { db, repo } = repoWithClock([T, T, T, '2026-11-25T17:00:00.000Z', '2026-11-25T19:00:00.000Z']);
    const task = repo.create('u', { title: 't' });
    expect(task.created_at).toBe(T);
    expect(repo.toggle('u', task.id)!.updated_at).toBe('2026-11-25T18:00:01.000Z');
    expect(repo.update('u', task.id, { title: 'x' })!.updated_at).toBe('2026-11-25T18:00:01.001Z');
    expect(repo.toggle('u', task.id)!.updated_at).toBe('2026-11-25T18:00:01.002Z'); // clock went back an hour
    const later = repo.toggle('u', task.id)!;
    expect(later.updated_at).toBe('2026-11-25T19:00:00.000Z'); // clock ahead: taken as is
    expect(later.created_at).toBe(T);
    db.close();
  });

  it('lists newest first, ties broken by id', () => {
    const { db, repo } = repoWithClock(['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2025-12-31T00:00:00.000Z']);
    const a = repo.create('u', { title: 'a' });
    const b = repo.create('u', { title: 'b' });
    const c = repo.create('u', { title: 'c' });
    const d = repo.create('u', { title: 'd' });
    expect(repo.list('u').map((t) => t.id)).toEqual([c.id, b.id, a.id, d.id]);
    db.close();
  });

  it('update changes only the fields given, and can clear description', () => {
    const { db, repo } = repoWithClock(['2026-01-01T00:00:00.000Z']);
    const t = repo.create('u', { title: 't', description: 'd' });
    expect(repo.update('u', t.id, { completed: true })).toMatchObject({ title: 't', description: 'd', completed: true });
    expect(repo.update('u', t.id, { description: null })).toMatchObject({ title: 't', description: null, completed: true });
    expect(repo.update('u', t.id, { completed: false, title: 'n' })).toMatchObject({ title: 'n', description: null, completed: false });
    expect(repo.update('other', t.id, { title: 'stolen' })).toBeUndefined();
    expect(repo.toggle('other', t.id)).toBeUndefined();
    expect(repo.remove('other', t.id)).toBe(false);
    expect(repo.get('u', t.id)!.title).toBe('n');
    db.close();
  });

  it('ping reports a closed database', () => {
    const { db, repo } = repoWithClock(['2026-01-01T00:00:00.000Z']);
    expect(repo.ping()).toBe(true);
    db.close();
    expect(repo.ping()).toBe(false);
  });
});
