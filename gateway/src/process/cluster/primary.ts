import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { RateLimiterClusterMaster } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../gateway-config.js';
import { buildAdminApp } from '../../observe/admin.js';
import { ConfigMetrics } from '../../observe/config-metrics.js';
import { urlOf } from '../../server.js';
import { changedKeys, restartProblems } from '../../serving/changes.js';
import { configHash } from '../../serving/config-hash.js';
import { createRevocationStore, MemoryRevocationStore } from '../../store/index.js';
import type { ApplyReload } from '../reload/index.js';
import { isWorkerMessage, WORKER_ENV, type PrimaryMessage, type WorkerMessage } from './messages.js';
import { ClusterMetrics } from './metrics-aggregate.js';
import { WorkerReadiness } from './readiness.js';
import { reloadWorkers } from './reload.js';
import { serveRevocationsToWorkers } from './revocations.js';

const READINESS_TIMEOUT_MS = 2_000;
/** A worker that keeps crashing is not restarted forever: the gateway exits instead. */
const MAX_RESTARTS_PER_MINUTE = 10;

export interface Primary {
  readonly url: string;
  readonly adminUrl: string;
  /** SIGTERM every worker, wait for them (each drains its connections), close the admin port. */
  stop(): Promise<void>;
  /** Resolves if the cluster gives up (workers crash-looping). */
  readonly failed: Promise<string>;
  /** Validated config in: checked against the running one, then prepared and committed on every worker. */
  readonly reload: ApplyReload;
  readonly configMetrics: ConfigMetrics;
  /** The running config (the last one every worker committed). */
  readonly config: GatewayConfig;
}

/**
 * The cluster primary: forks `workers` gateways that share the public port, serves the admin
 * port for all of them (metrics summed over the workers, a dead one's counts kept: see
 * metrics-aggregate.ts; ready while one worker is: see readiness.ts), takes the admin API's revocation
 * writes, and replaces a worker that dies unexpectedly. Without Redis the primary's memory store
 * is the cluster's one store and workers learn from it over IPC; with Redis, the primary writes
 * to Redis and every worker follows Redis itself.
 * It is the only reader of the config file: every worker, a replacement included, runs the
 * text the primary validated and last committed.
 */
export async function startPrimary(config: GatewayConfig, text: string, log: Logger): Promise<Primary> {
  let running = { config, text };
  /** The text each worker was given, to catch up one that started during a reload. */
  const given = new Map<number, string>();
  let reloading: Promise<unknown> = Promise.resolve();
  let nextReloadId = 0;
  let stopping = false;
  let failWith: (reason: string) => void = () => {};
  const failed = new Promise<string>((resolve) => (failWith = resolve));
  const restarts: number[] = [];

  const listening = new Map<number, string>();
  const readiness = new WorkerReadiness(config.workers, READINESS_TIMEOUT_MS);
  // The primary's own series (reloads) beside the workers' sums; no name is in both.
  const own = new Registry();
  const metrics = new ClusterMetrics(own);

  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isWorkerMessage(message)) return;
    if (message.type === 'gateway:readiness') readiness.answered(message);
    // Answered once no reload is under way, with the config every other worker runs.
    if (message.type === 'gateway:config?') {
      void reloading.then(() => {
        given.set(worker.id, running.text);
        if (worker.isConnected()) worker.send({ type: 'gateway:config', text: running.text } satisfies PrimaryMessage);
      });
    }
    if (message.type === 'gateway:listening') {
      listening.set(worker.id, message.url);
      if (!stopping) void catchUp(worker);
    }
  });

  /** A worker that got its config just before a reload committed gets the new one now. */
  async function catchUp(worker: Worker): Promise<void> {
    await reloading;
    if (given.get(worker.id) === running.text) return;
    const text = running.text;
    await reloadWorkers([worker], nextReloadId++, text, running.config.auth.jwksTimeoutMs + 5_000, log);
    given.set(worker.id, text);
  }

  // Before the first fork: a starting worker asks for the revocations at once.
  const store = createRevocationStore(config.store, config.revocation.retentionMs, log);
  const stopServing = store instanceof MemoryRevocationStore ? serveRevocationsToWorkers(store) : () => {};
  // Without Redis, the primary counts rate limits for every worker: one budget for the cluster.
  if (config.store.redisUrl === undefined) new RateLimiterClusterMaster();

  function fork(): Worker {
    const worker = cluster.fork({ [WORKER_ENV]: '1' });
    metrics.track(worker);
    worker.on('exit', (code, signal) => {
      listening.delete(worker.id);
      given.delete(worker.id);
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
    stopServing();
    await store.close();
    throw error;
  }

  const configMetrics = new ConfigMetrics(own);
  configMetrics.loaded(configHash(config));
  const admin = buildAdminApp(
    metrics,
    async (excluded) => {
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
      const answer = await readiness.check(excluded, { alive, listening: (w) => listening.has(w.id), upstream: new URL(running.config.upstream.url), storeUp: () => store.up() });
      // Stopping: not ready from the signal on (the workers drain while the admin port still answers).
      return { ...answer, draining: stopping };
    },
    config.adminToken !== undefined ? { token: config.adminToken, store, log } : undefined,
  );
  await admin.listen({ host: config.admin.host, port: config.admin.port });

  const reload: ApplyReload = async (loaded, text) => {
    const before = running.config;
    const changed = changedKeys(before, loaded.config);
    const refused = restartProblems(changed);
    if (refused.length > 0) return { ok: false, problems: refused };
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected() && listening.has(w.id));
    const result = reloadWorkers(workers, nextReloadId++, text, loaded.config.auth.jwksTimeoutMs + 5_000, log);
    reloading = result;
    const outcome = await result;
    if (!outcome.ok) return outcome;
    running = { config: loaded.config, text };
    for (const worker of workers) given.set(worker.id, text);
    return { ok: true, changed, hash: configHash(loaded.config) };
  };

  return {
    url,
    adminUrl: urlOf(config.admin.host, admin.server.address() as AddressInfo),
    failed,
    reload,
    configMetrics,
    get config() {
      return running.config;
    },
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
      stopServing();
      await Promise.allSettled([admin.close(), store.close()]);
    },
  };
}
