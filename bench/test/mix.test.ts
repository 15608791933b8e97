import { describe, expect, it } from 'vitest';
import { MIX_PATTERN, buildMix, describeMix } from '../src/mix.js';

const readers = [
  { id: 'r1', token: 't.r.1', taskIds: [1, 2, 3] },
  { id: 'r2', token: 't.r.2', taskIds: [4, 5, 6] },
];
const writers = [{ id: 'w1', token: 't.w.1', taskIds: [] }];

describe('buildMix', () => {
  const plan = buildMix(readers, writers);

  it('runs the ten-request pattern once per reader', () => {
    expect(plan).toHaveLength(readers.length * MIX_PATTERN.length);
    expect(describeMix()).toBe('list 30%, get 40%, toggle 20%, create 10%');
  });
  it('sends creates only to writers, so the lists being read never grow', () => {
    const creates = plan.filter((r) => r.op === 'create');
    expect(creates.length).toBe(readers.length);
    expect(creates.every((r) => r.path === '/api/w1/tasks' && r.method === 'POST' && r.body)).toBe(true);
    expect(plan.filter((r) => r.op !== 'create').every((r) => r.path.startsWith('/api/r'))).toBe(true);
  });
  it('reads and toggles only the reader\'s own tasks, with the reader\'s own token', () => {
    for (const r of plan.filter((p) => p.op === 'get' || p.op === 'toggle')) {
      const owner = readers.find((u) => r.path.startsWith(`/api/${u.id}/`))!;
      const id = Number(r.path.split('/')[4]);
      expect(owner.taskIds).toContain(id);
      expect(r.headers.authorization).toBe(`Bearer ${owner.token}`);
    }
    expect(plan.filter((r) => r.op === 'toggle').every((r) => r.method === 'PATCH' && r.path.endsWith('/complete') && r.body === undefined)).toBe(true);
  });
  it('refuses a reader without tasks and an empty user list', () => {
    expect(() => buildMix([{ id: 'x', token: 't', taskIds: [] }])).toThrow(/no tasks/);
    expect(() => buildMix([])).toThrow(/at least one/);
  });
});
