// Authentication core: who is the caller? A token in, an Identity or a reason out.
// See verify.ts for the steps, key-set.ts for how JWKS keys are kept fresh.

import type { AuthConfig } from '../../config/types.js';
import { fetchJwksOverHttp, type FetchJwks } from './fetch-jwks.js';
import { buildIssuers } from './issuers.js';
import type { FetchResult } from './key-set.js';
import { TokenCache } from './token-cache.js';
import type { VerifyResult } from './identity.js';
import { createVerify, type Verify } from './verify.js';

export type { Identity, VerifyResult } from './identity.js';
export type { FetchJwks } from './fetch-jwks.js';
export type { FetchResult } from './key-set.js';

export interface AuthnEvents {
  /** Every key set fetch attempt, by issuer config name ('empty': fetched but no usable key). */
  keyFetch?(issuer: string, result: FetchResult): void;
  /** An issuer's usable keys changed: first load, rotation, or dropped after jwks_max_stale. */
  keysChanged?(issuer: string): void;
}

export interface Authenticator {
  /** Never throws, never rejects. Reasons: invalid_token, token_expired, keys_unavailable. A trace (explain) hears each step. */
  readonly verify: Verify;
  /** First key fetch of every JWKS issuer, in parallel; resolves when all settled. Never rejects. */
  start(): Promise<void>;
  /** Every JWKS issuer currently has usable keys. */
  ready(): boolean;
  /** Stops background refreshes and aborts fetches in flight. */
  close(): void;
}

/** What the pipeline needs of authentication. */
export type Verifier = Pick<Authenticator, 'verify'>;

export interface AuthnDeps {
  /** Milliseconds since the epoch (tests move time without sleeping). */
  readonly now?: () => number;
  /** Fetch and parse one JWKS document (tests replace the network). */
  readonly fetchJwks?: FetchJwks;
}

/** Throws only on a config that can never verify anything (short secret, no usable algorithm). */
export function createAuthenticator(auth: AuthConfig, events: AuthnEvents = {}, deps: AuthnDeps = {}): Authenticator {
  const now = deps.now ?? Date.now;
  const cache = new TokenCache(auth.tokenCacheSize);
  const issuers = buildIssuers(auth, {
    now,
    fetchJwks: deps.fetchJwks ?? fetchJwksOverHttp,
    onFetch: (issuer, result) => quietly(() => events.keyFetch?.(issuer, result)),
    onChange: (issuer) => {
      // PRODUCT.md: the verified-token cache is dropped when an issuer's keys change.
      cache.clear();
      quietly(() => events.keysChanged?.(issuer));
    },
  });
  const keySets = issuers.flatMap((issuer) => (issuer.keySet === undefined ? [] : [issuer.keySet]));
  const verify = createVerify({
    issuers,
    rules: { subjectClaim: auth.subjectClaim, clockToleranceMs: auth.clockToleranceMs },
    cache,
    now,
  });
  return {
    verify,
    async start() {
      await Promise.allSettled(keySets.map((keySet) => keySet.start()));
    },
    ready: () => keySets.every((keySet) => keySet.hasKeys()),
    close() {
      for (const keySet of keySets) keySet.close();
    },
  };
}

/** An observer's bug must not break authentication. */
function quietly(call: () => void): void {
  try {
    call();
  } catch {
    // ignored on purpose
  }
}
