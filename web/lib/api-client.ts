// A typed client for the task API behind the gateway. Plain TypeScript over `fetch`, with no
// React or Next.js imports, so any frontend (or a Node script) can copy this file and the one it
// imports, token-cache.ts (the token kept until shortly before its exp). The import has no
// extension, as bundlers resolve it; compiled for Node's own ES modules it needs `.js`.
//
// What it does for every call:
//  1. gets a JWT from Better Auth (through the `getToken` you pass) and caches it until shortly
//     before its `exp`, sharing one fetch between concurrent calls;
//  2. sends it as `Authorization: Bearer <jwt>`;
//  3. on a 401 from the gateway, drops the cached token, fetches a fresh one once and retries
//     once. Safe for POST too: the gateway answers 401 before anything reaches the service.
//  4. if there is no session (no token) or the retry is refused too, calls `onSessionExpired`
//     and throws a SessionExpiredError, so the UI can send the user to sign in.
import { TokenCache, type TokenSource } from './token-cache';

export type { TokenSource } from './token-cache';

export interface Task {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
}

export interface NewTask {
  title: string;
  description?: string | null;
}

export interface TaskChanges {
  title?: string;
  description?: string | null;
  completed?: boolean;
}

export interface TaskApiOptions {
  /** The gateway's origin, e.g. http://localhost:8080 */
  baseUrl: string;
  getToken: TokenSource;
  /** Called once per refused call, after the refresh-and-retry did not help. */
  onSessionExpired?: () => void;
  /** Renew a cached token this many seconds before its `exp` (default 30). */
  refreshMarginSeconds?: number;
  fetch?: typeof fetch;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

/** Any non-2xx answer; carries the gateway's (or the service's) JSON error fields when present. */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly error?: string,
    readonly reason?: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/** No session, or the gateway refused a freshly issued token: the user must sign in again. */
export class SessionExpiredError extends ApiError {
  override readonly name: string = 'SessionExpiredError';
}

export interface TaskApi {
  list(userId: string): Promise<Task[]>;
  get(userId: string, taskId: number): Promise<Task>;
  create(userId: string, task: NewTask): Promise<Task>;
  update(userId: string, taskId: number, changes: TaskChanges): Promise<Task>;
  remove(userId: string, taskId: number): Promise<void>;
  toggle(userId: string, taskId: number): Promise<Task>;
  /** Forget the cached token (call it on sign-out). */
  clearToken(): void;
}

/** A TokenSource that asks Better Auth's `GET /api/auth/token` (session cookie included). */
export function betterAuthTokenSource(authBaseUrl = '', fetchImpl: typeof fetch = fetch): TokenSource {
  return async () => {
    const res = await fetchImpl(`${authBaseUrl}/api/auth/token`, {
      credentials: 'include',
      headers: { accept: 'application/json' },
    });
    if (res.status === 401) return null;
    if (!res.ok) throw new ApiError(res.status, `could not get a token from Better Auth (HTTP ${res.status})`);
    const body = (await res.json()) as { token?: unknown };
    return typeof body.token === 'string' && body.token !== '' ? body.token : null;
  };
}

async function errorFrom(res: Response, Kind: typeof ApiError = ApiError): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON (e.g. a proxy's HTML page): fall back to the status line
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const message = str(body.message) ?? str(body.error) ?? `HTTP ${res.status} ${res.statusText}`.trim();
  return new Kind(res.status, message, str(body.error), str(body.reason), str(body.request_id));
}

export function createTaskApi(options: TaskApiOptions): TaskApi {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const tokens = new TokenCache(options.getToken, options.refreshMarginSeconds ?? 30, options.now);

  function sessionExpired(cause?: ApiError): never {
    tokens.clear();
    options.onSessionExpired?.();
    throw new SessionExpiredError(
      401,
      cause?.message ?? 'You are not signed in.',
      cause?.error ?? 'unauthorized',
      cause?.reason ?? 'no_session',
      cause?.requestId,
    );
  }

  async function send(method: string, path: string, token: string, body: unknown): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return doFetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async function request(method: string, path: string, body?: unknown): Promise<Response> {
    const first = await tokens.get();
    if (!first) sessionExpired();
    let res = await send(method, path, first, body);
    if (res.status === 401) {
      const refused = await errorFrom(res); // also drains the body, freeing the connection
      tokens.clear();
      const fresh = await tokens.get();
      if (!fresh) sessionExpired(refused);
      res = await send(method, path, fresh, body);
      if (res.status === 401) sessionExpired(await errorFrom(res));
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  const tasksPath = (userId: string) => `/api/${encodeURIComponent(userId)}/tasks`;
  const taskPath = (userId: string, taskId: number) => `${tasksPath(userId)}/${encodeURIComponent(String(taskId))}`;
  const json = async <T>(res: Promise<Response>): Promise<T> => (await (await res).json()) as T;

  return {
    list: (userId) => json<Task[]>(request('GET', tasksPath(userId))),
    get: (userId, taskId) => json<Task>(request('GET', taskPath(userId, taskId))),
    create: (userId, task) => json<Task>(request('POST', tasksPath(userId), task)),
    update: (userId, taskId, changes) => json<Task>(request('PUT', taskPath(userId, taskId), changes)),
    remove: async (userId, taskId) => {
      const res = await request('DELETE', taskPath(userId, taskId));
      await res.body?.cancel(); // 204: nothing to read; release the connection
    },
    toggle: (userId, taskId) => json<Task>(request('PATCH', `${taskPath(userId, taskId)}/complete`)),
    clearToken: () => tokens.clear(),
  };
}
