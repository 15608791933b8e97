import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { startPrimary } from './cluster/primary.js';
import { startWorker } from './cluster/worker.js';
import { ConfigError } from '../config/index.js';
import { loadConfig } from '../gateway-config.js';
import type { GatewayConfig } from '../gateway-config.js';
import { createLogger } from '../observe/logger.js';
import { startGateway } from '../server.js';

/**
 * The process around the gateway: config in, one "listening" line out, and an orderly exit on
 * SIGTERM/SIGINT (stop accepting, let in-flight requests finish within request_timeout, exit 0).
 * With `workers` > 1 this process is a node:cluster primary and the gateways are its workers.
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
  if (config.workers > 1 && cluster.isWorker) return runWorker(config, log);
  for (const warning of warnings) log.warn({ config: file }, warning);
  return config.workers > 1 ? runPrimary(config, log) : runSingle(config, log);
}

async function runSingle(config: GatewayConfig, log: Logger): Promise<number> {
  const early = holdSignals();
  let running;
  try {
    running = await startGateway(config, { logger: log });
  } catch (error) {
    early.release();
    return cannotStart(log, error);
  }
  lifecycle(log, config).info({ url: running.url, admin_url: running.adminUrl, ready: running.gateway.authenticator.ready() }, 'listening');
  const server = running.gateway.app.server;
  return untilSignal(log, config, () => running.close(), () => server.closeAllConnections(), false, early);
}

async function runPrimary(config: GatewayConfig, log: Logger): Promise<number> {
  const early = holdSignals();
  let primary;
  try {
    primary = await startPrimary(config, log);
  } catch (error) {
    early.release();
    return cannotStart(log, error);
  }
  lifecycle(log, config).info({ url: primary.url, admin_url: primary.adminUrl, workers: config.workers }, 'listening');
  const stopped = untilSignal(log, config, () => primary.stop(), () => {}, false, early);
  const gaveUp = primary.failed.then(async (reason) => {
    log.fatal(reason);
    await primary.stop();
    return 1;
  });
  return Promise.race([stopped, gaveUp]);
}

async function runWorker(config: GatewayConfig, log: Logger): Promise<number> {
  const early = holdSignals();
  const running = await startWorker(config, log);
  if (!running) {
    early.release();
    return 1;
  }
  const server = running.gateway.app.server;
  // The primary forwards SIGTERM; a terminal's Ctrl-C reaches every worker as SIGINT itself.
  return untilSignal(log, config, () => running.close(), () => server.closeAllConnections(), true, early);
}

/**
 * Start and stop lines are part of the contract (scripts wait for "listening"), so they are
 * written at any log level short of silent; request lines still follow log_level.
 */
function lifecycle(log: Logger, config: GatewayConfig): Logger {
  return config.logLevel === 'silent' || log.isLevelEnabled('info') ? log : log.child({}, { level: 'info' });
}

function cannotStart(log: Logger, error: unknown): number {
  const err = error as NodeJS.ErrnoException & { address?: string; port?: number };
  const message = err.code === 'EADDRINUSE' ? `address already in use: ${err.address ?? ''}:${err.port ?? ''}` : err.message;
  log.fatal({ code: err.code }, `cannot start: ${message}`);
  return 1;
}

/**
 * The public port listens before the first key fetch settles; a SIGTERM in that window must
 * still end in an orderly stop (exit 0), not Node's default kill. Held signals are replayed
 * once the gateway is up.
 */
function holdSignals(): { readonly signal: () => NodeJS.Signals | undefined; release(): void } {
  let received: NodeJS.Signals | undefined;
  const hold = (signal: NodeJS.Signals) => {
    received ??= signal;
  };
  process.on('SIGTERM', hold);
  process.on('SIGINT', hold);
  return {
    signal: () => received,
    release() {
      process.off('SIGTERM', hold);
      process.off('SIGINT', hold);
    },
  };
}

function untilSignal(
  log: Logger,
  config: GatewayConfig,
  close: () => Promise<void>,
  forceClose: () => void,
  quiet = false,
  held?: ReturnType<typeof holdSignals>,
): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      if (!quiet) lifecycle(log, config).info({ signal }, 'shutting down: finishing in-flight requests');
      const deadline = setTimeout(() => {
        log.warn('shutdown deadline passed; closing remaining connections');
        forceClose();
      }, config.limits.requestTimeoutMs);
      deadline.unref();
      close().then(
        () => {
          clearTimeout(deadline);
          if (!quiet) lifecycle(log, config).info('stopped');
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
    held?.release();
    const early = held?.signal();
    if (early) stop(early);
  });
}
