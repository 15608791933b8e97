// When one key endpoint is fetched, and the fetch itself. The first fetch at start; a background
// refresh every jwks_cache (sooner after a failure, backing off); and the fetches asked for by
// unknown kids or stale keys — at most one per jwks_cooldown: one asked for inside the cooldown
// starts the moment it ends. Single-flight: while a fetch is under way, none other starts. Each
// is bounded by jwks_timeout and imported at once; its outcome is handed on with the document
// (a cluster's primary passes the document on to its workers, which import it themselves).

import type { FetchJwks } from './fetch-jwks.js';
import { importJwks, MAX_JWKS_KEYS, type ImportedKeySet } from './import-jwks.js';
import type { FetchResult, KeyOutcome, KeySource, KeySourceFactory, KeySourceSpec } from './key-source.js';
import { untilAborted } from './until-aborted.js';

/** Longest wait between retries of a failing key endpoint (also capped by jwks_cache). */
const MAX_RETRY_DELAY_MS = 5 * 60_000;
/** setTimeout's ceiling. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface FetchSettled {
  readonly result: FetchResult;
  readonly attemptedAtMs: number;
  readonly settledAtMs: number;
  /** A successful fetch's document, and its usable keys. */
  readonly fetched?: { readonly document: unknown; readonly imported: ImportedKeySet };
}

export interface ScheduleDeps {
  readonly now: () => number;
  readonly fetchJwks: FetchJwks;
  /** Every fetch, in order, once it settled (an aborted one included). */
  readonly onSettle: (settled: FetchSettled) => void;
  /** A fetched document lists more than MAX_JWKS_KEYS keys (told once per distinct count). */
  readonly onKeysIgnored?: (listed: number) => void;
}

export class FetchSchedule implements KeySource {
  private inflight: Promise<void> | undefined;
  private lastAttemptMs = -Infinity;
  private consecutiveFailures = 0;
  private refreshTimer: NodeJS.Timeout | undefined;
  private cooldownTimer: NodeJS.Timeout | undefined;
  /** A fetch was asked for inside the cooldown: the cooldown timer starts it. */
  private requested = false;
  private background = false;
  private closed = false;
  private readonly closing = new AbortController();
  /** The key count last reported as over MAX_JWKS_KEYS: a refresh of the same set stays quiet. */
  private reportedListed = 0;

  constructor(
    private readonly spec: KeySourceSpec,
    private readonly deps: ScheduleDeps,
  ) {}

  /** First fetch, then background refreshes. Resolves when the first attempt settled. */
  start(): Promise<void> {
    this.background = true;
    return this.fetchNow();
  }

  request(): void {
    if (this.closed || this.inflight !== undefined) return;
    const waitMs = this.nextFetchAtMs() - this.deps.now();
    if (waitMs <= 0) {
      void this.fetchNow();
      return;
    }
    this.requested = true;
    if (this.cooldownTimer !== undefined) return;
    this.cooldownTimer = setTimeout(() => {
      this.cooldownTimer = undefined;
      if (this.requested) void this.fetchNow();
    }, Math.min(waitMs, MAX_TIMER_MS));
    this.cooldownTimer.unref();
  }

  fetching(): boolean {
    return this.inflight !== undefined;
  }

  nextFetchAtMs(): number {
    if (this.inflight !== undefined) return this.lastAttemptMs;
    // A wall clock stepped backwards must not block fetching until it catches up.
    if (this.deps.now() < this.lastAttemptMs) return this.deps.now();
    return this.lastAttemptMs + this.spec.cooldownMs;
  }

  close(): void {
    this.closed = true;
    for (const timer of [this.refreshTimer, this.cooldownTimer]) if (timer !== undefined) clearTimeout(timer);
    this.refreshTimer = this.cooldownTimer = undefined;
    this.closing.abort();
  }

  /** Single-flight: every caller during a fetch shares it. Never rejects. */
  private fetchNow(): Promise<void> {
    if (this.inflight !== undefined) return this.inflight;
    if (this.closed) return Promise.resolve();
    this.requested = false;
    if (this.cooldownTimer !== undefined) clearTimeout(this.cooldownTimer);
    this.cooldownTimer = undefined;
    const attemptedAtMs = (this.lastAttemptMs = this.deps.now());
    const attempt = this.fetchOnce(attemptedAtMs).then((settled) => {
      // Settled before anyone hears of it: a request woken by it finds no fetch under way.
      this.inflight = undefined;
      this.consecutiveFailures = settled.result === 'success' ? 0 : this.consecutiveFailures + 1;
      this.scheduleRefresh();
      this.deps.onSettle(settled);
    });
    this.inflight = attempt;
    return attempt;
  }

  private async fetchOnce(attemptedAtMs: number): Promise<FetchSettled> {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(new Error('key set fetch timed out')), this.spec.timeoutMs);
    timeout.unref();
    const onClose = (): void => controller.abort(new Error('closed'));
    this.closing.signal.addEventListener('abort', onClose, { once: true });
    const settled = (result: FetchResult, fetched?: FetchSettled['fetched']): FetchSettled => ({ result, attemptedAtMs, settledAtMs: this.deps.now(), ...(fetched ? { fetched } : {}) });
    try {
      const document = await untilAborted(this.deps.fetchJwks(this.spec.url, controller.signal), controller.signal);
      const imported = await importJwks(document, this.spec.algorithms);
      if (controller.signal.aborted) throw new Error('aborted');
      this.reportIgnored(imported.listed);
      return imported.keys.length === 0 ? settled('empty') : settled('success', { document, imported });
    } catch {
      return settled('error');
    } finally {
      clearTimeout(timeout);
      this.closing.signal.removeEventListener('abort', onClose);
    }
  }

  private reportIgnored(listed: number): void {
    const over = listed > MAX_JWKS_KEYS ? listed : 0;
    if (over !== 0 && over !== this.reportedListed) this.deps.onKeysIgnored?.(listed);
    this.reportedListed = over;
  }

  private scheduleRefresh(): void {
    if (!this.background || this.closed) return;
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
    const { cacheMs, cooldownMs } = this.spec;
    // After a failure retry sooner than jwks_cache (readiness depends on it), backing off.
    const delay = this.consecutiveFailures === 0
      ? cacheMs
      : Math.min(cacheMs, MAX_RETRY_DELAY_MS, Math.max(cooldownMs, 1000) * 2 ** Math.min(this.consecutiveFailures - 1, 16));
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.fetchNow();
    }, Math.min(Math.max(delay, 1), MAX_TIMER_MS));
    this.refreshTimer.unref();
  }
}

export interface LocalSourceEvents {
  readonly onFetch?: (issuer: string, result: FetchResult) => void;
  readonly onKeysIgnored?: (issuer: string, listed: number) => void;
}

/** Key sets that fetch their own documents (a single process, `gateway explain`). */
export function localKeySources(now: () => number, fetchJwks: FetchJwks, events: LocalSourceEvents = {}): KeySourceFactory {
  return (spec, deliver) =>
    new FetchSchedule(spec, {
      now,
      fetchJwks,
      onKeysIgnored: (listed) => events.onKeysIgnored?.(spec.issuer, listed),
      onSettle: (settled) => {
        const outcome: KeyOutcome = { settled: true, result: settled.result, attemptedAtMs: settled.attemptedAtMs };
        deliver(settled.fetched ? { ...outcome, keys: { imported: settled.fetched.imported, fetchedAtMs: settled.settledAtMs } } : outcome);
        events.onFetch?.(spec.issuer, settled.result);
      },
    });
}
