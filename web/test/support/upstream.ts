// The reference task service, in-process on an in-memory database.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './paths.js';

export interface RunningUpstream {
  url: string;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<RunningUpstream> {
  const entry = pathToFileURL(path.join(repoRoot, 'upstream-todo/dist/index.js')).href;
  const { startServer } = (await import(entry)) as {
    startServer(o: { host?: string; port?: number; dbPath?: string }): Promise<RunningUpstream>;
  };
  return startServer({ host: '127.0.0.1', port: 0, dbPath: ':memory:' });
}
