// The revocations this replica enforces, indexed for the hot path: a Map from subject to its
// newest cut-off, and counted sets of revoked jti and sid values. A lookup is at most three hash
// lookups on strings the token already carries, with no network and no allocation; changes
// (rare: an admin action, a resync) do the bookkeeping instead.
import { deny, type Denial } from '../../errors/reasons.js';
import type { Revocation } from '../../store/revocation.js';
import type { RevocationSink } from '../../store/replica-sync.js';
import type { Identity } from '../authn/index.js';

const REVOKED: Denial = Object.freeze(deny('token_revoked'));

export class RevocationList implements RevocationSink {
  private entries = new Map<string, Revocation>();
  /** Subject → the newest `before` (ms) among its entries. */
  private subjects = new Map<string, number>();
  /** jti / sid value → how many entries name it. */
  private jtis = new Map<string, number>();
  private sids = new Map<string, number>();

  get size(): number {
    return this.entries.size;
  }

  /** A Denial when the token is revoked: a sub entry with iat ≤ before (no iat counts as before), or its jti, or its sid. */
  check(identity: Identity): Denial | undefined {
    if (this.entries.size === 0) return undefined;
    const claims = identity.claims;
    const before = this.subjects.get(identity.subject);
    if (before !== undefined) {
      const iat = ownClaim(claims, 'iat');
      // Claims are checked already: iat, when present, is a finite number of seconds.
      if (typeof iat !== 'number' || iat * 1000 <= before) return REVOKED;
    }
    const jti = ownClaim(claims, 'jti');
    if (typeof jti === 'string' && this.jtis.has(jti)) return REVOKED;
    const sid = ownClaim(claims, 'sid');
    if (typeof sid === 'string' && this.sids.has(sid)) return REVOKED;
    return undefined;
  }

  add(entry: Revocation): void {
    if (this.entries.has(entry.id)) return;
    this.entries.set(entry.id, entry);
    this.index(entry);
  }

  remove(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    if (entry.kind === 'sub') this.reindexSubject(entry.value);
    else uncount(entry.kind === 'jti' ? this.jtis : this.sids, entry.value);
  }

  replace(entries: readonly Revocation[]): void {
    this.entries = new Map(entries.map((entry) => [entry.id, entry]));
    this.rebuild();
  }

  prune(nowMs: number): void {
    let dropped = false;
    for (const [id, entry] of this.entries) {
      if (entry.expiresAtMs <= nowMs) {
        this.entries.delete(id);
        dropped = true;
      }
    }
    if (dropped) this.rebuild();
  }

  private rebuild(): void {
    this.subjects = new Map();
    this.jtis = new Map();
    this.sids = new Map();
    for (const entry of this.entries.values()) this.index(entry);
  }

  private index(entry: Revocation): void {
    if (entry.kind === 'sub') {
      const before = entry.beforeMs ?? entry.createdAtMs;
      const current = this.subjects.get(entry.value);
      if (current === undefined || before > current) this.subjects.set(entry.value, before);
    } else {
      const counts = entry.kind === 'jti' ? this.jtis : this.sids;
      counts.set(entry.value, (counts.get(entry.value) ?? 0) + 1);
    }
  }

  /** A subject's cut-off after one of its entries went: the newest among those left. */
  private reindexSubject(subject: string): void {
    let newest: number | undefined;
    for (const entry of this.entries.values()) {
      if (entry.kind === 'sub' && entry.value === subject) {
        const before = entry.beforeMs ?? entry.createdAtMs;
        if (newest === undefined || before > newest) newest = before;
      }
    }
    if (newest === undefined) this.subjects.delete(subject);
    else this.subjects.set(subject, newest);
  }
}

function uncount(counts: Map<string, number>, value: string): void {
  const n = counts.get(value) ?? 0;
  if (n <= 1) counts.delete(value);
  else counts.set(value, n - 1);
}

/** The token's JSON payload: only its own members count. */
function ownClaim(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}
