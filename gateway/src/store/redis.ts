// Revocations in Redis, shared by every replica: two connections (commands, and a subscriber
// for the changes channel), their state (up = both ready and subscribed), and what this replica
// last knew, to write back when Redis lost its data. The keys and commands: redis-layout.ts.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createRedisClient } from './redis-client.js';
import { addEntry, parseChange, readEntries, readHead, REDIS_KEYS, removeEntry, writeBack } from './redis-layout.js';
import { createRevocation, isRevocationId, type Revocation, type RevocationDraft } from './revocation.js';
import { StoreUnavailableError, type RevocationStore, type StoreEvent, type StoreListener } from './types.js';

export { REDIS_KEYS } from './redis-layout.js';
/** How long a load waits for the connection and subscription before it counts as failed. */
const LOAD_WAIT_MS = 2_000;

export interface RedisStoreOptions {
  readonly url: string;
  readonly retentionMs: number;
  readonly now?: () => number;
  readonly log?: Logger;
}

type Exec = Array<[Error | null, unknown]> | null;

export class RedisRevocationStore implements RevocationStore {
  private readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Set<StoreListener>();
  private readonly now: () => number;
  /** What this replica last knew to be live: written back if Redis loses its data. */
  private readonly known = new Map<string, Revocation>();
  private epoch: string | undefined;
  private subscribed = false;
  private lastUp = false;
  private closed = false;

  constructor(private readonly options: RedisStoreOptions) {
    this.now = options.now ?? Date.now;
    this.client = createRedisClient(options.url);
    // A subscriber connection of its own (a subscribed connection takes no other commands);
    // subscribed by hand on every 'ready' so that "subscribed" is known, then a resync follows.
    this.subscriber = createRedisClient(options.url, { autoResubscribe: false });
    for (const connection of [this.client, this.subscriber]) {
      connection.on('error', () => this.statusChanged());
      connection.on('close', () => {
        if (connection === this.subscriber) this.subscribed = false;
        this.statusChanged();
      });
    }
    this.client.on('ready', () => {
      this.statusChanged();
      this.emit({ type: 'resync' });
    });
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(REDIS_KEYS.channel).then(
        () => {
          this.subscribed = true;
          this.statusChanged();
          this.emit({ type: 'resync' });
        },
        () => this.statusChanged(),
      );
    });
    this.subscriber.on('message', (_channel: string, message: string) => this.onMessage(message));
  }

  up(): boolean {
    return !this.closed && this.client.status === 'ready' && this.subscribed;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async add(draft: RevocationDraft): Promise<Revocation> {
    const now = this.now();
    const entry = createRevocation(draft, now, this.options.retentionMs);
    await this.run(addEntry(this.client.multi(), entry, now));
    // Known here at once; the published copy that comes back is a no-op.
    this.known.set(entry.id, entry);
    this.emit({ type: 'added', entry });
    return entry;
  }

  async remove(id: string): Promise<boolean> {
    if (!isRevocationId(id)) return false;
    const results = await this.run(removeEntry(this.client.multi(), id));
    this.known.delete(id);
    this.emit({ type: 'removed', id });
    return results[0]?.[1] === 1;
  }

  /**
   * Waits (briefly) for the subscription: a snapshot taken without it could not be kept current,
   * so it does not count as loaded. At start this is what lets the first load wait for the
   * connection instead of failing at once.
   */
  async list(): Promise<Revocation[]> {
    await this.whenUp(LOAD_WAIT_MS);
    const head = await this.run(readHead(this.client.multi()));
    const epoch = head[1]?.[1] as string;
    let ids = head[2]?.[1] as string[];
    if (this.epoch !== undefined && epoch !== this.epoch) ids = await this.restore();
    this.epoch = epoch;
    const entries = await this.call(() => readEntries(this.client, ids));
    const now = this.now();
    const live = entries.filter((entry) => entry.expiresAtMs > now);
    this.known.clear();
    for (const entry of live) this.known.set(entry.id, entry);
    return live;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.client.disconnect();
    this.subscriber.disconnect();
  }

  private whenUp(timeoutMs: number): Promise<void> {
    if (this.up()) return Promise.resolve();
    if (this.closed) return Promise.reject(new StoreUnavailableError('the revocation store is closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new StoreUnavailableError());
      }, timeoutMs);
      const unsubscribe = this.subscribe((event) => {
        if (event.type !== 'status' || !event.up) return;
        clearTimeout(timer);
        unsubscribe();
        resolve();
      });
    });
  }

  /** Redis came back without our entries: write back every live one this replica knew (NX: never over a newer copy). */
  private async restore(): Promise<string[]> {
    const now = this.now();
    const live = [...this.known.values()].filter((entry) => entry.expiresAtMs > now);
    this.options.log?.warn({ restored: live.length }, 'revocation store lost its data (a restart without persistence?); writing back the entries this replica knew');
    if (live.length > 0) await this.run(writeBack(this.client.multi(), live, now));
    return this.call(() => this.client.smembers(REDIS_KEYS.index));
  }

  private onMessage(message: string): void {
    const change = parseChange(message);
    if (change === undefined) return;
    if (change.type === 'added') {
      if (this.known.has(change.entry.id)) return; // our own write, already applied
      this.known.set(change.entry.id, change.entry);
    } else this.known.delete(change.id);
    this.emit(change);
  }

  private statusChanged(): void {
    const up = this.up();
    if (up === this.lastUp || this.closed) return;
    this.lastUp = up;
    if (up) this.options.log?.info('revocation store reachable');
    else this.options.log?.warn('revocation store unreachable: enforcing the last known revocations; admin writes answer 503');
    this.emit({ type: 'status', up });
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** A MULTI that either fully ran or rejects with StoreUnavailableError. */
  private async run(multi: ReturnType<Redis['multi']>): Promise<Array<[Error | null, unknown]>> {
    const results = (await this.call(() => multi.exec())) as Exec;
    const failed = results === null ? new Error('transaction aborted') : results.find(([error]) => error !== null)?.[0];
    if (failed) throw new StoreUnavailableError('the revocation store refused the operation', { cause: failed });
    return results!;
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError('the revocation store is closed');
    try {
      return await command();
    } catch (error) {
      throw new StoreUnavailableError(undefined, { cause: error });
    }
  }
}
