// Revocations in this process's memory: the store when no Redis is configured (and the
// primary's store in a cluster without Redis, which relays changes to its workers over IPC).
// Expired entries are dropped lazily on every call and by an unref'd timer.
import { createRevocation, type Revocation, type RevocationDraft } from './revocation.js';
import type { RevocationStore, StoreListener } from './types.js';

export interface MemoryStoreOptions {
  readonly retentionMs: number;
  readonly now?: () => number;
  /** How often expired entries are dropped even when nobody asks. */
  readonly pruneEveryMs?: number;
}

export class MemoryRevocationStore implements RevocationStore {
  private readonly entries = new Map<string, Revocation>();
  private readonly listeners = new Set<StoreListener>();
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: MemoryStoreOptions) {
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.prune(), options.pruneEveryMs ?? 60_000);
    this.timer.unref();
  }

  async add(draft: RevocationDraft): Promise<Revocation> {
    this.prune();
    const entry = createRevocation(draft, this.now(), this.options.retentionMs);
    this.entries.set(entry.id, entry);
    this.emit({ type: 'added', entry });
    return entry;
  }

  async remove(id: string): Promise<boolean> {
    this.prune();
    const existed = this.entries.delete(id);
    if (existed) this.emit({ type: 'removed', id });
    return existed;
  }

  async list(): Promise<Revocation[]> {
    return this.snapshot();
  }

  /** The live entries, synchronously (the cluster primary hands them to a worker as they are). */
  snapshot(): Revocation[] {
    this.prune();
    return [...this.entries.values()];
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  up(): boolean {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.listeners.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Expiry is not an event: every replica drops expired entries by their own clock. */
  private prune(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) if (entry.expiresAtMs <= now) this.entries.delete(id);
  }

  private emit(event: Parameters<StoreListener>[0]): void {
    for (const listener of this.listeners) listener(event);
  }
}
