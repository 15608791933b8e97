// JWKS key sets in a cluster, primary side. The primary fetches each issuer's key set on the
// usual schedule (fetch-schedule.ts: jwks_cache, jwks_cooldown, backing off) and hands every
// outcome, with the last good document, to every worker over IPC; workers import the keys
// themselves (a KeyObject cannot cross IPC) and never fetch. So all workers hold the same keys,
// at most one IPC hop apart, and the key endpoint sees one fetch per refresh, not one per worker.
// A worker's unknown kid asks the primary for a fetch; the cooldown is the primary's.
import cluster, { type Worker } from 'node:cluster';
import type { AuthConfig } from '../../config/types.js';
import { fetchJwksOverHttp, type FetchJwks } from '../../pipeline/authn/fetch-jwks.js';
import { FetchSchedule, type FetchSettled } from '../../pipeline/authn/fetch-schedule.js';
import { keySourceSpecs, type KeySourceSpec } from '../../pipeline/authn/key-source.js';
import type { KeyFetchEvents } from '../../observe/key-events.js';
import { isKeysRequest, type KeysMessage, type PrimaryMessage } from './messages.js';

export interface SharedKeys {
  /** A source for every JWKS issuer of `auth`; new ones start fetching now (a reload's new issuers, before the workers prepare). */
  ensure(auth: AuthConfig): void;
  /** Closes the sources that no config in `keep` uses. */
  retain(keep: readonly AuthConfig[]): void;
  close(): void;
}

interface Shared {
  readonly spec: KeySourceSpec;
  readonly schedule: FetchSchedule;
  last?: Pick<KeysMessage, 'result' | 'attemptedAtMs'>;
  good?: NonNullable<KeysMessage['keys']>;
  closed: boolean;
}

export function shareKeysWithWorkers(auth: AuthConfig, events: KeyFetchEvents, fetchJwks: FetchJwks = fetchJwksOverHttp): SharedKeys {
  const sources = new Map<string, Shared>();

  /** With a document: the last good one for a worker that asks; after a fetch, only one it brought. */
  const tell = (shared: Shared, settled: boolean, keys = shared.good): KeysMessage => ({
    type: 'gateway:keys',
    id: shared.spec.id,
    settled,
    result: shared.last?.result ?? 'error',
    attemptedAtMs: shared.last?.attemptedAtMs ?? 0,
    ...(keys ? { keys } : {}),
  });

  function settle(shared: Shared, settled: FetchSettled): void {
    if (shared.closed) return;
    shared.last = { result: settled.result, attemptedAtMs: settled.attemptedAtMs };
    // An empty or failed fetch keeps the last good document for workers that start later; the
    // running ones keep their keys, as a single gateway does (they are told the outcome only).
    const fetched = settled.fetched ? { document: settled.fetched.document, fetchedAtMs: settled.settledAtMs } : undefined;
    if (fetched) shared.good = fetched;
    events.keyFetch(shared.spec.issuer, settled.result);
    const message = tell(shared, true, fetched);
    for (const worker of Object.values(cluster.workers ?? {})) if (worker) send(worker, message);
  }

  function ensure(config: AuthConfig): void {
    for (const spec of keySourceSpecs(config)) {
      if (sources.has(spec.id)) continue;
      const shared: Shared = {
        spec,
        closed: false,
        schedule: new FetchSchedule(spec, {
          now: Date.now,
          fetchJwks,
          onSettle: (settled) => settle(shared, settled),
          onKeysIgnored: (listed) => events.keysIgnored(spec.issuer, listed),
        }),
      };
      sources.set(spec.id, shared);
      void shared.schedule.start();
    }
  }

  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isKeysRequest(message)) return;
    const shared = sources.get(message.id);
    // A source the primary does not run (a config it never validated): no keys, fail closed.
    if (shared === undefined) return send(worker, { type: 'gateway:keys', id: message.id, settled: false, result: 'error', attemptedAtMs: 0 });
    if (message.type === 'gateway:keys-fetch') return shared.schedule.request();
    // Before the first fetch settled there is nothing to tell: its outcome reaches every worker.
    if (shared.last !== undefined) send(worker, tell(shared, false));
  };
  cluster.on('message', onMessage);
  ensure(auth);

  const closeSource = (shared: Shared): void => {
    shared.closed = true;
    shared.schedule.close();
    sources.delete(shared.spec.id);
  };
  return {
    ensure,
    retain(keep) {
      const kept = new Set(keep.flatMap((config) => keySourceSpecs(config).map((spec) => spec.id)));
      for (const shared of [...sources.values()]) if (!kept.has(shared.spec.id)) closeSource(shared);
    },
    close() {
      cluster.off('message', onMessage);
      for (const shared of [...sources.values()]) closeSource(shared);
    },
  };
}

function send(worker: Worker, message: PrimaryMessage): void {
  // A worker that is exiting cannot take it; a replacement asks when its key sets start.
  if (worker.isConnected()) worker.send(message, () => undefined);
}
