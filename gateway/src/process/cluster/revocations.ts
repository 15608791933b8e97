// Revocations in a cluster without Redis: the primary holds the one memory store (the admin
// API is the primary's), and workers learn entries over the cluster IPC channel — all live
// entries when they start (and on every periodic resync), then each change as it happens.
// IPC between one primary and its workers is ordered and does not drop messages while the
// worker lives, so a change reaches every worker within milliseconds.
import cluster, { type Worker } from 'node:cluster';
import { fromJson, toJson, type Revocation } from '../../store/revocation.js';
import type { MemoryRevocationStore } from '../../store/memory.js';
import { StoreUnavailableError, type RevocationSource, type StoreEvent, type StoreListener } from '../../store/types.js';
import { isPrimaryMessage, isWorkerMessage, type PrimaryMessage, type RevocationChange } from './messages.js';

const ANSWER_TIMEOUT_MS = 2_000;

/** Primary side: answers workers' requests for the full set and relays every change to them. */
export function serveRevocationsToWorkers(store: MemoryRevocationStore): () => void {
  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isWorkerMessage(message) || message.type !== 'gateway:revocations?') return;
    send(worker, { type: 'gateway:revocations', requestId: message.requestId, entries: store.snapshot().map(toJson) });
  };
  cluster.on('message', onMessage);
  const unsubscribe = store.subscribe((event) => {
    const change: RevocationChange | undefined = event.type === 'added' ? { op: 'add', entry: toJson(event.entry) } : event.type === 'removed' ? { op: 'remove', id: event.id } : undefined;
    if (change === undefined) return;
    for (const worker of Object.values(cluster.workers ?? {})) if (worker) send(worker, { type: 'gateway:revocation-change', change });
  });
  return () => {
    cluster.off('message', onMessage);
    unsubscribe();
  };
}

function send(worker: Worker, message: PrimaryMessage): void {
  // A worker that is exiting cannot take it; a replacement asks for the full set when it starts.
  if (worker.isConnected()) worker.send(message, () => undefined);
}

/** Worker side: the primary's store, read through IPC. */
export function revocationsFromPrimary(): RevocationSource & { close(): void } {
  const listeners = new Set<StoreListener>();
  const pending = new Map<number, (entries: Revocation[]) => void>();
  let nextRequestId = 0;
  const emit = (event: StoreEvent): void => listeners.forEach((listener) => listener(event));

  const onMessage = (message: unknown): void => {
    if (!isPrimaryMessage(message)) return;
    if (message.type === 'gateway:revocations') {
      pending.get(message.requestId)?.(message.entries.flatMap((json) => fromJson(json) ?? []));
    } else if (message.type === 'gateway:revocation-change') {
      const { change } = message;
      if (change.op === 'remove') return emit({ type: 'removed', id: change.id });
      const entry = fromJson(change.entry);
      if (entry) emit({ type: 'added', entry });
    }
  };
  process.on('message', onMessage);

  return {
    list: () =>
      new Promise<Revocation[]>((resolve, reject) => {
        if (!process.connected || !process.send) return reject(new StoreUnavailableError('no connection to the cluster primary'));
        const requestId = nextRequestId++;
        const timer = setTimeout(() => {
          pending.delete(requestId);
          reject(new StoreUnavailableError('the cluster primary did not answer'));
        }, ANSWER_TIMEOUT_MS);
        pending.set(requestId, (entries) => {
          clearTimeout(timer);
          pending.delete(requestId);
          resolve(entries);
        });
        process.send({ type: 'gateway:revocations?', requestId });
      }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    up: () => process.connected === true,
    close() {
      process.off('message', onMessage);
      listeners.clear();
    },
  };
}
