// Verified-token cache: most clients reuse one token for its whole life (Better Auth: 15 min),
// and a Map lookup (~1 µs) is far cheaper than a signature check (20–90 µs).
//
// - Keyed by the exact token string; stores the Identity the full check produced.
// - An entry never outlives the token's exp (checked on every hit), nor MAX_ENTRY_LIFE_MS,
//   nor the issuer key generation it was verified under (a rotated or dropped key set
//   invalidates it even before the clear() that follows every key change).
// - Bounded: Map insertion order is the recency order; a hit moves the entry to the back,
//   an insert past capacity evicts the front (least recently used).
// - Only successes are stored. Caching refusals would let a flood of junk tokens evict the
//   good entries, and a refusal for an unknown kid must be re-evaluated after a rotation;
//   refusals are cheap anyway (shape, candidates and kid lookup fail before any crypto).

import type { Identity } from './identity.js';

export const MAX_ENTRY_LIFE_MS = 10 * 60_000;

interface Entry {
  readonly identity: Identity;
  readonly validUntilMs: number;
  readonly isCurrent: () => boolean;
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached identity, if the entry is still valid at `nowMs`. */
  get(token: string, nowMs: number): Identity | undefined {
    if (this.capacity <= 0) return undefined;
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    this.entries.delete(token);
    if (nowMs >= entry.validUntilMs || !entry.isCurrent()) return undefined;
    this.entries.set(token, entry);
    return entry.identity;
  }

  /** `isCurrent` answers false once the keys that verified this token have changed. */
  set(token: string, identity: Identity, nowMs: number, isCurrent: () => boolean): void {
    if (this.capacity <= 0) return;
    const validUntilMs = Math.min(identity.expiresAtMs, nowMs + MAX_ENTRY_LIFE_MS);
    if (nowMs >= validUntilMs) return;
    this.entries.delete(token);
    while (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(token, { identity, validUntilMs, isCurrent });
  }

  clear(): void {
    this.entries.clear();
  }
}
