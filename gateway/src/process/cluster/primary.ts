import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../gateway-config.js';
import { createUpstream } from '../../proxy/upstream.js';
import { buildAdminApp } from '../../observe/admin.js';
import { urlOf } from '../../server.js';
import { isWorkerMessage, type PrimaryMessage, type WorkerMessage } from './messages.js';

const READINESS_TIMEOUT_MS = 2_000;
/** A worker that keeps crashing is not restarted forever: the gateway exits instead. */
const MAX_RESTARTS_PER_MINUTE = 10;

export interface Primary {
  readonly url: string;
  readonly adminUrl: string;
  /** SIGTERM every worker, wait for them (they finish in-flight requests), close the admin port. */
  stop(): Promise<void>;
  /** Resolves if the cluster gives up (workers crash-looping). */
  readonly failed: Promise<string>;
}

/**
 * The cluster primary: forks `workers` gateways that share the public port, serves the admin
 * port for all of them (metrics summed by prom-client's aggregator, readiness = every worker
 * has keys and the upstream answers), and replaces a worker that dies unexpectedly.
 */
export async function startPrimary(config: GatewayConfig, log: Logger): Promise<Primary> {
  let stopping = false;
  let failWith: (reason: string) => void = () => {};
  const failed = new Promise<string>((resolve) => (failWith = resolve));
  const restarts: number[] = [];

  const listening = new Map<number, string>();
  const pendingReadiness = new Map<number, (keys: boolean) => void>();
  let nextRequestId = 0;

  cluster.on('message', (_worker: Worker, message: unknown) => {
    if (!isWorkerMessage(message)) return;
    if (message.type === 'gateway:readiness') pendingReadiness.get(message.requestId)?.(message.keys);
  });

  function fork(): Worker {
    const worker = cluster.fork();
    worker.on('exit', (code, signal) => {
      listening.delete(worker.id);
      if (stopping) return;
      log.error({ worker: worker.id, code, signal }, 'worker exited unexpectedly; starting a replacement');
      const now = Date.now();
      restarts.push(now);
      while (restarts.length && restarts[0]! < now - 60_000) restarts.shift();
      if (restarts.length > MAX_RESTARTS_PER_MINUTE) failWith('workers keep crashing');
      else fork();
    });
    return worker;
  }

  function waitListening(worker: Worker): Promise<string> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: WorkerMessage) => {
        if (message?.type === 'gateway:listening') {
          listening.set(worker.id, message.url);
          resolve(message.url);
        } else if (message?.type === 'gateway:failed') reject(new Error(message.message));
      };
      worker.on('message', onMessage);
      worker.once('exit', () => reject(new Error('worker exited before listening')));
    });
  }

  const workers = Array.from({ length: config.workers }, () => fork());
  let url: string;
  try {
    [url = ''] = await Promise.all(workers.map(waitListening));
  } catch (error) {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    throw error;
  }

  async function everyWorkerHasKeys(): Promise<boolean> {
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
    if (alive.length < config.workers) return false;
    const answers = await Promise.all(
      alive.map(
        (worker) =>
          new Promise<boolean>((resolve) => {
            const requestId = nextRequestId++;
            const timer = setTimeout(() => finish(false), READINESS_TIMEOUT_MS);
            function finish(keys: boolean) {
              clearTimeout(timer);
              pendingReadiness.delete(requestId);
              resolve(keys);
            }
            pendingReadiness.set(requestId, finish);
            worker.send({ type: 'gateway:readiness?', requestId } satisfies PrimaryMessage);
          }),
      ),
    );
    return answers.every(Boolean);
  }

  const aggregator = new AggregatorRegistry();
  const probe = createUpstream(config.upstream);
  const admin = buildAdminApp(
    { contentType: aggregator.contentType, text: () => aggregator.clusterMetrics() },
    { keys: everyWorkerHasKeys, upstream: () => probe.reachable() },
  );
  await admin.listen({ host: config.admin.host, port: config.admin.port });

  return {
    url,
    adminUrl: urlOf(config.admin.host, admin.server.address() as AddressInfo),
    failed,
    async stop() {
      stopping = true;
      const exits = Object.values(cluster.workers ?? {}).map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (!worker || worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
            worker.kill('SIGTERM');
          }),
      );
      await Promise.all(exits);
      await Promise.allSettled([admin.close(), probe.close()]);
    },
  };
}
