// One JWKS issuer's keys over time: fetched at start, refreshed in the background, refetched
// on an unknown kid (single-flight, at most once per cooldown), replaced wholesale by every
// successful fetch. Through failed refreshes the keys are kept while fresh (jwks_cache after the
// last good fetch), then for at most max-stale more.

import type { FetchJwks } from './fetch-jwks.js';
import { importJwks, MAX_JWKS_KEYS, MAX_KID_LENGTH, type ImportedKeySet, type VerificationKey } from './import-jwks.js';

export type FetchResult = 'success' | 'error' | 'empty';

export interface KeySetOptions {
  readonly url: string;
  /** The issuer's algorithms that a JWKS key can serve. */
  readonly algorithms: ReadonlySet<string>;
  readonly cacheMs: number;
  readonly cooldownMs: number;
  readonly timeoutMs: number;
  readonly maxStaleMs: number;
  readonly now: () => number;
  readonly fetchJwks: FetchJwks;
  readonly onFetch: (result: FetchResult) => void;
  /** The usable keys changed: loaded, rotated, or dropped after max-stale. */
  readonly onChange: () => void;
  /** A fetched document lists more than MAX_JWKS_KEYS keys (told once per distinct count). */
  readonly onKeysIgnored?: (listed: number) => void;
}

/**
 * A token without a kid (or a duplicated kid) may match several keys; each is tried, but no
 * more than this many, so a flood of such tokens costs a bounded number of verifications.
 */
export const MAX_KEYS_TRIED = 3;
/** Longest wait between retries of a failing key endpoint (also capped by jwks_cache). */
const MAX_RETRY_DELAY_MS = 5 * 60_000;
/** setTimeout's ceiling. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface LoadedKeys extends ImportedKeySet {
  readonly fetchedAtMs: number;
}

export class KeySet {
  private current: LoadedKeys | undefined;
  private inflight: Promise<void> | undefined;
  private lastAttemptMs = -Infinity;
  private consecutiveFailures = 0;
  private timer: NodeJS.Timeout | undefined;
  private background = false;
  private closed = false;
  private readonly closing = new AbortController();
  private generationCount = 0;
  /** The key count last reported as over MAX_JWKS_KEYS: a refresh of the same set stays quiet. */
  private reportedListed = 0;

  constructor(private readonly options: KeySetOptions) {}

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
    this.background = true;
    return this.fetchNow();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.closing.abort();
  }

  /**
   * Keys that may verify a token with this alg and kid. An unknown kid (or no key at all)
   * waits for a refetch when one is allowed. 'unavailable': the issuer has no keys at all.
   */
  async keysFor(alg: string, kid: unknown): Promise<readonly VerificationKey[] | 'unavailable'> {
    // An odd kid can never match a stored key (import skips those), so it never causes a fetch.
    if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) {
      return this.usable() === undefined ? 'unavailable' : [];
    }
    const known = this.usable();
    if (known !== undefined) {
      const found = matching(known, alg, kid);
      if (found.length > 0) return found;
    }
    await this.refetchIfAllowed();
    const keys = this.usable();
    return keys === undefined ? 'unavailable' : matching(keys, alg, kid);
  }

  private usable(): readonly VerificationKey[] | undefined {
    const current = this.current;
    if (current === undefined) return undefined;
    const age = this.options.now() - current.fetchedAtMs;
    // Stale from fetchedAt + jwks_cache on; jwks_max_stale counts from there.
    if (age > this.options.cacheMs + this.options.maxStaleMs) {
      // Refreshes kept failing for too long: fail closed rather than trust old keys forever.
      this.current = undefined;
      this.changed();
      return undefined;
    }
    // Timers can be late or never started: a key set past its cache time refreshes on use.
    if (age > this.options.cacheMs && this.inflight === undefined && this.cooldownOver()) void this.fetchNow();
    return current.keys;
  }

  private cooldownOver(): boolean {
    const elapsed = this.options.now() - this.lastAttemptMs;
    // A wall clock stepped backwards must not block refetching until it catches up.
    return elapsed >= this.options.cooldownMs || elapsed < 0;
  }

  private refetchIfAllowed(): Promise<void> {
    if (this.inflight !== undefined) return this.inflight;
    if (!this.cooldownOver()) return Promise.resolve();
    return this.fetchNow();
  }

  /** Single-flight: every caller during a fetch shares it. Never rejects. */
  private fetchNow(): Promise<void> {
    if (this.inflight !== undefined) return this.inflight;
    if (this.closed) return Promise.resolve();
    this.lastAttemptMs = this.options.now();
    const attempt = this.fetchOnce().finally(() => {
      this.inflight = undefined;
      this.scheduleRefresh();
    });
    this.inflight = attempt;
    return attempt;
  }

  private async fetchOnce(): Promise<void> {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(new Error('key set fetch timed out')), this.options.timeoutMs);
    timeout.unref();
    const onClose = (): void => controller.abort(new Error('closed'));
    this.closing.signal.addEventListener('abort', onClose, { once: true });
    let result: FetchResult;
    try {
      const document = await untilAborted(this.options.fetchJwks(this.options.url, controller.signal), controller.signal);
      const imported = await importJwks(document, this.options.algorithms);
      if (controller.signal.aborted) throw new Error('aborted');
      this.reportIgnored(imported.listed);
      if (imported.keys.length === 0) {
        result = 'empty';
      } else {
        this.replace(imported);
        result = 'success';
      }
    } catch {
      result = 'error';
    } finally {
      clearTimeout(timeout);
      this.closing.signal.removeEventListener('abort', onClose);
    }
    this.consecutiveFailures = result === 'success' ? 0 : this.consecutiveFailures + 1;
    this.options.onFetch(result);
  }

  /** A successful fetch replaces the whole set: a key removed upstream stops working now. */
  private replace(imported: ImportedKeySet): void {
    const changed = this.current?.fingerprint !== imported.fingerprint;
    this.current = { ...imported, fetchedAtMs: this.options.now() };
    if (changed) this.changed();
  }

  private reportIgnored(listed: number): void {
    const over = listed > MAX_JWKS_KEYS ? listed : 0;
    if (over !== 0 && over !== this.reportedListed) this.options.onKeysIgnored?.(listed);
    this.reportedListed = over;
  }

  private changed(): void {
    this.generationCount++;
    this.options.onChange();
  }

  private scheduleRefresh(): void {
    if (!this.background || this.closed) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const { cacheMs, cooldownMs } = this.options;
    // After a failure retry sooner than jwks_cache (readiness depends on it), backing off.
    const delay = this.consecutiveFailures === 0
      ? cacheMs
      : Math.min(cacheMs, MAX_RETRY_DELAY_MS, Math.max(cooldownMs, 1000) * 2 ** Math.min(this.consecutiveFailures - 1, 16));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.fetchNow();
    }, Math.min(Math.max(delay, 1), MAX_TIMER_MS));
    this.timer.unref();
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

/** Settles with the promise, or rejects as soon as the signal aborts (a fetch that ignores it). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      promise.catch(() => undefined);
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
