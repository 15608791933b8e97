// Keeps one replica's in-memory revocation set equal to the store's: load everything, follow
// the change events, and load everything again every `resyncEveryMs` (a missed message heals)
// and whenever the source says changes may have been missed (a reconnect).
//
// A load that fails keeps the set as it was: every entry known before an outage stays enforced.
// Events that arrive while a load is in flight are applied at once and again after the loaded
// set replaces the old one, so an entry added or removed during the load is never lost.
import type { Logger } from 'pino';
import type { Revocation } from './revocation.js';
import type { RevocationSource, StoreEvent } from './types.js';

/** Where the replica keeps what it enforces (pipeline/revocation's RevocationList). */
export interface RevocationSink {
  replace(entries: readonly Revocation[]): void;
  add(entry: Revocation): void;
  remove(id: string): void;
  /** Drops entries expired at `nowMs`. */
  prune(nowMs: number): void;
}

export interface ReplicaSyncOptions {
  readonly resyncEveryMs?: number;
  readonly pruneEveryMs?: number;
  readonly now?: () => number;
  readonly log?: Logger;
}

export interface ReplicaSync {
  /** The first full load (waited for); never rejects: a failure leaves loaded() false and retries. */
  start(): Promise<void>;
  /** Every live entry has been loaded at least once: /readyz's `revocations` check. */
  loaded(): boolean;
  /** One full load (joined if one is in flight); resolves with whether it succeeded. */
  resync(): Promise<boolean>;
  close(): void;
}

export const RESYNC_EVERY_MS = 10_000;

export function syncReplica(source: RevocationSource, sink: RevocationSink, options: ReplicaSyncOptions = {}): ReplicaSync {
  const now = options.now ?? Date.now;
  let loaded = false;
  let closed = false;
  let failing = false;
  let inFlight: Promise<boolean> | undefined;
  let again = false;
  let during: Array<Extract<StoreEvent, { type: 'added' | 'removed' }>> | undefined;

  const apply = (event: Extract<StoreEvent, { type: 'added' | 'removed' }>): void => {
    if (event.type === 'added') sink.add(event.entry);
    else sink.remove(event.id);
  };

  const unsubscribe = source.subscribe((event) => {
    if (closed) return;
    if (event.type === 'added' || event.type === 'removed') {
      apply(event);
      during?.push(event);
    } else if (event.type === 'resync') void resync();
  });

  async function loadOnce(): Promise<boolean> {
    during = [];
    try {
      const entries = await source.list();
      if (closed) return false;
      sink.replace(entries);
      for (const event of during) apply(event);
      if (failing) options.log?.info({ revocations: entries.length }, 'revocations loaded again');
      failing = false;
      loaded = true;
      return true;
    } catch (error) {
      if (!failing) options.log?.warn({ err: error, loaded }, 'loading revocations failed; the last known set stays enforced, retrying');
      failing = true;
      return false;
    } finally {
      during = undefined;
    }
  }

  function resync(): Promise<boolean> {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      let ok: boolean;
      do {
        again = false;
        ok = await loadOnce();
      } while (again && !closed);
      inFlight = undefined;
      return ok;
    })();
    return inFlight;
  }

  const resyncTimer = setInterval(() => void resync(), options.resyncEveryMs ?? RESYNC_EVERY_MS);
  const pruneTimer = setInterval(() => sink.prune(now()), options.pruneEveryMs ?? 60_000);
  resyncTimer.unref();
  pruneTimer.unref();

  return {
    start: async () => {
      await resync();
    },
    loaded: () => loaded,
    resync,
    close() {
      closed = true;
      clearInterval(resyncTimer);
      clearInterval(pruneTimer);
      unsubscribe();
    },
  };
}
