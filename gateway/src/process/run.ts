import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { startPrimary } from './cluster/primary.js';
import { configFromPrimary, startWorker } from './cluster/worker.js';
import { WORKER_ENV } from './cluster/messages.js';
import { lifecycle } from './lifecycle.js';
import { applyToGateway, installReload, type ApplyReload } from './reload/index.js';
import { ConfigError } from '../config/index.js';
import { parseConfig, readConfigFile, type GatewayConfig, type LoadedConfig } from '../gateway-config.js';
import type { ConfigMetrics } from '../observe/config-metrics.js';
import { createLogger } from '../observe/logger.js';
import { startGateway } from '../server.js';
import { configHash } from '../serving/config-hash.js';

export interface RunOptions {
  /** Reload when the config file changes, not only on SIGHUP. */
  readonly watch?: boolean;
}

/**
 * The process around the gateway: config in, one "listening" line out, SIGHUP (and --watch)
 * reloads, and an orderly exit on SIGTERM/SIGINT (stop accepting, let in-flight requests finish
 * within request_timeout, exit 0). With `workers` > 1 this process is a node:cluster primary
 * and the gateways are its workers. Resolves with the exit code.
 */
export async function runGateway(file: string, options: RunOptions = {}): Promise<number> {
  if (cluster.isWorker && process.env[WORKER_ENV] === '1') return runWorker();
  let text: string;
  let loaded: LoadedConfig;
  try {
    text = readConfigFile(file);
    loaded = parseConfig(text, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`gateway: invalid config ${file}:\n${error.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}\n`);
      return 1;
    }
    throw error;
  }
  const { config, warnings } = loaded;
  const log = createLogger(config.logLevel);
  for (const warning of warnings) log.warn({ config: file }, warning);
  const reload = { file, initialText: text, watch: options.watch ?? false };
  return config.workers > 1 ? runPrimary(config, text, log, reload) : runSingle(config, log, reload);
}

interface ReloadSetup {
  readonly file: string;
  readonly initialText: string;
  readonly watch: boolean;
}

async function runSingle(config: GatewayConfig, log: Logger, setup: ReloadSetup): Promise<number> {
  const early = holdSignals();
  let running;
  try {
    running = await startGateway(config, { logger: log });
  } catch (error) {
    early.release();
    return cannotStart(log, error);
  }
  const { gateway } = running;
  gateway.metrics.config?.loaded(gateway.configHash);
  lifecycle(log, config.logLevel).info({ url: running.url, admin_url: running.adminUrl, ready: gateway.authenticator.ready(), config_hash: gateway.configHash }, 'listening');
  const triggers = reloadOn(setup, log, gateway.metrics.config, applyToGateway(gateway), () => gateway.config, early.hangup());
  const server = gateway.app.server;
  return untilSignal(log, () => gateway.config, () => (triggers.close(), running.close()), () => server.closeAllConnections(), false, early);
}

async function runPrimary(config: GatewayConfig, text: string, log: Logger, setup: ReloadSetup): Promise<number> {
  const early = holdSignals();
  let primary;
  try {
    primary = await startPrimary(config, text, log);
  } catch (error) {
    early.release();
    return cannotStart(log, error);
  }
  lifecycle(log, config.logLevel).info({ url: primary.url, admin_url: primary.adminUrl, workers: config.workers, config_hash: configHash(config) }, 'listening');
  const triggers = reloadOn(setup, log, primary.configMetrics, primary.reload, () => primary.config, early.hangup());
  const stopped = untilSignal(log, () => primary.config, () => (triggers.close(), primary.stop()), () => {}, false, early);
  const gaveUp = primary.failed.then(async (reason) => {
    log.fatal(reason);
    triggers.close();
    await primary.stop();
    return 1;
  });
  return Promise.race([stopped, gaveUp]);
}

async function runWorker(): Promise<number> {
  // The primary coordinates reloads; a terminal's hangup reaching the whole group must not kill a worker.
  process.on('SIGHUP', () => {});
  const early = holdSignals();
  let config: GatewayConfig;
  try {
    ({ config } = parseConfig(await configFromPrimary(), process.env));
  } catch (error) {
    process.send?.({ type: 'gateway:failed', message: (error as Error).message });
    early.release();
    return 1;
  }
  const log = createLogger(config.logLevel);
  const running = await startWorker(config, log);
  if (!running) {
    early.release();
    return 1;
  }
  const server = running.gateway.app.server;
  // The primary forwards SIGTERM; a terminal's Ctrl-C reaches every worker as SIGINT itself.
  return untilSignal(log, () => running.gateway.config, () => running.close(), () => server.closeAllConnections(), true, early);
}

function reloadOn(setup: ReloadSetup, log: Logger, metrics: ConfigMetrics | undefined, apply: ApplyReload, current: () => GatewayConfig, heldHangup: boolean) {
  return installReload({ ...setup, log, metrics, apply, logLevel: () => current().logLevel, heldHangup }, log);
}

function cannotStart(log: Logger, error: unknown): number {
  const err = error as NodeJS.ErrnoException & { address?: string; port?: number };
  const message = err.code === 'EADDRINUSE' ? `address already in use: ${err.address ?? ''}:${err.port ?? ''}` : err.message;
  log.fatal({ code: err.code }, `cannot start: ${message}`);
  return 1;
}

/**
 * The public port listens before the first key fetch settles; a SIGTERM in that window must
 * still end in an orderly stop (exit 0), not Node's default kill, and a SIGHUP must not kill
 * it either (Node's default for SIGHUP is to exit). Held signals are replayed once the gateway is up.
 */
function holdSignals(): { readonly signal: () => NodeJS.Signals | undefined; hangup(): boolean; release(): void } {
  let received: NodeJS.Signals | undefined;
  let hangup = false;
  const hold = (signal: NodeJS.Signals) => {
    received ??= signal;
  };
  const holdHangup = () => {
    hangup = true;
  };
  process.on('SIGTERM', hold);
  process.on('SIGINT', hold);
  process.on('SIGHUP', holdHangup);
  return {
    signal: () => received,
    /** Whether a SIGHUP arrived; from now on the caller's own handler takes them. */
    hangup() {
      process.off('SIGHUP', holdHangup);
      return hangup;
    },
    release() {
      process.off('SIGTERM', hold);
      process.off('SIGINT', hold);
      process.off('SIGHUP', holdHangup);
    },
  };
}

function untilSignal(
  log: Logger,
  current: () => GatewayConfig,
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
      const config = current();
      if (!quiet) lifecycle(log, config.logLevel).info({ signal }, 'shutting down: finishing in-flight requests');
      const deadline = setTimeout(() => {
        log.warn('shutdown deadline passed; closing remaining connections');
        forceClose();
      }, config.limits.requestTimeoutMs);
      deadline.unref();
      close().then(
        () => {
          clearTimeout(deadline);
          if (!quiet) lifecycle(log, current().logLevel).info('stopped');
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
