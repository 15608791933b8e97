// Where a key set's documents come from. Alone, a gateway fetches them itself (fetch-schedule.ts);
// a cluster worker is handed the ones its primary fetched, so every worker holds the same keys.
// A key set (key-set.ts) only asks for a fetch and is told each outcome; the source decides when
// the fetch happens (jwks_cache, jwks_cooldown, backing off after failures).

import type { AuthConfig, IssuerConfig } from '../../config/types.js';
import { ASYMMETRIC_ALGORITHMS } from './algorithms.js';
import type { ImportedKeySet } from './import-jwks.js';

export type FetchResult = 'success' | 'error' | 'empty';

/** One issuer's key endpoint and the timings its fetches follow. */
export interface KeySourceSpec {
  /** Equal for equal endpoints, algorithms and timings: a cluster's primary and workers name a source by it. */
  readonly id: string;
  /** The issuer's config name (logs and metrics). */
  readonly issuer: string;
  readonly url: string;
  /** The issuer's algorithms that a JWKS key can serve. */
  readonly algorithms: ReadonlySet<string>;
  readonly cacheMs: number;
  readonly cooldownMs: number;
  readonly timeoutMs: number;
}

/** What a key set is told about a fetch. */
export interface KeyOutcome {
  /**
   * true: a fetch just settled (what waiting requests wait for). false: a cluster worker was
   * told the latest state on asking, no new fetch behind it.
   */
  readonly settled: boolean;
  readonly result: FetchResult;
  /** When that fetch started (the cooldown counts from it). */
  readonly attemptedAtMs: number;
  /** The usable keys of the last successful fetch, when there is one to tell. */
  readonly keys?: { readonly imported: ImportedKeySet; readonly fetchedAtMs: number };
}

export interface KeySource {
  /** The first fetch (or the primary's latest keys); resolves once its outcome was delivered, or could not be. */
  start(): Promise<void>;
  /** A fetch at the next permitted time: now when the cooldown allows, else when it ends; nothing more while one is under way. */
  request(): void;
  /** A fetch asked for or under way has not settled yet. */
  fetching(): boolean;
  /** The earliest time a new fetch may start (the cooldown after the last attempt). */
  nextFetchAtMs(): number;
  close(): void;
}

/** Makes the source of one key set; `deliver` hears every outcome, in order. */
export type KeySourceFactory = (spec: KeySourceSpec, deliver: (outcome: KeyOutcome) => void) => KeySource;

/** The source spec of a JWKS issuer: the same in every process that reads the same config. */
export function keySourceSpec(issuer: IssuerConfig, auth: AuthConfig): KeySourceSpec | undefined {
  if (issuer.keySource.kind !== 'jwks') return undefined;
  const url = issuer.keySource.jwksUrl;
  const algorithms = new Set(issuer.algorithms.filter((alg) => ASYMMETRIC_ALGORITHMS.has(alg)));
  const timings = { cacheMs: auth.jwksCacheMs, cooldownMs: auth.jwksCooldownMs, timeoutMs: auth.jwksTimeoutMs };
  const id = JSON.stringify([issuer.name, url, [...algorithms], timings.cacheMs, timings.cooldownMs, timings.timeoutMs]);
  return { id, issuer: issuer.name, url, algorithms, ...timings };
}

/** Every JWKS issuer's source spec, in config order. */
export function keySourceSpecs(auth: AuthConfig): KeySourceSpec[] {
  return auth.issuers.flatMap((issuer) => keySourceSpec(issuer, auth) ?? []);
}
