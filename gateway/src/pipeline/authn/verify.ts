// verify(token): the short composition of the authn steps.
//   cache hit? → read the unverified header → candidate issuers → for each, in config order:
//   its keys for (alg, kid) → jose jwtVerify → our claim rules → first success wins.
// Never throws: anything unexpected becomes invalid_token. An optional trace (explain) hears
// each step; without one nothing is built for it.

import type { CryptoKey } from 'jose';
import { deny, type Denial } from '../../errors/reasons.js';
import { describeDenial, type Trace } from '../trace.js';
import { candidateIssuers } from './candidates.js';
import { checkClaims, checkRegisteredClaims, type ClaimRules } from './claims.js';
import type { Identity, VerifyResult } from './identity.js';
import type { IssuerVerifier } from './issuers.js';
import { verifyJwsSignature } from './jws-verify.js';
import type { TokenCache } from './token-cache.js';
import { readUnverified, type UnverifiedToken } from './unverified.js';

export interface VerifyParts {
  readonly issuers: readonly IssuerVerifier[];
  readonly rules: ClaimRules;
  readonly cache: TokenCache;
  readonly now: () => number;
}

type Attempt = { readonly ok: true; readonly identity: Identity } | Denial;

const BAD_SIGNATURE = deny('invalid_token', 'signature verification failed');
const CRITICAL = deny('invalid_token', 'malformed token');

/** Synchronous for a token the cache holds (the hot path), a promise otherwise. */
export type Verify = (token: string, trace?: Trace) => VerifyResult | Promise<VerifyResult>;

export function createVerify({ issuers, rules, cache, now }: VerifyParts): Verify {
  /** One key of one issuer: signature first (an edited payload is a bad signature), then the claims. */
  function attempt(token: UnverifiedToken, key: CryptoKey, issuer: IssuerVerifier, nowMs: number): Attempt {
    if (!verifyJwsSignature(token.alg, key, token.signingInput, token.signature)) return BAD_SIGNATURE;
    const payload = token.payload;
    const registered = checkRegisteredClaims(payload, issuer.config, rules);
    if (registered) return registered;
    const checked = checkClaims(payload, rules, nowMs);
    if (!checked.ok) return checked;
    const identity: Identity = Object.freeze({
      subject: checked.subject,
      claims: Object.freeze(payload),
      issuer: issuer.name,
      expiresAtMs: checked.expiresAtMs,
    });
    return { ok: true, identity };
  }

  /** A token verified before and still valid, or undefined. */
  function cached(token: string, trace: Trace | undefined): VerifyResult | undefined {
    const hit = cache.get(token, now());
    if (hit === undefined) return undefined;
    trace?.({ step: 'token.cache', ok: true, detail: 'answered from the verified-token cache' });
    return { ok: true, identity: hit, cached: true };
  }

  async function verifyToken(token: string, trace: Trace | undefined): Promise<VerifyResult> {
    const unverified = readUnverified(token);
    if (unverified === undefined) return deny('invalid_token', 'malformed token');
    trace?.({ step: 'token.header', ok: true, detail: `alg ${unverified.alg}, kid ${JSON.stringify(unverified.kid) ?? '(none)'}, iss ${JSON.stringify(unverified.iss) ?? '(none)'} (unverified)` });
    // The gateway understands no JWS extension, so any critical one is refused (RFC 7515 §4.1.11).
    if (Object.hasOwn(unverified.header, 'crit')) return CRITICAL;
    const candidates = candidateIssuers(unverified, issuers);
    trace?.({ step: 'token.candidates', ok: candidates.length > 0, detail: candidates.length > 0 ? candidates.map((c) => c.name).join(', ') : 'no issuer accepts this alg and iss' });
    if (candidates.length === 0) return deny('invalid_token', 'no issuer accepts this token');

    let refusal: Denial | undefined;
    let withoutKeys = 0;
    for (const issuer of candidates) {
      const keys = await issuer.keysFor(unverified.alg, unverified.kid);
      trace?.({ step: 'token.keys', ok: keys !== 'unavailable' && keys.length > 0, detail: `issuer ${issuer.name}: ${keys === 'unavailable' ? 'no keys available' : `${keys.length} key(s) for this alg and kid`}` });
      if (keys === 'unavailable') {
        withoutKeys++;
        continue;
      }
      // Keys that arrive later (a rotation mid-verification) invalidate what we cache now.
      const generation = issuer.generation();
      if (keys.length === 0) refusal ??= deny('invalid_token', 'no matching key');
      for (const key of keys) {
        // A refetch may have taken a while: judge the clock claims at the time of the check.
        const checkedAt = now();
        const result = attempt(unverified, key, issuer, checkedAt);
        trace?.({ step: 'token.check', ok: result.ok, detail: `issuer ${issuer.name}: ${result.ok ? 'signature, iss, aud, exp, nbf, iat and subject all pass' : describeDenial(result)}` });
        if (result.ok) {
          cache.set(token, result.identity, checkedAt, () => issuer.generation() === generation);
          return { ok: true, identity: result.identity, cached: false };
        }
        // An expiry is the most useful answer: that issuer's signature was good.
        if (refusal === undefined || result.reason === 'token_expired') refusal = result;
      }
    }
    if (withoutKeys === candidates.length) return deny('keys_unavailable', 'signing keys unavailable');
    return refusal ?? deny('invalid_token', 'no matching key');
  }

  return function verify(token: string, trace?: Trace): VerifyResult | Promise<VerifyResult> {
    try {
      return cached(token, trace) ?? verifyToken(token, trace).catch(failed);
    } catch {
      return failed();
    }
  };
}

function failed(): VerifyResult {
  return deny('invalid_token', 'token verification failed');
}
