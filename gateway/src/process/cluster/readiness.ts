// The primary's /readyz: it asks every live worker for its own checks and pool (see
// observe/readiness.ts) and probes the upstream itself. The cluster is ready while one worker
// is; a worker still starting (not listening yet: it could not answer), or that does not answer
// in time (or whose channel closes first), counts as alive but not ready, and the answer reports
// how many workers are expected, alive and ready.
import type { Worker } from 'node:cluster';
import type { Readiness, ReadinessCheck } from '../../observe/admin.js';
import { combineWorkers, readinessOf, type LocalReadiness } from '../../observe/readiness.js';
import { tcpReachable } from '../../proxy/upstream.js';
import type { PrimaryMessage, WorkerMessage } from './messages.js';

const UPSTREAM_PROBE_MS = 1_000;

export interface ClusterState {
  readonly alive: readonly Worker[];
  listening(worker: Worker): boolean;
  readonly upstream: URL;
  storeUp(): boolean;
}

export class WorkerReadiness {
  private readonly pending = new Map<number, { readonly worker: Worker; readonly finish: (answer: LocalReadiness | undefined) => void }>();
  /** Workers whose channel's close ends their pending questions (one listener each, however many probes). */
  private readonly watched = new WeakSet<Worker>();
  private nextRequestId = 0;

  constructor(
    /** Workers the config asks for, reported beside those alive and ready. */
    private readonly expected: number,
    private readonly timeoutMs: number,
  ) {}

  /** A worker's answer arrived (the primary's message handler passes it on). */
  answered(message: Extract<WorkerMessage, { type: 'gateway:readiness' }>): void {
    const { keys, revocations, store, pool } = message;
    this.pending.get(message.requestId)?.finish({ keys, revocations, store, pool });
  }

  /** The cluster's readiness: every listening worker asked at once (within the time-out), the upstream probed, the primary's own store (it takes the writes) up. */
  async check(excluded: readonly ReadinessCheck[], cluster: ClusterState): Promise<Readiness> {
    const asked = cluster.alive.map((worker) => (cluster.listening(worker) ? this.askOne(worker) : undefined));
    const [answers, reachable] = await Promise.all([Promise.all(asked), tcpReachable(cluster.upstream, UPSTREAM_PROBE_MS)]);
    const workers = combineWorkers(answers, this.expected, excluded);
    return { ...readinessOf({ ...workers, store: workers.store && cluster.storeUp() }, reachable), workers: workers.workers };
  }

  private askOne(worker: Worker): Promise<LocalReadiness | undefined> {
    return new Promise((resolve) => {
      const requestId = this.nextRequestId++;
      const finish = (answer: LocalReadiness | undefined) => {
        clearTimeout(timer);
        this.pending.delete(requestId);
        resolve(answer);
      };
      const timer = setTimeout(() => finish(undefined), this.timeoutMs);
      this.pending.set(requestId, { worker, finish });
      this.watch(worker);
      if (!worker.isConnected()) return finish(undefined);
      worker.send({ type: 'gateway:readiness?', requestId } satisfies PrimaryMessage, (error: Error | null) => error && finish(undefined));
    });
  }

  /** A worker killed a moment ago may still look connected: its channel's close answers for it. */
  private watch(worker: Worker): void {
    if (this.watched.has(worker)) return;
    this.watched.add(worker);
    worker.once('disconnect', () => {
      for (const { worker: asked, finish } of [...this.pending.values()]) if (asked === worker) finish(undefined);
    });
  }
}
