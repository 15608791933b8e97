// `--sub ID`: explain the route, owner and header rules for a subject without a token. The
// signature, issuer, audience and expiry are NOT checked (and the output says so); the
// subject still passes the real claim rules, so an ID no token could carry is refused the same way.
import type { AuthConfig } from '../../config/types.js';
import { checkClaims } from '../../pipeline/authn/claims.js';
import type { Verifier } from '../../pipeline/authn/index.js';

/** Stands in for a Bearer credential so the credentials stage runs; never verified, never shown. */
export const SUBJECT_PLACEHOLDER_TOKEN = 'eyJhbGciOiJub25lIn0.eyJleHBsYWluIjoiLS1zdWIifQ.bm90LXNpZ25lZA';

export const NOT_VERIFIED_ISSUER = '(--sub: not verified)';

export function subjectVerifier(subject: string, auth: AuthConfig): Verifier {
  return {
    async verify(_token, trace) {
      trace?.({ step: 'token.sub', ok: true, detail: `--sub ${JSON.stringify(subject)}: signature, iss, aud and exp are NOT checked` });
      const nowMs = Date.now();
      const claims = Object.freeze({ [auth.subjectClaim]: subject, exp: Math.floor(nowMs / 1000) + 900 });
      const checked = checkClaims(claims, { subjectClaim: auth.subjectClaim, clockToleranceMs: auth.clockToleranceMs }, nowMs);
      if (!checked.ok) return checked;
      return { ok: true, cached: false, identity: Object.freeze({ subject: checked.subject, claims, issuer: NOT_VERIFIED_ISSUER, expiresAtMs: checked.expiresAtMs }) };
    },
  };
}
