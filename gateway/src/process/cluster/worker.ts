import type { Logger } from 'pino';
import { ConfigError } from '../../config/index.js';
import { parseConfig, type GatewayConfig } from '../../gateway-config.js';
import { GatewayMetrics } from '../../observe/metrics.js';
import { startGateway, type RunningGateway } from '../../server.js';
import type { PreparedReload } from '../../serving/holder.js';
import { keysFromPrimary } from './keys-from-primary.js';
import { isPrimaryMessage, type PrimaryMessage, type WorkerMessage } from './messages.js';
import { reportMetrics } from './metrics-report.js';
import { revocationsFromPrimary } from './revocations.js';

const CONFIG_WAIT_MS = 10_000;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

/** The config text the primary validated; a worker never reads the file itself. */
export function configFromPrimary(): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (!isPrimaryMessage(message) || message.type !== 'gateway:config') return;
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(message.text);
    };
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error(`no config from the cluster primary within ${CONFIG_WAIT_MS} ms`));
    }, CONFIG_WAIT_MS);
    process.on('message', onMessage);
    send({ type: 'gateway:config?' });
  });
}

/**
 * One cluster worker: the full public gateway (its own token cache), no admin port. Its key sets
 * are handed the documents the primary fetches (keys.ts), so every worker holds the same keys.
 * It answers the primary's readiness questions, reports its metrics to the primary (which
 * sums every worker's on /metrics, and keeps a dead worker's counts), and takes part in reloads.
 * Revocations: with Redis the worker connects to it itself (every worker then learns a change
 * straight from Redis); without, it learns them from the primary's memory store over IPC.
 */
export async function startWorker(config: GatewayConfig, log: Logger): Promise<RunningGateway | undefined> {
  // Process-level default metrics would be summed across workers into nonsense; keep request metrics
  // only. Config and key-fetch metrics are the primary's: it coordinates reloads and does the fetches.
  const metrics = new GatewayMetrics({ defaultMetrics: false, configMetrics: false, keyFetchMetrics: false });

  const fromPrimary = config.store.redisUrl === undefined ? revocationsFromPrimary() : undefined;
  const keys = keysFromPrimary();
  let running: RunningGateway;
  try {
    const viaPrimary = { revocationSource: fromPrimary, rateLimitsViaPrimary: true };
    running = await startGateway(config, { logger: log, metrics, adminListener: false, keySources: keys.sources, ...(fromPrimary ? viaPrimary : {}) });
  } catch (error) {
    keys.close();
    fromPrimary?.close();
    send({ type: 'gateway:failed', message: (error as Error).message });
    return undefined;
  }
  const reporter = reportMetrics(metrics.registry);
  const prepared = new Map<number, PreparedReload>();
  process.on('message', (message: unknown) => {
    if (!isPrimaryMessage(message)) return;
    if (message.type === 'gateway:readiness?') send({ type: 'gateway:readiness', requestId: message.requestId, ...running.gateway.localReadiness() });
    else if (message.type === 'gateway:reload-prepare') void prepare(running, message, prepared);
    else if (message.type === 'gateway:reload-commit') {
      const reload = prepared.get(message.id);
      prepared.delete(message.id);
      let ok = reload !== undefined;
      try {
        reload?.commit();
      } catch (error) {
        ok = false;
        log.error({ err: error }, 'reload commit failed');
      }
      send({ type: 'gateway:reload-committed', id: message.id, ok, hash: running.gateway.configHash });
    } else if (message.type === 'gateway:reload-abort') {
      void prepared.get(message.id)?.abort();
      prepared.delete(message.id);
    }
  });
  send({ type: 'gateway:listening', url: running.url });
  return {
    ...running,
    async close() {
      await running.close();
      await reporter.final(); // what it counted up to the end, for the cluster's totals
      keys.close();
      fromPrimary?.close();
    },
  };
}

async function prepare(running: RunningGateway, message: Extract<PrimaryMessage, { type: 'gateway:reload-prepare' }>, prepared: Map<number, PreparedReload>): Promise<void> {
  const { id } = message;
  try {
    const { config } = parseConfig(message.text, process.env);
    const result = await running.gateway.prepareReload(config);
    if (!result.ok) return send({ type: 'gateway:reload-prepared', id, ok: false, problems: result.problems });
    prepared.set(id, result.prepared);
    send({ type: 'gateway:reload-prepared', id, ok: true, hash: result.prepared.hash });
  } catch (error) {
    const problems = error instanceof ConfigError ? error.problems : [{ path: '(reload)', message: (error as Error).message }];
    send({ type: 'gateway:reload-prepared', id, ok: false, problems });
  }
}
