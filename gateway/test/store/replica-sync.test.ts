// The sync's own rules, against a source the test steers: a load that fails keeps the last known
// set, and changes that arrive while a load is in flight are never lost to the load's snapshot.
import { describe, expect, it } from 'vitest';
import { RevocationList } from '../../src/pipeline/revocation/index.js';
import { syncReplica } from '../../src/store/replica-sync.js';
import { createRevocation, type Revocation } from '../../src/store/revocation.js';
import { eventually } from '../support/free-port.js';
import { StoreUnavailableError, type RevocationSource, type StoreEvent, type StoreListener } from '../../src/store/types.js';

class SteeredSource implements RevocationSource {
  readonly listeners = new Set<StoreListener>();
  /** Each list() waits for the test to answer it. */
  readonly pending: Array<{ resolve: (entries: Revocation[]) => void; reject: (error: Error) => void }> = [];
  reachable = true;
  list(): Promise<Revocation[]> {
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
  subscribe(listener: StoreListener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  up() {
    return this.reachable;
  }
  emit(event: StoreEvent) {
    for (const listener of this.listeners) listener(event);
  }
  answer(entries: Revocation[]) {
    this.pending.shift()!.resolve(entries);
  }
  fail() {
    this.pending.shift()!.reject(new StoreUnavailableError());
  }
}

const entry = (value: string) => createRevocation({ kind: 'jti', value }, Date.now(), 3_600_000);
const ids = (list: RevocationList) => list.size;

describe('syncReplica', () => {
  it('is loaded only after a full load; a failed load keeps what was known and a resync heals', async () => {
    const source = new SteeredSource();
    const list = new RevocationList();
    const sync = syncReplica(source, list);
    const started = sync.start();
    expect(sync.loaded()).toBe(false);
    const a = entry('a');
    source.answer([a]);
    await started;
    expect(sync.loaded()).toBe(true);
    expect(ids(list)).toBe(1);

    const failed = sync.resync();
    source.fail();
    expect(await failed).toBe(false);
    expect(ids(list)).toBe(1); // still enforced
    expect(sync.loaded()).toBe(true);

    // A 'resync' event (the store reconnected) loads everything again.
    source.emit({ type: 'resync' });
    expect(source.pending).toHaveLength(1);
    // Asked again while that load is in flight: one more load follows it (changes may have been missed since).
    const joined = sync.resync();
    const b = entry('b');
    source.answer([a]);
    await eventually(() => source.pending.length === 1, { timeoutMs: 1_000, what: 'the follow-up load' });
    source.answer([a, b]);
    expect(await joined).toBe(true);
    expect(ids(list)).toBe(2);
    sync.close();
  });

  it('changes that arrive during a load survive the load\'s older snapshot', async () => {
    const source = new SteeredSource();
    const list = new RevocationList();
    const sync = syncReplica(source, list);
    const a = entry('a');
    const b = entry('b');
    const started = sync.start();
    source.emit({ type: 'added', entry: b }); // after the snapshot was taken, before it arrives
    source.emit({ type: 'removed', id: a.id });
    source.answer([a]);
    await started;
    expect(list.check({ subject: 'x', claims: { jti: 'b' }, issuer: 'i', expiresAtMs: 0 })?.reason).toBe('token_revoked');
    expect(list.check({ subject: 'x', claims: { jti: 'a' }, issuer: 'i', expiresAtMs: 0 })).toBeUndefined();
    sync.close();
  });

  it('a change applies at once, without waiting for any load', async () => {
    const source = new SteeredSource();
    const list = new RevocationList();
    const sync = syncReplica(source, list);
    const started = sync.start();
    source.answer([]);
    await started;
    source.emit({ type: 'added', entry: entry('now') });
    expect(ids(list)).toBe(1);
    sync.close();
  });
});
