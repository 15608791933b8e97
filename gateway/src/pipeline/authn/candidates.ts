// Issuer selection (docs/contract.md): a candidate accepts the token's alg and, when it names an
// `iss`, the token's unverified `iss` equals it. Config order is kept: the first that verifies wins.

import type { IssuerVerifier } from './issuers.js';
import type { UnverifiedToken } from './unverified.js';

export function candidateIssuers(token: UnverifiedToken, issuers: readonly IssuerVerifier[]): IssuerVerifier[] {
  return issuers.filter(
    (issuer) => issuer.algorithms.has(token.alg) && (issuer.config.issuer === undefined || issuer.config.issuer === token.iss),
  );
}
