import { fileURLToPath } from 'node:url';

export interface ServiceConfig {
  host: string;
  port: number;
  dbPath: string;
  logLevel: string;
  /** how long a graceful shutdown may take before the process gives up */
  shutdownTimeoutMs: number;
}

// <repo>/data/todo.sqlite, resolved from this file (src/ or dist/ alike) so it
// does not depend on the working directory. data/ is git-ignored.
export const DEFAULT_DB_PATH = fileURLToPath(new URL('../../data/todo.sqlite', import.meta.url));

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Reads HOST, PORT, TODO_DB, LOG_LEVEL; throws with a clear message on a bad value. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const portText = nonEmpty(env.PORT) ?? '8000';
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(env.PORT)}`);
  }
  const logLevel = nonEmpty(env.LOG_LEVEL) ?? 'info';
  if (!LOG_LEVELS.has(logLevel)) {
    throw new Error(`LOG_LEVEL must be one of ${[...LOG_LEVELS].join(', ')}, got ${JSON.stringify(env.LOG_LEVEL)}`);
  }
  return {
    host: nonEmpty(env.HOST) ?? '127.0.0.1',
    port: Number(portText),
    dbPath: nonEmpty(env.TODO_DB) ?? DEFAULT_DB_PATH,
    logLevel,
    shutdownTimeoutMs: 10_000,
  };
}
