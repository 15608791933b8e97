import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './app.js';
import { openDatabase } from './db/open.js';

export interface StartServerOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** default 0: any free port (read the real one from `url`) */
  port?: number;
  /** SQLite file path, or ':memory:' (the default) */
  dbPath?: string;
  /** as BuildAppOptions.logger; default silent */
  logger?: boolean | FastifyBaseLogger | { level?: string };
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  url: string;
  /**
   * Graceful stop: stop accepting, let in-flight requests finish, then close the
   * database (checkpointing its WAL). Idempotent; resolves when all is closed.
   */
  close(): Promise<void>;
}

function formatUrl(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** Opens the database, builds the app and listens: the service in-process. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const db = openDatabase(options.dbPath ?? ':memory:');
  const app = buildApp({ db, logger: options.logger });
  try {
    await app.listen({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      listenTextResolver: (address) => `listening at ${address}`,
    });
  } catch (err) {
    await app.close().catch(() => {});
    db.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    url: formatUrl(app.server.address() as AddressInfo),
    close() {
      closing ??= (async () => {
        try {
          await app.close(); // waits for in-flight requests
        } finally {
          db.close(); // only after the last request used it
        }
      })();
      return closing;
    },
  };
}
