// Entry point of `npm run start -w upstream-todo`: env → database → app → listen,
// and a graceful stop on SIGTERM/SIGINT.
import pino from 'pino';
import { configFromEnv } from './config.js';
import { startServer } from './server.js';

const log = pino({ name: 'upstream-todo', level: process.env.LOG_LEVEL?.trim() || 'info' });

async function main(): Promise<void> {
  const config = configFromEnv();
  log.level = config.logLevel;
  log.info({ db: config.dbPath }, 'opening database');
  const server = await startServer({ host: config.host, port: config.port, dbPath: config.dbPath, logger: log });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return; // a second signal does not restart the shutdown
    stopping = true;
    log.info({ signal }, 'shutting down');
    // In-flight requests get a bounded time to finish; then we give up loudly.
    setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    server.close().then(
      () => {
        log.info('database closed, bye');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'failed to start');
  process.exit(1);
});
