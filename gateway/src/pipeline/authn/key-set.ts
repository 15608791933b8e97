// One JWKS issuer's keys over time, as its source (key-source.ts) delivers them: replaced
// wholesale by every successful fetch; kept through failed refreshes while fresh (jwks_cache
// after the last good fetch), then for at most max-stale more. A token whose kid is unknown
// waits for the next permitted fetch — never longer than the rest of the cooldown plus
// jwks_timeout, at most MAX_KEY_WAITERS at a time — so a key published just after a fetch works
// on its first request; a kid that fetch showed absent is refused at once until the next.

import { MAX_KID_LENGTH, type ImportedKeySet, type VerificationKey } from './import-jwks.js';
import { MAX_TIMER_MS } from './fetch-schedule.js';
import type { KeyOutcome, KeySource, KeySourceFactory, KeySourceSpec } from './key-source.js';
import { absentKey, RecentlyAbsent } from './recently-absent.js';

/** How a token with an unknown kid was answered: after its wait, or at once. */
export type KidWaitOutcome = 'found' | 'not_found' | 'recently_absent' | 'overflow';

export interface KeySetOptions {
  readonly spec: KeySourceSpec;
  readonly maxStaleMs: number;
  readonly now: () => number;
  readonly sources: KeySourceFactory;
  /** The usable keys changed: loaded, rotated, or dropped after max-stale. */
  readonly onChange: () => void;
  readonly onKidWait?: (outcome: KidWaitOutcome) => void;
}

/**
 * A token without a kid (or a duplicated kid) may match several keys; each is tried, but no
 * more than this many, so a flood of such tokens costs a bounded number of verifications.
 */
export const MAX_KEYS_TRIED = 3;
/** Requests of one issuer waiting for a fetch at a time; past it one is answered at once (fail closed). */
export const MAX_KEY_WAITERS = 1024;
/** A waiter's safety net past its bound: a fetch settles by jwks_timeout on its own (plus one IPC hop in a cluster). */
const SETTLE_SLACK_MS = 500;

interface LoadedKeys extends ImportedKeySet {
  readonly fetchedAtMs: number;
}

export class KeySet {
  private current: LoadedKeys | undefined;
  private readonly source: KeySource;
  /** When the last fetch that read a document (success or empty) started. */
  private lastReadAtMs = -Infinity;
  private readonly waiters = new Set<() => void>();
  private readonly recentlyAbsent = new RecentlyAbsent();
  private closed = false;
  private generationCount = 0;

  constructor(private readonly options: KeySetOptions) {
    this.source = options.sources(options.spec, (outcome) => this.deliver(outcome));
  }

  /**
   * Changes whenever the usable keys change; a verified-token cache entry is bound to it.
   * Asking applies max-stale first, so a cache hit never outlives the keys that verified it.
   */
  generation(): number {
    this.usable();
    return this.generationCount;
  }

  hasKeys(): boolean {
    return this.usable() !== undefined;
  }

  /** First fetch, then background refreshes. Resolves when the first attempt settled. */
  start(): Promise<void> {
    return this.source.start();
  }

  close(): void {
    this.closed = true;
    this.source.close();
    for (const release of [...this.waiters]) release();
  }

  /** Keys that may verify a token with this alg and kid. 'unavailable': the issuer has no keys at all. */
  async keysFor(alg: string, kid: unknown): Promise<readonly VerificationKey[] | 'unavailable'> {
    // An odd kid can never match a stored key (import skips those), so it never causes a fetch.
    if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
      return this.usable() === undefined ? 'unavailable' : [];
    }
    const known = this.usable();
    if (known === undefined) return this.withoutKeys(alg, kid);
    const found = matching(known, alg, kid);
    if (found.length > 0) return found;
    // A kid the set lists (under another alg, or as a key that cannot verify) is no rotation
    // under way: refused at once.
    if (kid !== undefined && this.current?.kids.has(kid)) return found;
    return this.unknownKid(alg, kid);
  }

  /** No keys at all: join a fetch under way, or start one when the cooldown allows; else 503 at once. */
  private async withoutKeys(alg: string, kid: string | undefined): Promise<readonly VerificationKey[] | 'unavailable'> {
    if ((this.source.fetching() || this.source.nextFetchAtMs() <= this.options.now()) && this.waiters.size < MAX_KEY_WAITERS) await this.nextFetch();
    const keys = this.usable();
    return keys === undefined ? 'unavailable' : matching(keys, alg, kid);
  }

  private async unknownKid(alg: string, kid: string | undefined): Promise<readonly VerificationKey[] | 'unavailable'> {
    const key = absentKey(alg, kid);
    const askedAtMs = this.options.now();
    if (this.recentlyAbsent.has(key, askedAtMs)) return this.answer('recently_absent', []);
    if (this.waiters.size >= MAX_KEY_WAITERS) return this.answer('overflow', []);
    await this.nextFetch();
    const keys = this.usable();
    if (keys === undefined) return 'unavailable';
    const found = matching(keys, alg, kid);
    if (found.length > 0) return this.answer('found', found);
    // A fetch that started after this request asked read the set without the kid: until the
    // next fetch may start, the same kid is answered at once.
    if (this.lastReadAtMs >= askedAtMs) this.recentlyAbsent.add(key, this.lastReadAtMs, this.lastReadAtMs + this.options.spec.cooldownMs);
    return this.answer('not_found', found);
  }

  private answer<T>(outcome: KidWaitOutcome, keys: T): T {
    this.options.onKidWait?.(outcome);
    return keys;
  }

  /** Asks for the next permitted fetch and resolves once a fetch settled (or the bound passed). */
  private nextFetch(): Promise<void> {
    const startsInMs = Math.max(0, this.source.nextFetchAtMs() - this.options.now());
    const boundMs = startsInMs + this.options.spec.timeoutMs + SETTLE_SLACK_MS;
    this.source.request();
    return new Promise<void>((resolve) => {
      const release = (): void => {
        clearTimeout(timer);
        this.waiters.delete(release);
        resolve();
      };
      const timer = setTimeout(release, Math.min(boundMs, MAX_TIMER_MS));
      timer.unref();
      this.waiters.add(release);
      if (this.closed) release();
    });
  }

  private deliver(outcome: KeyOutcome): void {
    // Keys already past max-stale (a cluster primary's last good ones, told to a starting worker) are not loaded.
    if (outcome.keys !== undefined && !this.expired(outcome.keys.fetchedAtMs)) {
      const removed = this.replace(outcome.keys.imported, outcome.keys.fetchedAtMs);
      // Clients still sending a removed key's tokens are answered at once, not after a fetch.
      if (outcome.settled) for (const key of removed) this.recentlyAbsent.add(absentKey(key.alg, key.kid), outcome.attemptedAtMs, outcome.attemptedAtMs + this.options.spec.cooldownMs);
    }
    if (!outcome.settled) return;
    if (outcome.result !== 'error') this.lastReadAtMs = outcome.attemptedAtMs;
    for (const release of [...this.waiters]) release();
  }

  private usable(): readonly VerificationKey[] | undefined {
    const current = this.current;
    if (current === undefined) return undefined;
    if (this.expired(current.fetchedAtMs)) {
      // Refreshes kept failing for too long: fail closed rather than trust old keys forever.
      this.current = undefined;
      this.changed();
      return undefined;
    }
    // Timers can be late or never started: a key set past its cache time refreshes on use.
    if (this.options.now() - current.fetchedAtMs > this.options.spec.cacheMs) this.source.request();
    return current.keys;
  }

  /** Stale from fetchedAt + jwks_cache on; jwks_max_stale counts from there. */
  private expired(fetchedAtMs: number): boolean {
    return this.options.now() - fetchedAtMs > this.options.spec.cacheMs + this.options.maxStaleMs;
  }

  /** A successful fetch replaces the whole set: a key removed upstream stops working now. Returns the removed keys. */
  private replace(imported: ImportedKeySet, fetchedAtMs: number): readonly VerificationKey[] {
    const before = this.current;
    this.current = { ...imported, fetchedAtMs };
    if (before?.fingerprint === imported.fingerprint) return [];
    this.changed();
    const kept = new Set(imported.keys.map((key) => absentKey(key.alg, key.kid)));
    return (before?.keys ?? []).filter((key) => !kept.has(absentKey(key.alg, key.kid)));
  }

  private changed(): void {
    this.generationCount++;
    this.options.onChange();
  }
}

function matching(keys: readonly VerificationKey[], alg: string, kid: string | undefined): VerificationKey[] {
  const found: VerificationKey[] = [];
  for (const key of keys) {
    if (key.alg !== alg || (kid !== undefined && key.kid !== kid)) continue;
    found.push(key);
    if (found.length === MAX_KEYS_TRIED) break;
  }
  return found;
}
