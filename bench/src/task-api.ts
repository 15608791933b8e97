// Minimal client for the task API, used to seed tasks before a run and clean up after it.

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

export async function callApi(baseUrl: string, method: string, path: string, token: string | undefined, body?: unknown): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/** A short, token-free description of an error answer: "401 invalid_token". */
export function describeAnswer(a: ApiAnswer): string {
  const b = a.body as { reason?: unknown; error?: unknown } | undefined;
  const reason = b && typeof b === 'object' ? (typeof b.reason === 'string' ? b.reason : typeof b.error === 'string' ? b.error : undefined) : undefined;
  return reason ? `${a.status} ${reason}` : String(a.status);
}

/** Creates `count` tasks for a user, `concurrency` at a time; returns their ids in order. */
export async function seedTasks(baseUrl: string, userId: string, token: string | undefined, count: number, concurrency = 8): Promise<number[]> {
  const ids: number[] = new Array<number>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const answer = await callApi(baseUrl, 'POST', `/api/${encodeURIComponent(userId)}/tasks`, token, { title: `seed task ${i + 1}`, description: 'created before the run' });
      const id = (answer.body as { id?: unknown } | undefined)?.id;
      if (answer.status !== 201 || typeof id !== 'number') throw new Error(`creating a seed task answered ${describeAnswer(answer)}`);
      ids[i] = id;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return ids;
}

/** Deletes tasks, `concurrency` at a time; returns how many deletes did not answer 204. */
export async function deleteTasks(baseUrl: string, userId: string, token: string | undefined, ids: readonly number[], concurrency = 8): Promise<number> {
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        const answer = await callApi(baseUrl, 'DELETE', `/api/${encodeURIComponent(userId)}/tasks/${id}`, token);
        if (answer.status !== 204) failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, ids.length)) }, worker));
  return failed;
}
