// Issuer verifiers built once from config: each knows its algorithms, its expected iss/aud,
// and where its keys come from. A shared secret is imported once per HMAC algorithm; a JWKS
// issuer gets a key-set manager. A config reload adopts the verifiers (key sets included) of
// issuers whose settings did not change, so their keys are neither refetched nor dropped.

import type { CryptoKey } from 'jose';
import type { AuthConfig, IssuerConfig } from '../../config/types.js';
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS, MIN_SECRET_BYTES, hmacHash } from './algorithms.js';
import { KeySet, type KidWaitOutcome } from './key-set.js';
import { keySourceSpec, type KeySourceFactory } from './key-source.js';

export interface IssuerVerifier {
  readonly name: string;
  readonly config: IssuerConfig;
  /** The configured algorithms this issuer's key source can actually serve. */
  readonly algorithms: ReadonlySet<string>;
  /** Present for JWKS issuers only. */
  readonly keySet: KeySet | undefined;
  /** Keys to try for a token with this alg and kid; 'unavailable' when the issuer has none. */
  keysFor(alg: string, kid: unknown): Promise<readonly CryptoKey[] | 'unavailable'>;
  /** Changes whenever the issuer's keys change (a shared secret never does). */
  generation(): number;
  /** Equal for two issuers whose every setting (key source and key-set timings included) is equal: a reload may reuse this verifier. */
  readonly settings: string;
}

export interface IssuerDeps {
  readonly now: () => number;
  /** Where JWKS documents come from: fetched here, or handed over by a cluster's primary. */
  readonly sources: KeySourceFactory;
  readonly onChange: (issuer: string) => void;
  readonly onKidWait: (issuer: string, outcome: KidWaitOutcome) => void;
}

/** `adopt`: verifiers of a previous config; one with the same settings is reused as it is. */
export function buildIssuers(auth: AuthConfig, deps: IssuerDeps, adopt: readonly IssuerVerifier[] = []): IssuerVerifier[] {
  return auth.issuers.map((issuer) => {
    const settings = settingsOf(issuer, auth);
    const reusable = adopt.find((previous) => previous.settings === settings);
    if (reusable !== undefined) return reusable;
    return issuer.keySource.kind === 'secret'
      ? secretIssuer(issuer, issuer.keySource.secret, settings)
      : jwksIssuer(issuer, auth, deps, settings);
  });
}

/** Everything a verifier is built from; in memory only (it holds the secret), never logged. */
function settingsOf(issuer: IssuerConfig, auth: AuthConfig): string {
  const keySet = issuer.keySource.kind === 'jwks' ? [auth.jwksCacheMs, auth.jwksCooldownMs, auth.jwksTimeoutMs, auth.jwksMaxStaleMs] : [];
  return JSON.stringify([issuer.name, issuer.keySource, issuer.algorithms, issuer.issuer ?? null, issuer.audience ?? null, keySet]);
}

function allowed(issuer: IssuerConfig, family: ReadonlySet<string>): ReadonlySet<string> {
  const algorithms = new Set(issuer.algorithms.filter((alg) => family.has(alg)));
  if (algorithms.size === 0) {
    // Config validation should have caught this; an issuer that can verify nothing is a mistake.
    throw new Error(`issuer "${issuer.name}": none of its algorithms fit its key source`);
  }
  return algorithms;
}

function secretIssuer(issuer: IssuerConfig, secret: string, settings: string): IssuerVerifier {
  const bytes = new TextEncoder().encode(secret);
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new Error(`issuer "${issuer.name}": the shared secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  const algorithms = allowed(issuer, HMAC_ALGORITHMS);
  const keys = new Map<string, Promise<CryptoKey>>();
  for (const alg of algorithms) {
    const key = crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: hmacHash(alg) }, false, ['verify']);
    key.catch(() => undefined); // surfaced (as a failed verification) when awaited
    keys.set(alg, key);
  }
  return {
    name: issuer.name,
    config: issuer,
    algorithms,
    keySet: undefined,
    async keysFor(alg) {
      const key = keys.get(alg);
      return key === undefined ? [] : [await key];
    },
    generation: () => 0,
    settings,
  };
}

function jwksIssuer(issuer: IssuerConfig, auth: AuthConfig, deps: IssuerDeps, settings: string): IssuerVerifier {
  const algorithms = allowed(issuer, ASYMMETRIC_ALGORITHMS);
  const keySet = new KeySet({
    spec: keySourceSpec(issuer, auth)!,
    maxStaleMs: auth.jwksMaxStaleMs,
    now: deps.now,
    sources: deps.sources,
    onChange: () => deps.onChange(issuer.name),
    onKidWait: (outcome) => deps.onKidWait(issuer.name, outcome),
  });
  return {
    name: issuer.name,
    config: issuer,
    algorithms,
    keySet,
    async keysFor(alg, kid) {
      const keys = await keySet.keysFor(alg, kid);
      return keys === 'unavailable' ? keys : keys.map((k) => k.key);
    },
    generation: () => keySet.generation(),
    settings,
  };
}
