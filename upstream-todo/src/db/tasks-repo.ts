import type { Db } from './open.js';

/** A task as the API returns it. */
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

/** Any subset of the mutable fields; a field that is absent is left as it is. */
export interface TaskChanges {
  title?: string;
  description?: string | null;
  completed?: boolean;
}

export interface TasksRepo {
  /** The user's tasks, newest first (ties broken by the higher id). */
  list(userId: string): Task[];
  create(userId: string, task: NewTask): Task;
  /** undefined when the task does not exist or belongs to someone else. */
  get(userId: string, id: number): Task | undefined;
  update(userId: string, id: number, changes: TaskChanges): Task | undefined;
  /** false when there was nothing of this user's to delete. */
  remove(userId: string, id: number): boolean;
  /** Flips `completed` in one statement; undefined when not found. */
  toggle(userId: string, id: number): Task | undefined;
  /** true when the database answers a trivial query. */
  ping(): boolean;
}

interface TaskRow {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: number;
  created_at: string;
  updated_at: string;
}

const COLUMNS = 'id, user_id, title, description, completed, created_at, updated_at';

// `updated_at` must move on every change, even two changes inside the same
// millisecond: take the current time, or one millisecond after the stored value
// if the clock has not moved past it (ISO-8601 UTC strings sort as time).
const NEXT_UPDATED_AT = `CASE WHEN @now > updated_at THEN @now
  ELSE strftime('%Y-%m-%dT%H:%M:%fZ', updated_at, '+0.001 seconds') END`;

function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    user_id: row.user_id,
    title: row.title,
    description: row.description,
    completed: row.completed === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/**
 * Data access for tasks. Every statement is prepared once here; every query is
 * scoped by user_id, so another user's task is indistinguishable from a missing one.
 * Each mutation is a single statement, atomic on its own: no read-modify-write.
 */
export function createTasksRepo(db: Db, now: () => string = () => new Date().toISOString()): TasksRepo {
  const listStmt = db.prepare<[string], TaskRow>(
    `SELECT ${COLUMNS} FROM tasks WHERE user_id = ? ORDER BY created_at DESC, id DESC`,
  );
  const insertStmt = db.prepare<[string, string, string | null, string, string], TaskRow>(
    `INSERT INTO tasks (user_id, title, description, completed, created_at, updated_at)
     VALUES (?, ?, ?, 0, ?, ?) RETURNING ${COLUMNS}`,
  );
  const getStmt = db.prepare<[number, string], TaskRow>(
    `SELECT ${COLUMNS} FROM tasks WHERE id = ? AND user_id = ?`,
  );
  // Absent fields are passed as NULL + a "set" flag of 0, so one statement covers
  // every subset (description may legitimately be set to NULL).
  const updateStmt = db.prepare<[Record<string, string | number | null>], TaskRow>(
    `UPDATE tasks SET
       title       = CASE WHEN @set_title       THEN @title       ELSE title       END,
       description = CASE WHEN @set_description THEN @description ELSE description END,
       completed   = CASE WHEN @set_completed   THEN @completed   ELSE completed   END,
       updated_at  = ${NEXT_UPDATED_AT}
     WHERE id = @id AND user_id = @user_id
     RETURNING ${COLUMNS}`,
  );
  const deleteStmt = db.prepare<[number, string]>('DELETE FROM tasks WHERE id = ? AND user_id = ?');
  const toggleStmt = db.prepare<[Record<string, string | number>], TaskRow>(
    `UPDATE tasks SET completed = 1 - completed, updated_at = ${NEXT_UPDATED_AT}
     WHERE id = @id AND user_id = @user_id
     RETURNING ${COLUMNS}`,
  );
  const pingStmt = db.prepare('SELECT 1 AS ok').pluck();

  return {
    list(userId) {
      return listStmt.all(userId).map(toTask);
    },
    create(userId, task) {
      const at = now();
      return toTask(insertStmt.get(userId, task.title, task.description ?? null, at, at)!);
    },
    get(userId, id) {
      const row = getStmt.get(id, userId);
      return row && toTask(row);
    },
    update(userId, id, changes) {
      const row = updateStmt.get({
        id,
        user_id: userId,
        now: now(),
        set_title: changes.title === undefined ? 0 : 1,
        title: changes.title ?? null,
        set_description: changes.description === undefined ? 0 : 1,
        description: changes.description ?? null,
        set_completed: changes.completed === undefined ? 0 : 1,
        completed: changes.completed ? 1 : 0,
      });
      return row && toTask(row);
    },
    remove(userId, id) {
      return deleteStmt.run(id, userId).changes > 0;
    },
    toggle(userId, id) {
      const row = toggleStmt.get({ id, user_id: userId, now: now() });
      return row && toTask(row);
    },
    ping() {
      try {
        return pingStmt.get() === 1;
      } catch {
        return false; // closed or broken database
      }
    },
  };
}
