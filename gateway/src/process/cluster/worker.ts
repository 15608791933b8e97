import { AggregatorRegistry } from 'prom-client';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../gateway-config.js';
import { GatewayMetrics } from '../../observe/metrics.js';
import { startGateway, type RunningGateway } from '../../server.js';
import type { PrimaryMessage, WorkerMessage } from './messages.js';
import { revocationsFromPrimary } from './revocations.js';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

/**
 * One cluster worker: the full public gateway (its own key sets and token cache), no admin
 * port. It answers the primary's readiness questions and hands its metrics to prom-client's
 * aggregator, so /metrics on the primary sums every worker. Revocations: with Redis the worker
 * connects to it itself (every worker then learns a change straight from Redis); without, it
 * learns them from the primary's memory store over IPC.
 */
export async function startWorker(config: GatewayConfig, log: Logger): Promise<RunningGateway | undefined> {
  // Process-level default metrics would be summed across workers into nonsense; keep request metrics only.
  const metrics = new GatewayMetrics({ defaultMetrics: false });
  AggregatorRegistry.setRegistries([metrics.registry]);
  new AggregatorRegistry(); // installs the worker's answer to the primary's metrics requests

  const fromPrimary = config.store.redisUrl === undefined ? revocationsFromPrimary() : undefined;
  let running: RunningGateway;
  try {
    running = await startGateway(config, { logger: log, metrics, adminListener: false, ...(fromPrimary ? { revocationSource: fromPrimary } : {}) });
  } catch (error) {
    fromPrimary?.close();
    send({ type: 'gateway:failed', message: (error as Error).message });
    return undefined;
  }
  process.on('message', (message: PrimaryMessage) => {
    if (message?.type === 'gateway:readiness?') send({ type: 'gateway:readiness', requestId: message.requestId, ...running.gateway.localReadiness() });
  });
  send({ type: 'gateway:listening', url: running.url });
  return {
    ...running,
    async close() {
      await running.close();
      fromPrimary?.close();
    },
  };
}
