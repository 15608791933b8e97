// Verified-token cache: most clients reuse one token for its whole life (Better Auth: 15 min),
// and a Map lookup (~1 µs) is far cheaper than a signature check (20–90 µs).
//
// - Keyed by the exact token string; stores the Identity the full check produced.
// - An entry never outlives the token's exp (checked on every hit), nor MAX_ENTRY_LIFE_MS,
//   nor the issuer key generation it was verified under (a rotated or dropped key set
//   invalidates it even before the clear() that follows every key change).
// - Bounded twice: in entries (auth.token_cache) and in estimated bytes (auth.token_cache_bytes,
//   entry-size.ts), because tokens are as large as their issuer makes them: at 10,000 entries a
//   27 KB token would hold ~270 MB. Eviction is least-recently-used by second chance (CLOCK):
//   a hit only marks its entry; an insert takes entries from the front of the Map (insertion
//   order) until both bounds hold, moving a marked one to the back, unmarked, instead of
//   evicting it. A hit is one lookup with no reordering (a delete and a re-insert per hit was
//   most of the lookup's cost). A token whose entry alone exceeds the byte bound is not cached.
// - Only successes are stored. Caching refusals would let a flood of junk tokens evict the
//   good entries, and a refusal for an unknown kid must be re-evaluated after a rotation;
//   refusals are cheap anyway (shape, candidates and kid lookup fail before any crypto).

import { entryBytes } from './entry-size.js';
import type { Identity } from './identity.js';

export const MAX_ENTRY_LIFE_MS = 10 * 60_000;

interface Entry {
  readonly identity: Identity;
  readonly validUntilMs: number;
  readonly isCurrent: () => boolean;
  readonly bytes: number;
  /** Hit since it was inserted or last given its second chance. */
  used: boolean;
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;

  /** `maxBytes` defaults to no byte bound (tests of the entry bound alone). */
  constructor(
    private readonly capacity: number,
    private readonly maxBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The estimated bytes held (entry-size.ts). */
  get bytes(): number {
    return this.totalBytes;
  }

  /** The cached identity, if the entry is still valid at `nowMs`. */
  get(token: string, nowMs: number): Identity | undefined {
    if (this.capacity <= 0) return undefined;
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (nowMs >= entry.validUntilMs || !entry.isCurrent()) {
      this.entries.delete(token);
      this.totalBytes -= entry.bytes;
      return undefined;
    }
    entry.used = true;
    return entry.identity;
  }

  /** `isCurrent` answers false once the keys that verified this token have changed. */
  set(token: string, identity: Identity, nowMs: number, isCurrent: () => boolean): void {
    if (this.capacity <= 0) return;
    const validUntilMs = Math.min(identity.expiresAtMs, nowMs + MAX_ENTRY_LIFE_MS);
    if (nowMs >= validUntilMs) return;
    this.remove(token);
    const bytes = entryBytes(token);
    if (bytes > this.maxBytes) return;
    while (this.entries.size >= this.capacity || this.totalBytes + bytes > this.maxBytes) {
      const oldest = this.entries.entries().next();
      if (oldest.done === true) break;
      const [key, entry] = oldest.value;
      this.entries.delete(key);
      if (entry.used) {
        // Its second chance: to the back, unmarked. Each mark is spent once, so this ends.
        entry.used = false;
        this.entries.set(key, entry);
      } else {
        this.totalBytes -= entry.bytes;
      }
    }
    this.entries.set(token, { identity, validUntilMs, isCurrent, bytes, used: false });
    this.totalBytes += bytes;
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  private remove(token: string): void {
    const entry = this.entries.get(token);
    if (entry === undefined) return;
    this.entries.delete(token);
    this.totalBytes -= entry.bytes;
  }
}
