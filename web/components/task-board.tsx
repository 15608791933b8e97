'use client';
// The task list: every call goes to the gateway through the typed API client, which attaches
// the Better Auth JWT. States: loading, empty, error (the gateway's message), session expired.
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError, SessionExpiredError, createTaskApi, type Task } from '@/lib/api-client';
import { authClient, betterAuthToken } from '@/lib/auth-client';
import { DeleteAccount } from './delete-account';
import { TaskItem } from './task-item';

export interface BoardUser {
  id: string;
  email: string;
  name: string;
}

function describe(err: unknown): string | null {
  if (err instanceof SessionExpiredError) return null; // we are already on the way to sign-in
  if (err instanceof ApiError) return err.message;
  return 'The task service could not be reached. Is the gateway running?';
}

export function TaskBoard({ user, gatewayUrl }: { user: BoardUser; gatewayUrl: string }) {
  const router = useRouter();
  const [tasks, setTasks] = useState<Task[] | null>(null); // null until a list has loaded
  const [loadFailed, setLoadFailed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [expired, setExpired] = useState(false);
  const [creating, setCreating] = useState(false);

  const api = useMemo(
    () =>
      createTaskApi({
        baseUrl: gatewayUrl,
        getToken: betterAuthToken,
        onSessionExpired: () => {
          setExpired(true);
          router.replace('/sign-in?expired=1');
        },
      }),
    [gatewayUrl, router],
  );

  /**
   * Runs one API call; shows its failure instead of throwing. Returns undefined on failure.
   * A 404 for a task means it is gone (deleted in another tab): it leaves the list too.
   */
  const run = useCallback(async <T,>(call: () => Promise<T>, taskId?: number): Promise<T | undefined> => {
    setError(null);
    try {
      return await call();
    } catch (err) {
      setError(describe(err));
      if (taskId !== undefined && err instanceof ApiError && err.status === 404) {
        setTasks((current) => (current ?? []).filter((t) => t.id !== taskId));
      }
      return undefined;
    }
  }, []);

  const reload = useCallback(async () => {
    setLoadFailed(false);
    const list = await run(() => api.list(user.id));
    if (list) setTasks(list);
    else setLoadFailed(true); // keep what is shown; never pretend the list is empty
  }, [api, run, user.id]);

  useEffect(() => {
    void reload();
  }, [reload]);

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const title = String(form.get('title') ?? '').trim();
    const description = String(form.get('description') ?? '').trim();
    if (!title) return;
    setCreating(true);
    const created = await run(() => api.create(user.id, { title, ...(description ? { description } : {}) }));
    setCreating(false);
    if (created) {
      setTasks((current) => [created, ...(current ?? [])]);
      formElement.reset();
    }
  }

  const replace = (task: Task) => setTasks((current) => (current ?? []).map((t) => (t.id === task.id ? task : t)));

  async function signOut() {
    api.clearToken();
    await authClient.signOut();
    router.replace('/sign-in');
    router.refresh();
  }

  const open = tasks?.filter((t) => !t.completed).length ?? 0;

  return (
    <>
      <header className="topbar">
        <div>
          <h1>Your tasks</h1>
          <p className="muted" data-testid="signed-in-as">
            Signed in as {user.email}
          </p>
        </div>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>

      {expired && (
        <p className="notice" role="status">
          Your session has expired. Taking you to sign in…
        </p>
      )}
      {error && (
        <div className="error" role="alert">
          <span>{error}</span>
          <button type="button" className="link" onClick={() => setError(null)} aria-label="Dismiss error">
            ×
          </button>
        </div>
      )}

      <form className="card new-task" onSubmit={onCreate} aria-label="New task">
        <input name="title" placeholder="What needs doing?" aria-label="Title" maxLength={200} required />
        <input name="description" placeholder="Details (optional)" aria-label="Description" maxLength={1000} />
        <button type="submit" className="primary" disabled={creating}>
          {creating ? 'Adding…' : 'Add task'}
        </button>
      </form>

      {tasks === null ? (
        loadFailed ? (
          <p className="empty" data-testid="load-failed">
            Your tasks could not be loaded.{' '}
            <button type="button" onClick={() => void reload()}>
              Try again
            </button>
          </p>
        ) : (
          <p className="muted" role="status" aria-busy="true">
            Loading your tasks…
          </p>
        )
      ) : tasks.length === 0 ? (
        <p className="empty" data-testid="empty-state">
          No tasks yet. Add your first one above.
        </p>
      ) : (
        <>
          <p className="muted" data-testid="task-count">
            {open} open · {tasks.length - open} done
          </p>
          <ul className="tasks" aria-label="Tasks">
            {tasks.map((task) => (
              <TaskItem
                key={task.id}
                task={task}
                onToggle={async () => {
                  const updated = await run(() => api.toggle(user.id, task.id), task.id);
                  if (updated) replace(updated);
                }}
                onSave={async (changes) => {
                  const updated = await run(() => api.update(user.id, task.id, changes), task.id);
                  if (updated) replace(updated);
                  return updated !== undefined;
                }}
                onDelete={async () => {
                  const done = await run(async () => {
                    await api.remove(user.id, task.id);
                    return true;
                  }, task.id);
                  if (done) setTasks((current) => (current ?? []).filter((t) => t.id !== task.id));
                }}
              />
            ))}
          </ul>
        </>
      )}

      <DeleteAccount onDeleted={() => api.clearToken()} />
    </>
  );
}
