import { AggregatorRegistry } from 'prom-client';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../gateway-config.js';
import { GatewayMetrics } from '../../observe/metrics.js';
import { startGateway, type RunningGateway } from '../../server.js';
import type { PrimaryMessage, WorkerMessage } from './messages.js';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

/**
 * One cluster worker: the full public gateway (its own key sets and token cache), no admin
 * port. It answers the primary's readiness questions and hands its metrics to prom-client's
 * aggregator, so /metrics on the primary sums every worker.
 */
export async function startWorker(config: GatewayConfig, log: Logger): Promise<RunningGateway | undefined> {
  // Process-level default metrics would be summed across workers into nonsense; keep request metrics only.
  const metrics = new GatewayMetrics({ defaultMetrics: false });
  AggregatorRegistry.setRegistries([metrics.registry]);
  new AggregatorRegistry(); // installs the worker's answer to the primary's metrics requests

  let running: RunningGateway;
  try {
    running = await startGateway(config, { logger: log, metrics, adminListener: false });
  } catch (error) {
    send({ type: 'gateway:failed', message: (error as Error).message });
    return undefined;
  }
  process.on('message', (message: PrimaryMessage) => {
    if (message?.type === 'gateway:readiness?') send({ type: 'gateway:readiness', requestId: message.requestId, keys: running.gateway.authenticator.ready() });
  });
  send({ type: 'gateway:listening', url: running.url });
  return running;
}
