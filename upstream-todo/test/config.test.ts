import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configFromEnv, DEFAULT_DB_PATH } from '../src/index.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('configFromEnv', () => {
  it('defaults: 127.0.0.1:8000, <repo>/data/todo.sqlite, info', () => {
    expect(configFromEnv({})).toMatchObject({
      host: '127.0.0.1',
      port: 8000,
      dbPath: join(REPO_ROOT, 'data', 'todo.sqlite'),
      logLevel: 'info',
    });
    expect(DEFAULT_DB_PATH).toBe(join(REPO_ROOT, 'data', 'todo.sqlite'));
  });

  it('reads HOST, PORT, TODO_DB, LOG_LEVEL', () => {
    expect(configFromEnv({ HOST: '0.0.0.0', PORT: '0', TODO_DB: ':memory:', LOG_LEVEL: 'warn' })).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      dbPath: ':memory:',
      logLevel: 'warn',
    });
  });

  it.each(['-1', '65536', '80.5', 'http', '1e3', '8000x', ''.padEnd(6, '9')])('refuses PORT=%j', (port) => {
    expect(() => configFromEnv({ PORT: port })).toThrow(/PORT must be an integer from 0 to 65535/);
  });

  it('refuses an unknown LOG_LEVEL', () => {
    expect(() => configFromEnv({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of/);
  });
});
