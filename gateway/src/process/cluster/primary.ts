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
import { keyFetchEvents, KeyFetchMetrics } from '../../observe/key-events.js';
import { shareKeysWithWorkers } from './keys.js';
import { isWorkerMessage, WORKER_ENV, type PrimaryMessage } from './messages.js';
import { ClusterMetrics } from './metrics-aggregate.js';
import { WorkerReadiness } from './readiness.js';
import { reloadWorkers } from './reload.js';
import { serveRevocationsToWorkers } from './revocations.js';
import { connectedWorkers, RestartBudget, stopWorkers, waitListening } from './workers.js';

const READINESS_TIMEOUT_MS = 2_000;

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
 * writes, fetches every JWKS for all workers (keys.ts), and replaces a worker that dies unexpectedly. Without Redis the primary's memory store
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
  const restarts = new RestartBudget();

  const listening = new Map<number, string>();
  const readiness = new WorkerReadiness(config.workers, READINESS_TIMEOUT_MS);
  // The primary's own series (reloads, key fetches) beside the workers' sums; no name is in both.
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

  // Before the first fork: a starting worker asks for the revocations and its keys at once.
  const keyFetches = new KeyFetchMetrics(own);
  const keys = shareKeysWithWorkers(config.auth, keyFetchEvents(log, (issuer, result) => keyFetches.fetched(issuer, result)));
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
      // Exit 0 is a worker's orderly stop (signals.ts): someone signalled it (a group's Ctrl-C or
      // SIGTERM, an operator), not a crash. Replaced all the same, to keep the capacity.
      if (code === 0) log.warn({ worker: worker.id, code, signal }, 'worker stopped on a signal of its own; starting a replacement');
      else log.error({ worker: worker.id, code, signal }, 'worker exited unexpectedly; starting a replacement');
      if (restarts.allowsAnother()) fork();
      else failWith('workers keep crashing');
    });
    return worker;
  }

  const workers = Array.from({ length: config.workers }, () => fork());
  let url: string;
  try {
    [url = ''] = await Promise.all(workers.map(waitListening));
  } catch (error) {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    stopServing();
    keys.close();
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
    const workers = connectedWorkers().filter((w) => listening.has(w.id));
    // New issuers' keys are fetched here, once, while the workers prepare (they ask for them).
    keys.ensure(loaded.config.auth);
    const result = reloadWorkers(workers, nextReloadId++, text, loaded.config.auth.jwksTimeoutMs + 5_000, log);
    reloading = result;
    const outcome = await result;
    if (outcome.ok) running = { config: loaded.config, text };
    keys.retain([running.config.auth]);
    if (!outcome.ok) return outcome;
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
      await stopWorkers();
      stopServing();
      keys.close();
      await Promise.allSettled([admin.close(), store.close()]);
    },
  };
}
