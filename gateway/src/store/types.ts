// The store behind revocations: one small interface, a memory and a Redis implementation.
// A replica reads it through RevocationSource (load everything, then follow changes); the admin
// API writes through RevocationStore.
import type { Revocation, RevocationDraft } from './revocation.js';

export type StoreEvent =
  | { readonly type: 'added'; readonly entry: Revocation }
  | { readonly type: 'removed'; readonly id: string }
  /** Changes may have been missed (a reconnect, a lost store): load everything again. */
  | { readonly type: 'resync' }
  /** Whether the store can be read and written right now (feeds gateway_store_up). */
  | { readonly type: 'status'; readonly up: boolean };

export type StoreListener = (event: StoreEvent) => void;

/** The read side: what a replica needs to know every live entry. */
export interface RevocationSource {
  /** Every live (unexpired) entry. Rejects with StoreUnavailableError when it cannot answer. */
  list(): Promise<Revocation[]>;
  /** Changes as they happen; returns the unsubscribe function. Listeners must not throw. */
  subscribe(listener: StoreListener): () => void;
  /** Reachable right now. */
  up(): boolean;
}

/** The write side, used by the admin API. */
export interface RevocationStore extends RevocationSource {
  /** Stores a new entry and returns it. Rejects with StoreUnavailableError: never claims an entry it could not store. */
  add(draft: RevocationDraft): Promise<Revocation>;
  /** true when the entry existed. Rejects with StoreUnavailableError. */
  remove(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The store could not confirm the operation; the caller must not pretend it happened. */
export class StoreUnavailableError extends Error {
  constructor(message = 'the revocation store is unreachable', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
