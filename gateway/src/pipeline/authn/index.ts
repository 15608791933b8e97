// Authentication core: who is the caller? A token in, an Identity or a reason out.
// See verify.ts for the steps, key-set.ts for how JWKS keys are kept fresh (fetch-schedule.ts
// for when they are fetched).

import type { AuthConfig } from '../../config/types.js';
import { fetchJwksOverHttp, type FetchJwks } from './fetch-jwks.js';
import { localKeySources } from './fetch-schedule.js';
import { buildIssuers, type IssuerVerifier } from './issuers.js';
import type { KidWaitOutcome } from './key-set.js';
import type { FetchResult, KeySourceFactory } from './key-source.js';
import { TokenCache } from './token-cache.js';
import { createVerify, type Verify } from './verify.js';

export type { Identity, VerifyResult } from './identity.js';
export type { FetchJwks } from './fetch-jwks.js';
export type { FetchResult, KeySourceFactory } from './key-source.js';
export type { KidWaitOutcome } from './key-set.js';
export { MAX_JWKS_KEYS } from './import-jwks.js';

export interface AuthnEvents {
  /** Every key set fetch attempt, by issuer config name ('empty': fetched but no usable key). */
  keyFetch?(issuer: string, result: FetchResult): void;
  /** An issuer's usable keys changed: first load, rotation, or dropped after jwks_max_stale. */
  keysChanged?(issuer: string): void;
  /** An issuer's JWKS lists `listed` keys, more than MAX_JWKS_KEYS: only the first ones are read. */
  keysIgnored?(issuer: string, listed: number): void;
  /** A token's kid was not in the issuer's keys: how it was answered (key-set.ts). */
  kidWait?(issuer: string, outcome: KidWaitOutcome): void;
}

export interface Authenticator {
  /** Never throws, never rejects. Reasons: invalid_token, token_expired, keys_unavailable. A trace (explain) hears each step. */
  readonly verify: Verify;
  /**
   * First key fetch of every JWKS issuer this authenticator created (adopted ones are already
   * running), in parallel; resolves when all settled, with the names of those left without keys.
   * Never rejects.
   */
  start(): Promise<readonly string[]>;
  /** Every JWKS issuer currently has usable keys. */
  ready(): boolean;
  /** Every issuer, in config order: what a successor built by a reload may adopt. */
  readonly issuers: readonly IssuerVerifier[];
  /** Stops background refreshes and aborts fetches in flight, except of the key sets `successor` adopted. */
  close(successor?: Authenticator): void;
}

/** What the pipeline needs of authentication. */
export type Verifier = Pick<Authenticator, 'verify'>;

export interface AuthnDeps {
  /** Milliseconds since the epoch (tests move time without sleeping). */
  readonly now?: () => number;
  /** Fetch and parse one JWKS document (tests replace the network). */
  readonly fetchJwks?: FetchJwks;
  /**
   * Where key sets get their documents: by default each fetches its own (keyFetch and
   * keysIgnored are told then); a cluster worker is handed its primary's.
   */
  readonly keySources?: KeySourceFactory;
  /**
   * A reload's predecessor: its verifiers for issuers whose settings are unchanged are reused,
   * key sets and all (no refetch). The verified-token cache is new: the issuers around it
   * changed. A reused key set still clears its first owner's cache on a key change; entries in
   * this one are bound to the key generation that verified them, so they lapse all the same.
   */
  readonly adopt?: Authenticator;
}

/** Throws only on a config that can never verify anything (short secret, no usable algorithm). */
export function createAuthenticator(auth: AuthConfig, events: AuthnEvents = {}, deps: AuthnDeps = {}): Authenticator {
  const now = deps.now ?? Date.now;
  const cache = new TokenCache(auth.tokenCacheSize, auth.tokenCacheBytes);
  const sources = deps.keySources ?? localKeySources(now, deps.fetchJwks ?? fetchJwksOverHttp, {
    onFetch: (issuer, result) => quietly(() => events.keyFetch?.(issuer, result)),
    onKeysIgnored: (issuer, listed) => quietly(() => events.keysIgnored?.(issuer, listed)),
  });
  const issuers = buildIssuers(auth, {
    now,
    sources,
    onChange: (issuer) => {
      // docs/contract.md: the verified-token cache is dropped when an issuer's keys change.
      cache.clear();
      quietly(() => events.keysChanged?.(issuer));
    },
    onKidWait: (issuer, outcome) => quietly(() => events.kidWait?.(issuer, outcome)),
  }, deps.adopt?.issuers);
  const adopted = new Set(deps.adopt?.issuers ?? []);
  const keySets = issuers.flatMap((issuer) => (issuer.keySet === undefined ? [] : [issuer.keySet]));
  const created = issuers.filter((issuer) => issuer.keySet !== undefined && !adopted.has(issuer));
  const verify = createVerify({
    issuers,
    rules: { subjectClaim: auth.subjectClaim, clockToleranceMs: auth.clockToleranceMs },
    cache,
    now,
  });
  return {
    verify,
    issuers,
    async start() {
      await Promise.allSettled(created.map((issuer) => issuer.keySet!.start()));
      return created.filter((issuer) => !issuer.keySet!.hasKeys()).map((issuer) => issuer.name);
    },
    ready: () => keySets.every((keySet) => keySet.hasKeys()),
    close(successor) {
      const kept = new Set(successor?.issuers ?? []);
      for (const issuer of issuers) if (!kept.has(issuer)) issuer.keySet?.close();
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
