// verify(token): the short composition of the authn steps.
//   cache hit? → read the unverified header → candidate issuers → for each, in config order:
//   its keys for (alg, kid) → jose jwtVerify → our claim rules → first success wins.
// Never throws: anything unexpected becomes invalid_token.

import { jwtVerify, type CryptoKey, type JWTVerifyOptions } from 'jose';
import { deny, type Denial } from '../../errors/reasons.js';
import { candidateIssuers } from './candidates.js';
import { checkClaims, type ClaimRules } from './claims.js';
import type { Identity, VerifyResult } from './identity.js';
import type { IssuerVerifier } from './issuers.js';
import { denialFromJoseError } from './jose-errors.js';
import type { TokenCache } from './token-cache.js';
import { readUnverified } from './unverified.js';

export interface VerifyParts {
  readonly issuers: readonly IssuerVerifier[];
  readonly rules: ClaimRules;
  readonly cache: TokenCache;
  readonly now: () => number;
}

type Attempt = { readonly ok: true; readonly identity: Identity } | Denial;

export function createVerify({ issuers, rules, cache, now }: VerifyParts): (token: string) => Promise<VerifyResult> {
  // jose options that depend only on the issuer, prepared once.
  const baseOptions = new Map<IssuerVerifier, JWTVerifyOptions>(
    issuers.map((issuer) => [
      issuer,
      {
        algorithms: [...issuer.algorithms],
        issuer: issuer.config.issuer,
        audience: issuer.config.audience === undefined ? undefined : [...issuer.config.audience],
        clockTolerance: rules.clockToleranceMs / 1000,
        requiredClaims: ['exp', rules.subjectClaim],
      },
    ]),
  );

  async function attempt(token: string, key: CryptoKey, issuer: IssuerVerifier, nowMs: number): Promise<Attempt> {
    try {
      const options = { ...baseOptions.get(issuer), currentDate: new Date(nowMs) };
      const { payload } = await jwtVerify(token, key, options);
      const checked = checkClaims(payload, rules, nowMs);
      if (!checked.ok) return checked;
      const identity: Identity = Object.freeze({
        subject: checked.subject,
        claims: Object.freeze(payload),
        issuer: issuer.name,
        expiresAtMs: checked.expiresAtMs,
      });
      return { ok: true, identity };
    } catch (error) {
      return denialFromJoseError(error);
    }
  }

  async function verifyToken(token: string): Promise<VerifyResult> {
    const nowMs = now();
    const hit = cache.get(token, nowMs);
    if (hit !== undefined) return { ok: true, identity: hit, cached: true };

    const unverified = readUnverified(token);
    if (unverified === undefined) return deny('invalid_token', 'malformed token');
    const candidates = candidateIssuers(unverified, issuers);
    if (candidates.length === 0) return deny('invalid_token', 'no issuer accepts this token');

    let refusal: Denial | undefined;
    let withoutKeys = 0;
    for (const issuer of candidates) {
      const keys = await issuer.keysFor(unverified.alg, unverified.kid);
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
        const result = await attempt(token, key, issuer, checkedAt);
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

  return async function verify(token: string): Promise<VerifyResult> {
    try {
      return await verifyToken(token);
    } catch {
      return deny('invalid_token', 'token verification failed');
    }
  };
}
