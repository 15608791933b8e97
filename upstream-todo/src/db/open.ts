import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

// Version 1 of the schema. AUTOINCREMENT so a deleted task's id is never handed
// out again (a stale link must never start pointing at a different task).
// The index serves the only list query: one user's tasks, newest first.
const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS tasks (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id     TEXT    NOT NULL,
  title       TEXT    NOT NULL,
  description TEXT,
  completed   INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
  created_at  TEXT    NOT NULL,
  updated_at  TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_by_user_newest
  ON tasks (user_id, created_at DESC, id DESC);
`;

const SCHEMA_VERSION = 1;

function isFilePath(path: string): boolean {
  return path !== ':memory:' && path !== '' && !path.startsWith('file:');
}

/**
 * Opens (creating if needed) the task database and brings its schema up to date.
 * `:memory:` gives a private throwaway database (tests); any other path is a file
 * whose parent folder is created.
 */
export function openDatabase(path: string = ':memory:'): Db {
  if (isFilePath(path)) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    // WAL: readers never block the writer, and a crash never corrupts the file.
    // NORMAL is durable across process crashes in WAL mode (only an OS crash may
    // lose the last transactions), at a fraction of FULL's fsync cost.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Another process holding the write lock (a second instance, a backup) makes
    // us wait a little instead of failing at once with SQLITE_BUSY.
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`database schema version ${current} is newer than this service understands (${SCHEMA_VERSION})`);
  }
  if (current === SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(SCHEMA_V1);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
