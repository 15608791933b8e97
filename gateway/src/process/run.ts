import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { startPrimary } from './cluster/primary.js';
import { configFromPrimary, startWorker } from './cluster/worker.js';
import { WORKER_ENV } from './cluster/messages.js';
import { lifecycle } from './lifecycle.js';
import { holdSignals, untilSignal } from './signals.js';
import { applyToGateway, installReload, type ApplyReload } from './reload/index.js';
import { ConfigError } from '../config/index.js';
import { parseConfig, readConfigFile, type GatewayConfig, type LoadedConfig } from '../gateway-config.js';
import type { ConfigMetrics } from '../observe/config-metrics.js';
import { createLogger } from '../observe/logger.js';
import { startGateway, type RunningGateway } from '../server.js';
import { configHash } from '../serving/config-hash.js';

export interface RunOptions {
  /** Reload when the config file changes, not only on SIGHUP. */
  readonly watch?: boolean;
}

/**
 * The process around the gateway: config in, one "listening" line out, SIGHUP (and --watch)
 * reloads, and an orderly exit on SIGTERM/SIGINT (signals.ts: drain the public port, so no
 * request is reset and those in flight finish, within request_timeout; close; exit 0). With `workers` > 1 this process is a node:cluster primary
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
  const stop = () => (triggers.close(), drainThenClose(running));
  return untilSignal(log, { current: () => gateway.config, stop, force: () => gateway.forceDrain() }, early);
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
  // The deadline is each worker's own (the primary waits for them to exit).
  const stopped = untilSignal(log, { current: () => primary.config, stop: () => (triggers.close(), primary.stop()), force: () => {} }, early);
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
  // The primary forwards SIGTERM; a terminal's Ctrl-C reaches every worker as SIGINT itself.
  const { gateway } = running;
  return untilSignal(log, { current: () => gateway.config, stop: () => drainThenClose(running), force: () => gateway.forceDrain(), quiet: true }, early);
}

/** The public port drains (no request reset, in-flight ones finish), then everything closes. */
async function drainThenClose(running: RunningGateway): Promise<void> {
  await running.gateway.drain();
  await running.close();
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
