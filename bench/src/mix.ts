// The request mix both load generators send: what a user of a task app does most (read the
// list, open a task, tick it off) with an occasional create. The same plan drives wrk (bench)
// and autocannon (loadtest), so both tools measure the same thing.

export type Op = 'list' | 'get' | 'create' | 'toggle';

export interface PlannedRequest {
  readonly op: Op;
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** One user the mix acts as: its id (the token subject), its token, and tasks it already has. */
export interface MixUser {
  readonly id: string;
  readonly token: string;
  readonly taskIds: readonly number[];
}

/** Ten requests: 3 list, 4 get, 2 toggle, 1 create, interleaved the way a person clicks. */
export const MIX_PATTERN: readonly Op[] = ['list', 'get', 'toggle', 'get', 'list', 'create', 'get', 'toggle', 'list', 'get'];

export const CREATE_BODY = JSON.stringify({ title: 'bench task', description: 'created by the load generator' });

export function describeMix(): string {
  const counts = new Map<Op, number>();
  for (const op of MIX_PATTERN) counts.set(op, (counts.get(op) ?? 0) + 1);
  return [...counts].map(([op, n]) => `${op} ${Math.round((100 * n) / MIX_PATTERN.length)}%`).join(', ');
}

export function requestFor(op: Op, user: MixUser, taskId: number | undefined): PlannedRequest {
  const base = `/api/${encodeURIComponent(user.id)}/tasks`;
  const auth = { authorization: `Bearer ${user.token}` };
  switch (op) {
    case 'list':
      return { op, method: 'GET', path: base, headers: auth };
    case 'create':
      return { op, method: 'POST', path: base, headers: { ...auth, 'content-type': 'application/json' }, body: CREATE_BODY };
    case 'get':
      return { op, method: 'GET', path: `${base}/${requireTask(user, taskId)}`, headers: auth };
    case 'toggle':
      return { op, method: 'PATCH', path: `${base}/${requireTask(user, taskId)}/complete`, headers: auth };
  }
}

function requireTask(user: MixUser, taskId: number | undefined): number {
  if (taskId === undefined) throw new Error(`user ${user.id} has no tasks to read; seed some first`);
  return taskId;
}

/**
 * The full sequence: each reader in turn runs the ten-request pattern over its own tasks;
 * creates go to a writer. Keeping writers apart from readers means the lists being read never
 * grow, so every round (and every target) sees the same response sizes. With one user as both
 * reader and writer (the load test) the list grows during the run, as it would for a real user.
 */
export function buildMix(readers: readonly MixUser[], writers: readonly MixUser[] = readers): PlannedRequest[] {
  if (readers.length === 0 || writers.length === 0) throw new Error('the mix needs at least one reader and one writer');
  const out: PlannedRequest[] = [];
  for (let cycle = 0; cycle < readers.length; cycle++) {
    const reader = readers[cycle]!;
    const writer = writers[cycle % writers.length]!;
    MIX_PATTERN.forEach((op, i) => {
      const taskId = reader.taskIds.length ? reader.taskIds[(cycle + i) % reader.taskIds.length] : undefined;
      out.push(op === 'create' ? requestFor(op, writer, undefined) : requestFor(op, reader, taskId));
    });
  }
  return out;
}
