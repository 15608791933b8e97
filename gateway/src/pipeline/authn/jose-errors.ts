// jose's verification errors as denials. Details are fixed, short phrases: never the token,
// a claim value or jose's own message (which can quote header values).

import { errors } from 'jose';
import { deny, type Denial } from '../../errors/reasons.js';

export function denialFromJoseError(error: unknown): Denial {
  if (error instanceof errors.JWTExpired) {
    // jose lets exp = Infinity (JSON 1e400) through and calls -Infinity expired: neither is a date.
    const exp = error.payload['exp'];
    return typeof exp === 'number' && Number.isFinite(exp) ? deny('token_expired', 'token expired') : deny('invalid_token', 'invalid exp claim');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return deny('invalid_token', 'required claim missing');
    switch (error.claim) {
      case 'iss':
        return deny('invalid_token', 'issuer mismatch');
      case 'aud':
        return deny('invalid_token', 'audience mismatch');
      case 'nbf':
        return deny('invalid_token', 'token not yet valid');
      default:
        return deny('invalid_token', 'invalid claims');
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return deny('invalid_token', 'signature verification failed');
  if (error instanceof errors.JOSEAlgNotAllowed) return deny('invalid_token', 'algorithm not allowed');
  if (error instanceof errors.JOSENotSupported) return deny('invalid_token', 'unsupported token');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return deny('invalid_token', 'malformed token');
  return deny('invalid_token', 'token verification failed');
}
