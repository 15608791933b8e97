import { ConfigError, loadConfig } from './config/index.js';
import type { GatewayConfig } from './config/types.js';
import { createLogger } from './observe/logger.js';
import { startGateway, type RunningGateway } from './server.js';

/**
 * The process around one gateway: config in, "listening" out, and an orderly exit on
 * SIGTERM/SIGINT (stop accepting, let in-flight requests finish within request_timeout).
 * Resolves with the exit code.
 */
export async function runGateway(file: string): Promise<number> {
  let config: GatewayConfig;
  let warnings: string[];
  try {
    ({ config, warnings } = loadConfig(file));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`gateway: invalid config ${file}:\n${error.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}\n`);
      return 1;
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  for (const warning of warnings) log.warn({ config: file }, warning);

  let running: RunningGateway;
  try {
    running = await startGateway(config, { logger: log });
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    const message = err.code === 'EADDRINUSE' ? `address already in use: ${(err as { address?: string }).address ?? ''}:${(err as { port?: number }).port ?? ''}` : err.message;
    log.fatal({ code: err.code }, `cannot start: ${message}`);
    return 1;
  }
  log.info({ url: running.url, admin_url: running.adminUrl, ready: running.gateway.authenticator.ready() }, 'listening');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down: finishing in-flight requests');
      const deadline = setTimeout(() => {
        log.warn('shutdown deadline passed; closing remaining connections');
        running.gateway.app.server.closeAllConnections();
      }, config.limits.requestTimeoutMs);
      deadline.unref();
      running.close().then(
        () => {
          clearTimeout(deadline);
          log.info('stopped');
          resolve(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'error while stopping');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
