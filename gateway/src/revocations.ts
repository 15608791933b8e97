// Wiring for revocations in one gateway process (server.ts composes it): the stage's in-memory
// list, the store it follows (its own, or the cluster primary's over IPC), the sync between the
// two, and the metrics and readiness that report on them.
import type { Logger } from 'pino';
import type { GatewayConfig } from './gateway-config.js';
import type { GatewayMetrics } from './observe/metrics.js';
import { RevocationList } from './pipeline/revocation/index.js';
import { createRevocationStore, syncReplica, type RevocationSource, type RevocationStore } from './store/index.js';

export interface Revocations {
  /** What the pipeline consults on every token. */
  readonly list: RevocationList;
  /** The store this process opened itself (the admin API writes to it); undefined when it follows another's. */
  readonly ownStore: RevocationStore | undefined;
  /** Every live entry was loaded at least once. */
  loaded(): boolean;
  /** The store can be read and written right now. */
  storeUp(): boolean;
  /** The first full load; never rejects. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function setUpRevocations(config: GatewayConfig, deps: { readonly log: Logger; readonly metrics: GatewayMetrics; readonly source?: RevocationSource | undefined }): Revocations {
  const list = new RevocationList();
  deps.metrics.countRevocationsWith(() => list.size);
  const ownStore = deps.source ? undefined : createRevocationStore(config.store, config.revocation.retentionMs, deps.log);
  const source = deps.source ?? ownStore!;
  deps.metrics.storeReachable(source.up());
  const stopWatching = source.subscribe((event) => {
    if (event.type === 'status') deps.metrics.storeReachable(event.up);
  });
  const sync = syncReplica(source, list, { log: deps.log });
  return {
    list,
    ownStore,
    loaded: () => sync.loaded(),
    storeUp: () => source.up(),
    start: () => sync.start(),
    async close() {
      sync.close();
      stopWatching();
      await ownStore?.close();
    },
  };
}
