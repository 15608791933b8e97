// JWKS key sets in a cluster, worker side: a key source (key-source.ts) that never fetches. It
// asks the primary for its latest keys when a key set starts, asks it for a fetch on an unknown
// kid or stale keys, and imports every document the primary hands over, in the order it came.
import { importJwks } from '../../pipeline/authn/import-jwks.js';
import type { KeyOutcome, KeySource, KeySourceFactory, KeySourceSpec } from '../../pipeline/authn/key-source.js';
import { isKeysMessage, type KeysMessage, type WorkerMessage } from './messages.js';

/** Past the primary's own bounds (jwks_timeout), for the message to arrive and be imported. */
const IPC_SLACK_MS = 1_000;

type Listener = (message: KeysMessage) => void;

export function keysFromPrimary(): { readonly sources: KeySourceFactory; close(): void } {
  const listeners = new Map<string, Set<Listener>>();
  const onMessage = (message: unknown): void => {
    if (!isKeysMessage(message)) return;
    for (const listener of [...(listeners.get(message.id) ?? [])]) listener(message);
  };
  process.on('message', onMessage);
  const subscribe = (id: string, listener: Listener): (() => void) => {
    const set = listeners.get(id) ?? new Set();
    listeners.set(id, set.add(listener));
    return () => {
      set.delete(listener);
      if (set.size === 0) listeners.delete(id);
    };
  };
  return {
    sources: (spec, deliver) => new PrimaryKeySource(spec, deliver, subscribe),
    close() {
      process.off('message', onMessage);
      listeners.clear();
    },
  };
}

class PrimaryKeySource implements KeySource {
  private lastAttemptMs = -Infinity;
  /** A fetch was asked for and has not settled: no second request until then (or this time). */
  private askedUntilMs = 0;
  private imports: Promise<void> = Promise.resolve();
  private closed = false;
  private answered!: () => void;
  private readonly first = new Promise<void>((resolve) => (this.answered = resolve));
  private readonly unsubscribe: () => void;

  constructor(
    private readonly spec: KeySourceSpec,
    private readonly deliver: (outcome: KeyOutcome) => void,
    subscribe: (id: string, listener: Listener) => () => void,
  ) {
    this.unsubscribe = subscribe(spec.id, (message) => this.told(message));
  }

  start(): Promise<void> {
    send({ type: 'gateway:keys?', id: this.spec.id });
    // No answer (a primary gone): the key set stays without keys, and /readyz says so.
    const timer = setTimeout(() => this.answered(), this.spec.timeoutMs + IPC_SLACK_MS);
    timer.unref();
    return this.first.finally(() => clearTimeout(timer));
  }

  request(): void {
    const now = Date.now();
    if (this.closed || now < this.askedUntilMs) return;
    this.askedUntilMs = Math.max(now, this.nextFetchAtMs()) + this.spec.timeoutMs + IPC_SLACK_MS;
    send({ type: 'gateway:keys-fetch', id: this.spec.id });
  }

  fetching(): boolean {
    return Date.now() < this.askedUntilMs;
  }

  nextFetchAtMs(): number {
    const now = Date.now();
    return now < this.lastAttemptMs ? now : this.lastAttemptMs + this.spec.cooldownMs;
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.answered();
  }

  private told(message: KeysMessage): void {
    if (message.attemptedAtMs > 0) this.lastAttemptMs = message.attemptedAtMs;
    if (message.settled) this.askedUntilMs = 0;
    // Imports are chained: the keys are replaced in the order the primary fetched them.
    this.imports = this.imports.then(async () => {
      if (this.closed) return;
      const keys = message.keys === undefined ? undefined : await this.imported(message.keys);
      this.deliver({ settled: message.settled, result: message.result, attemptedAtMs: message.attemptedAtMs, ...(keys ? { keys } : {}) });
      this.answered();
    });
  }

  private async imported(keys: NonNullable<KeysMessage['keys']>): Promise<KeyOutcome['keys']> {
    try {
      const imported = await importJwks(keys.document, this.spec.algorithms);
      return imported.keys.length > 0 ? { imported, fetchedAtMs: keys.fetchedAtMs } : undefined;
    } catch {
      return undefined; // the primary imported the same document: never expected, fail closed
    }
  }
}

function send(message: WorkerMessage): void {
  if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
}
